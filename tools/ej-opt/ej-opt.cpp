//===- ej-opt.cpp - mlir-opt for the ej dialect --------------------------===//
//
// ej, the dialects ej programs are written in and lowered to (with their
// interface models), the ej passes and pipelines, and the upstream passes
// they build on.
//
//===----------------------------------------------------------------------===//
#include "codegen/CpuCompiler.h"
#include "dialects/Ej/EjRegistration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::ej::registerAllEjDialects(registry);
  mlir::ej::registerCpuCodegenDialects(registry);
  mlir::ej::registerAllEjPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "EagerJIT optimizer driver\n", registry));
}
