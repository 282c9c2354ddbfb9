//===- InvertSoftmaxDenominators.cpp - ej-invert-softmax-denominators -----===//
//
// A softmax divides every element of a row by the row's sum of
// exponentials; that sum is at least 1, so its reciprocal is a normal
// float and multiplying by it costs one division per row instead of one
// per element (Passes.td has the example and the error bound).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#define DEBUG_TYPE "ej-invert-softmax-denominators"

namespace mlir::ej {
#define GEN_PASS_DEF_EJINVERTSOFTMAXDENOMINATORS
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;
using namespace mlir::ej;

namespace {

// Whether `m` is the maximum of `x` over `axes`, the axes kept (through a
// stop_gradient or not).
bool isMaximumOf(Value m, Value x, ArrayRef<int64_t> axes) {
  if (auto stop = m.getDefiningOp<StopGradientOp>())
    m = stop.getOperand();
  auto max = m.getDefiningOp<ReduceMaxOp>();
  return max && max.getOperand() == x && max.getKeepdims() &&
         max.getAxes() == axes;
}

// Whether `s` is the denominator of the softmax whose numerator is `e`:
// s = sum(e) and e = exp(x - max(x)), both over the same axes, kept. One
// term of each sum is exp(0) = 1 and none is above 1, so s lies in [1, n]
// for n terms, or is NaN (when a row of x has a NaN or +inf, or is all
// -inf).
bool isSoftmaxDenominator(Value s, Value e) {
  auto sum = s.getDefiningOp<ReduceSumOp>();
  if (!sum || sum.getOperand() != e || !sum.getKeepdims())
    return false;
  auto exp = e.getDefiningOp<ExpOp>();
  auto difference = exp ? exp.getOperand().getDefiningOp<SubOp>() : nullptr;
  return difference &&
         isMaximumOf(difference.getRhs(), difference.getLhs(), sum.getAxes());
}

struct EjInvertSoftmaxDenominatorsPass
    : mlir::ej::impl::EjInvertSoftmaxDenominatorsBase<
          EjInvertSoftmaxDenominatorsPass> {
  void runOnOperation() override {
    getOperation().walk([&](DivOp div) {
      if (!isSoftmaxDenominator(div.getRhs(), div.getLhs()))
        return;
      OpBuilder b(div);
      Location loc = div.getLoc();
      Type element = getElementTypeOrSelf(div.getRhs().getType());
      Value one = ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(RankedTensorType::get({}, element),
                                 b.getFloatAttr(element, 1.0)));
      Value reciprocal = DivOp::create(b, loc, one, div.getRhs());
      div.replaceAllUsesWith(
          MulOp::create(b, loc, div.getLhs(), reciprocal).getResult());
      div.erase();
      ++numInverted;
    });
  }
};

} // namespace
