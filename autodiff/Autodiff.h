//===- Autodiff.h - Reverse-mode differentiation of ej functions --*- C++
//-*-===//
//
// The transformation behind both `ej-autodiff` and ej::GradientTape: given a
// target value and sources in one block of ej ops, append the ops that
// compute d(sum of target)/d(source) for every source.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_AUTODIFF_AUTODIFF_H
#define EJ_AUTODIFF_AUTODIFF_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::ej {

/// Builds, at `b`'s insertion point (after every op of the block that the
/// target depends on), the gradient of `target` -- summed over its elements
/// when it is not a scalar -- with respect to each of `sources`: block
/// arguments or op results of the target's block, f32/f64 tensors or
/// `!ej.variable`s of them (the gradient of a variable collects the
/// cotangents of its reads). A source the target does not depend on gets
/// zeros. The gradient ops are ej ops, built by each op's
/// DifferentiableOpInterface. Fails, after an error diagnostic at `loc` or at
/// the op concerned, for an integer or bool target or source, or an op
/// without a VJP rule on a path from a source to the target.
FailureOr<SmallVector<Value>> buildGradients(OpBuilder &b, Location loc,
                                             Value target,
                                             ArrayRef<Value> sources);

} // namespace mlir::ej

#endif // EJ_AUTODIFF_AUTODIFF_H
