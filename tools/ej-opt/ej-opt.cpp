//===- ej-opt.cpp - mlir-opt for the ej dialect --------------------------===//
#include "dialects/Ej/IR/EjRegistration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::ej::registerAllEjDialects(registry);
  mlir::ej::registerAllEjPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "EagerJIT optimizer driver\n", registry));
}
