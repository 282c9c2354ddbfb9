//===- ej-translate.cpp - mlir-translate for the ej dialect --------------===//
//
// Translations out of ej programs: `--ej-to-cuda` prints the CUDA C kernels
// of a function's ej.fusion regions (running ej-fuse first, so that a trace
// as the JIT dumps it can be read as it is).
//
//===----------------------------------------------------------------------===//
#include "codegen/EjToCUDA.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::ej::registerEjToCudaTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "EagerJIT translation driver\n"));
}
