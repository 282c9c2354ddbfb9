//===- CudaReduction.h - How ej reductions accumulate -----------*- C++ -*-===//
//
// One table of the reductions (which scalar op folds a value in, in which
// type they accumulate, where they start) and the CUDA C of block-wide
// reductions. Both GPU code paths use them: the fused kernels
// (codegen/EjToCUDA) and the interpreter's kernels (runtime/cuda), so that a
// reduction accumulates alike in both and as the CPU kernels do
// (runtime/cpu/ReduceKernels.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_CUDAREDUCTION_H
#define EJ_CODEGEN_CUDAREDUCTION_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Types.h"

#include <optional>

namespace mlir::ej::cuda {

struct Reduction {
  StringRef combine; // the ScalarMath op folding a value into the accumulator
  bool wide = false; // float sums in f64, integer sums in i64
  bool mean = false;
  bool arg = false; // argmax / argmin: (value, index) pairs
  bool max = false; // extreme of max (else min), for the initial value
  bool extreme = false;
};

/// The reduction of ej op `mnemonic` (without the dialect prefix), if it is
/// one.
std::optional<Reduction> reductionOf(StringRef mnemonic);

/// The type `r` accumulates elements of type `element` in.
Type accumulatorType(const Reduction &r, Type element);

/// The accumulator's starting value (not for argmax / argmin).
TypedAttr initialValue(const Reduction &r, Type acc);

/// CUDA C of block-wide reductions: ej_block_reduce(v, fold, scratch)
/// folds every thread's value (a tree of warp shuffles, then one value per
/// warp through `scratch`, 32 entries of shared memory) and returns the
/// result to every thread; ej_arg_combine and ej_block_arg_reduce do the
/// same for argmax / argmin's (value, index) pairs. Blocks must be whole
/// warps.
const char *blockReductionSource();

} // namespace mlir::ej::cuda

#endif // EJ_CODEGEN_CUDAREDUCTION_H
