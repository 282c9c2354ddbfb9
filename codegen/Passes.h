//===- Passes.h - The code generation passes -----------------------*- C++
//-*-===//
#ifndef EJ_CODEGEN_PASSES_H
#define EJ_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::ej {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/Passes.h.inc"

/// The patterns of convert-ej-to-linalg.
void populateEjToLinalgConversionPatterns(RewritePatternSet &patterns);
/// Whether convert-ej-to-linalg lowers `op` (the fusible ops).
bool isLowerableToLinalg(Operation *op);

/// ej (fusible ops, in destination-passing functions) down to the llvm
/// dialect: convert-ej-to-linalg, elementwise fusion, one-shot
/// bufferization, loops, polynomial approximations of the transcendentals,
/// and the conversions to llvm. Registered as `ej-cpu-pipeline`.
void buildEjCpuPipeline(OpPassManager &pm);

/// Registers, once per process, the codegen passes, ej-cpu-pipeline and
/// the upstream passes it is written with.
void registerCodegenPasses();

} // namespace mlir::ej

#endif // EJ_CODEGEN_PASSES_H
