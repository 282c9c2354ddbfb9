//===- ej-opt.cpp - mlir-opt for the ej dialect --------------------------===//
//
// ej, the dialects ej programs are written in, the upstream dialects the CPU
// pipeline lowers to, the ej passes and the upstream ones they build on.
//
//===----------------------------------------------------------------------===//
#include "dialects/Ej/EjRegistration.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::ej::registerAllEjDialects(registry);
  registry.insert<mlir::bufferization::BufferizationDialect,
                  mlir::linalg::LinalgDialect, mlir::LLVM::LLVMDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect, mlir::vector::VectorDialect>();
  mlir::ej::registerAllEjPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "EagerJIT optimizer driver\n", registry));
}
