//===- Passes.h - The code generation passes --------------------*- C++ -*-===//
//
// convert-ej-to-linalg, ej-fuse, ej-linalg-to-blas, ej-parallelize,
// ej-approximate-math, ej-hoist-captured-fields and the ej-cpu-pipeline
// built from them and upstream passes.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_PASSES_H
#define EJ_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::ej {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/Passes.h.inc"

/// The patterns of convert-ej-to-linalg; `converter` accepts the static
/// ranked tensors ej values are.
void populateEjToLinalgConversionPatterns(RewritePatternSet &patterns,
                                          const TypeConverter &converter);
/// The same with the pass's own type converter.
void populateEjToLinalgConversionPatterns(RewritePatternSet &patterns);
/// Whether convert-ej-to-linalg lowers `op`.
bool isLowerableToLinalg(Operation *op);

/// The patterns of ej-linalg-to-blas (bufferized f32/f64 matmuls to calls
/// of the BLAS helpers, declared in the module as needed).
void populateLinalgToBlasPatterns(RewritePatternSet &patterns);

/// The view of a tensor that `use` makes, when its owner is one
/// (extract_slice, expand_shape, collapse_shape, cast or reshape of the
/// used value), which bufferization makes an alias of the value's buffer;
/// null otherwise.
Value viewBy(OpOperand &use);

/// ej functions down to the llvm dialect: convert-ej-to-linalg, elementwise
/// fusion, one-shot bufferization (function boundaries included), BLAS
/// calls for matmuls, loops, polynomial approximations of the f32
/// transcendentals, and the conversions to llvm. Registered as
/// `ej-cpu-pipeline`.
void buildEjCpuPipeline(OpPassManager &pm);

/// Registers, once per process, the codegen passes, ej-cpu-pipeline and
/// the upstream passes it is written with.
void registerCodegenPasses();

} // namespace mlir::ej

#endif // EJ_CODEGEN_PASSES_H
