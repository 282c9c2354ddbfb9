//===- VJPRules.cpp - The vector-Jacobian product of every ej op ----------===//
//
// One rule per differentiable op, each written as ej ops so that gradient
// programs can be differentiated again. Rules see the op, the cotangent `g`
// of its result, and fill the cotangents of its operands (null: none).
// Broadcasting in the forward op is undone by summing (`unbroadcast`).
// Ops whose results are integers or bools have no rule: nothing flows
// through them. Floor, ceil, sign and stop_gradient have rules that send
// nothing (their derivative is zero wherever it exists).
//
//===----------------------------------------------------------------------===//
#include "autodiff/DifferentiableOpInterface.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ej;

#include "autodiff/DifferentiableOpInterface.cpp.inc"

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Builds the ej ops the rules are written in, at one location.
struct Emit {
  OpBuilder &b;
  Location loc;

  /// A 0-d tensor holding `v` in the element type of `like`.
  Value scalar(Value like, double v) {
    auto t = RankedTensorType::get({}, typeOf(like).getElementType());
    return FillOp::create(b, loc, t, b.getF64FloatAttr(v));
  }
  Value full(RankedTensorType t, double v) {
    return FillOp::create(b, loc, t, b.getF64FloatAttr(v));
  }
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value neg(Value x) { return NegOp::create(b, loc, x); }
  Value where(Value c, Value x, Value y) {
    return WhereOp::create(b, loc, c, x, y);
  }
  Value cast(Value x, Type element) {
    return CastOp::create(b, loc, typeOf(x).clone(element), x);
  }
  Value reshape(Value x, RankedTensorType t) {
    return typeOf(x) == t ? x : ReshapeOp::create(b, loc, t, x).getResult();
  }
  Value sum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return ReduceSumOp::create(b, loc, x, b.getDenseI64ArrayAttr(axes),
                               keepdims ? b.getUnitAttr() : nullptr);
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return TransposeOp::create(b, loc, x, b.getDenseI64ArrayAttr(perm));
  }
  Value slice(Value x, RankedTensorType t, ArrayRef<int64_t> starts,
              ArrayRef<int64_t> steps) {
    return SliceOp::create(b, loc, t, x, b.getDenseI64ArrayAttr(starts),
                           b.getDenseI64ArrayAttr(steps));
  }
  Value pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
    return PadOp::create(b, loc, x, b.getDenseI64ArrayAttr(low),
                         b.getDenseI64ArrayAttr(high), b.getF64FloatAttr(0));
  }

  /// `g`, summed over the axes that broadcasting added or stretched, so
  /// that it has type `to`.
  Value unbroadcast(Value g, RankedTensorType to) {
    RankedTensorType from = typeOf(g);
    if (from.getShape() == to.getShape())
      return g;
    int64_t lead = from.getRank() - to.getRank();
    SmallVector<int64_t> axes;
    for (int64_t d = 0; d < from.getRank(); ++d)
      if (d < lead || (to.getDimSize(d - lead) == 1 && from.getDimSize(d) != 1))
        axes.push_back(d);
    return reshape(sum(g, axes, /*keepdims=*/true), to);
  }

  /// The cotangent `g` of a reduction of `x` over `axes`, broadcast back to
  /// x's shape.
  /// A reduction result `y` of `x` over `axes`, with the reduced axes
  /// kept as size 1.
  Value keepdims(Value y, Value x, ArrayRef<int64_t> axes) {
    RankedTensorType xt = typeOf(x);
    SmallVector<int64_t> kept(xt.getShape());
    for (int64_t d = 0; d < xt.getRank(); ++d)
      if (axes.empty() || llvm::is_contained(axes, d))
        kept[d] = 1;
    return reshape(y, xt.clone(kept));
  }

  /// The cotangent `g` of a reduction of `x` over `axes`, broadcast back to
  /// x's shape.
  Value unreduce(Value g, Value x, ArrayRef<int64_t> axes) {
    return BroadcastToOp::create(b, loc, typeOf(x), keepdims(g, x, axes));
  }
};

using Grads = SmallVectorImpl<Value>;

//===----------------------------------------------------------------------===//
// The rules. `rule(op, e, g, out)`: out[i] is operand i's cotangent.
//===----------------------------------------------------------------------===//

// Elementwise unary.
void rule(NegOp, Emit &e, Value g, Grads &out) { out[0] = e.neg(g); }
void rule(AbsOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.mul(g, SignOp::create(e.b, e.loc, op.getOperand()));
}
void rule(ExpOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.mul(g, op.getResult());
}
void rule(LogOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.div(g, op.getOperand());
}
void rule(SqrtOp op, Emit &e, Value g, Grads &out) {
  // d sqrt(x) = 1 / (2 sqrt(x))
  Value y = op.getResult();
  out[0] = e.div(e.mul(g, e.scalar(y, 0.5)), y);
}
void rule(RsqrtOp op, Emit &e, Value g, Grads &out) {
  // d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
  Value y = op.getResult();
  out[0] = e.mul(g, e.mul(e.mul(y, e.mul(y, y)), e.scalar(y, -0.5)));
}
void rule(SquareOp op, Emit &e, Value g, Grads &out) {
  Value x = op.getOperand();
  out[0] = e.mul(g, e.mul(x, e.scalar(x, 2)));
}
void rule(TanhOp op, Emit &e, Value g, Grads &out) {
  Value y = op.getResult();
  out[0] = e.mul(g, e.sub(e.scalar(y, 1), e.mul(y, y)));
}
void rule(SigmoidOp op, Emit &e, Value g, Grads &out) {
  Value y = op.getResult();
  out[0] = e.mul(g, e.mul(y, e.sub(e.scalar(y, 1), y)));
}
void rule(ReluOp op, Emit &e, Value g, Grads &out) {
  Value x = op.getOperand();
  Value positive = GreaterOp::create(e.b, e.loc, x, e.scalar(x, 0));
  out[0] = e.where(positive, g, e.scalar(g, 0));
}
void rule(SinOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.mul(g, CosOp::create(e.b, e.loc, op.getOperand()));
}
void rule(CosOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.neg(e.mul(g, SinOp::create(e.b, e.loc, op.getOperand())));
}
// erf' = 2 / sqrt(pi) exp(-x^2).
void rule(ErfOp op, Emit &e, Value g, Grads &out) {
  Value x = op.getOperand();
  Value gauss = ExpOp::create(e.b, e.loc, e.neg(e.mul(x, x)));
  out[0] = e.mul(g, e.mul(gauss, e.scalar(x, M_2_SQRTPI)));
}
// Piecewise constant, or cut on purpose: nothing flows.
void rule(FloorOp, Emit &, Value, Grads &) {}
void rule(CeilOp, Emit &, Value, Grads &) {}
void rule(SignOp, Emit &, Value, Grads &) {}
void rule(StopGradientOp, Emit &, Value, Grads &) {}

void rule(CastOp op, Emit &e, Value g, Grads &out) {
  Type from = typeOf(op.getOperand()).getElementType();
  if (isa<FloatType>(from))
    out[0] = e.cast(g, from);
}
void rule(CopyOp, Emit &, Value g, Grads &out) { out[0] = g; }

// Binary, with broadcasting undone.
void rule(AddOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.unbroadcast(g, typeOf(op.getLhs()));
  out[1] = e.unbroadcast(g, typeOf(op.getRhs()));
}
void rule(SubOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.unbroadcast(g, typeOf(op.getLhs()));
  out[1] = e.unbroadcast(e.neg(g), typeOf(op.getRhs()));
}
void rule(MulOp op, Emit &e, Value g, Grads &out) {
  Value a = op.getLhs(), b = op.getRhs();
  out[0] = e.unbroadcast(e.mul(g, b), typeOf(a));
  out[1] = e.unbroadcast(e.mul(g, a), typeOf(b));
}
void rule(DivOp op, Emit &e, Value g, Grads &out) {
  // d(a/b) = da / b - db * (a/b) / b
  Value a = op.getLhs(), b = op.getRhs();
  Value gb = e.div(g, b);
  out[0] = e.unbroadcast(gb, typeOf(a));
  out[1] = e.unbroadcast(e.neg(e.mul(gb, op.getResult())), typeOf(b));
}
void rule(PowOp op, Emit &e, Value g, Grads &out) {
  // d a^b = b a^(b-1) da + a^b log(a) db, with log(a) taken as 0 where
  // a <= 0 (there a^b is only defined for integer b, which has no db).
  Value a = op.getLhs(), b = op.getRhs(), y = op.getResult();
  Value lower = PowOp::create(e.b, e.loc, a, e.sub(b, e.scalar(b, 1)));
  out[0] = e.unbroadcast(e.mul(g, e.mul(b, lower)), typeOf(a));
  Value positive = GreaterOp::create(e.b, e.loc, a, e.scalar(a, 0));
  Value log = e.where(positive, LogOp::create(e.b, e.loc, a), e.scalar(a, 0));
  out[1] = e.unbroadcast(e.mul(g, e.mul(y, log)), typeOf(b));
}
// Ties go to the left operand, as in TensorFlow.
template <class CompareOp, class OpTy>
void selectRule(OpTy op, Emit &e, Value g, Grads &out) {
  Value a = op.getLhs(), b = op.getRhs();
  Value left = CompareOp::create(e.b, e.loc, a, b);
  Value zero = e.scalar(g, 0);
  out[0] = e.unbroadcast(e.where(left, g, zero), typeOf(a));
  out[1] = e.unbroadcast(e.where(left, zero, g), typeOf(b));
}
void rule(MaximumOp op, Emit &e, Value g, Grads &out) {
  selectRule<GreaterEqualOp>(op, e, g, out);
}
void rule(MinimumOp op, Emit &e, Value g, Grads &out) {
  selectRule<LessEqualOp>(op, e, g, out);
}
void rule(WhereOp op, Emit &e, Value g, Grads &out) {
  Value zero = e.scalar(g, 0);
  out[1] = e.unbroadcast(e.where(op.getCond(), g, zero), typeOf(op.getLhs()));
  out[2] = e.unbroadcast(e.where(op.getCond(), zero, g), typeOf(op.getRhs()));
}

// Reductions: the cotangent spreads back over the reduced axes.
void rule(ReduceSumOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.unreduce(g, op.getOperand(), op.getAxes());
}
void rule(ReduceMeanOp op, Emit &e, Value g, Grads &out) {
  RankedTensorType xt = typeOf(op.getOperand());
  int64_t count = 1;
  for (int64_t d = 0; d < xt.getRank(); ++d)
    if (op.getAxes().empty() || llvm::is_contained(op.getAxes(), d))
      count *= xt.getDimSize(d);
  Value spread = e.unreduce(g, op.getOperand(), op.getAxes());
  out[0] =
      e.mul(spread, e.scalar(g, 1.0 / double(std::max<int64_t>(count, 1))));
}
// The cotangent goes to the elements equal to the extremum, shared equally
// among ties.
template <class OpTy> void extremumRule(OpTy op, Emit &e, Value g, Grads &out) {
  Value x = op.getOperand();
  ArrayRef<int64_t> axes = op.getAxes();
  Value y = e.keepdims(op.getResult(), x, axes);
  Value hit =
      e.cast(EqualOp::create(e.b, e.loc, x, y), typeOf(x).getElementType());
  Value ties = e.sum(hit, axes, /*keepdims=*/true);
  out[0] = e.mul(e.unreduce(g, x, axes), e.div(hit, ties));
}
void rule(ReduceMaxOp op, Emit &e, Value g, Grads &out) {
  extremumRule(op, e, g, out);
}
void rule(ReduceMinOp op, Emit &e, Value g, Grads &out) {
  extremumRule(op, e, g, out);
}
void rule(ReduceProdOp op, Emit &e, Value g, Grads &out) {
  // d prod / d x_i is the product of the others, exact with zeros: with
  // no zero it is prod / x_i; with one zero, only that element gets the
  // product of the rest; with two or more, everything is 0.
  Value x = op.getOperand();
  ArrayRef<int64_t> axes = op.getAxes();
  Type element = typeOf(x).getElementType();
  Value isZero = EqualOp::create(e.b, e.loc, x, e.scalar(x, 0));
  Value zeros = e.sum(e.cast(isZero, element), axes, /*keepdims=*/true);
  Value nonzero = e.where(isZero, e.scalar(x, 1), x);
  Value rest = ReduceProdOp::create(
      e.b, e.loc, nonzero, e.b.getDenseI64ArrayAttr(axes), e.b.getUnitAttr());
  Value noZero = EqualOp::create(e.b, e.loc, zeros, e.scalar(x, 0));
  Value oneZero = EqualOp::create(e.b, e.loc, zeros, e.scalar(x, 1));
  Value atTheZero = LogicalAndOp::create(e.b, e.loc, oneZero, isZero);
  Value partial = e.where(
      noZero, e.div(rest, nonzero),
      e.where(atTheZero, BroadcastToOp::create(e.b, e.loc, typeOf(x), rest),
              e.scalar(x, 0)));
  out[0] = e.mul(e.unreduce(g, x, axes), partial);
}

// (..., n, k) x (..., k, m): da = g b^T, db = a^T g, batch axes unbroadcast.
void rule(MatMulOp op, Emit &e, Value g, Grads &out) {
  auto swapLast = [&](Value v) {
    int64_t r = typeOf(v).getRank();
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, r));
    std::swap(perm[r - 1], perm[r - 2]);
    return e.transpose(v, perm);
  };
  Value a = op.getLhs(), b = op.getRhs();
  out[0] =
      e.unbroadcast(MatMulOp::create(e.b, e.loc, g, swapLast(b)), typeOf(a));
  out[1] =
      e.unbroadcast(MatMulOp::create(e.b, e.loc, swapLast(a), g), typeOf(b));
}

// Convolution: the three conv ops are bilinear, and each one's gradients
// are the other two, so conv gradients of any order stay in these ops.
void rule(Conv2DOp op, Emit &e, Value g, Grads &out) {
  out[0] = Conv2DBackpropInputOp::create(e.b, e.loc, typeOf(op.getInput()), g,
                                         op.getFilter(), op.getStridesAttr(),
                                         op.getPaddingAttr());
  out[1] = Conv2DBackpropFilterOp::create(e.b, e.loc, typeOf(op.getFilter()),
                                          op.getInput(), g, op.getStridesAttr(),
                                          op.getPaddingAttr());
}
void rule(Conv2DBackpropInputOp op, Emit &e, Value g, Grads &out) {
  out[0] = Conv2DOp::create(e.b, e.loc, g, op.getFilter(), op.getStridesAttr(),
                            op.getPaddingAttr());
  out[1] = Conv2DBackpropFilterOp::create(e.b, e.loc, typeOf(op.getFilter()), g,
                                          op.getGrad(), op.getStridesAttr(),
                                          op.getPaddingAttr());
}
void rule(Conv2DBackpropFilterOp op, Emit &e, Value g, Grads &out) {
  out[0] = Conv2DBackpropInputOp::create(e.b, e.loc, typeOf(op.getInput()),
                                         op.getGrad(), g, op.getStridesAttr(),
                                         op.getPaddingAttr());
  out[1] = Conv2DOp::create(e.b, e.loc, op.getInput(), g, op.getStridesAttr(),
                            op.getPaddingAttr());
}

// Pooling. Average pooling and its gradient are each other's adjoints.
// max_pool_grad has no rule: a max-pooled model differentiates once.
void rule(MaxPoolOp op, Emit &e, Value g, Grads &out) {
  out[0] =
      MaxPoolGradOp::create(e.b, e.loc, op.getInput(), g, op.getWindowAttr(),
                            op.getStridesAttr(), op.getPaddingAttr());
}
void rule(AvgPoolOp op, Emit &e, Value g, Grads &out) {
  out[0] = AvgPoolGradOp::create(e.b, e.loc, typeOf(op.getInput()), g,
                                 op.getWindowAttr(), op.getStridesAttr(),
                                 op.getPaddingAttr());
}
void rule(AvgPoolGradOp op, Emit &e, Value g, Grads &out) {
  out[0] = AvgPoolOp::create(e.b, e.loc, g, op.getWindowAttr(),
                             op.getStridesAttr(), op.getPaddingAttr());
}

// Shapes and data movement.
void rule(ReshapeOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.reshape(g, typeOf(op.getOperand()));
}
void rule(TransposeOp op, Emit &e, Value g, Grads &out) {
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = int64_t(i);
  out[0] = e.transpose(g, inverse);
}
void rule(BroadcastToOp op, Emit &e, Value g, Grads &out) {
  out[0] = e.unbroadcast(g, typeOf(op.getOperand()));
}
void rule(SliceOp op, Emit &e, Value g, Grads &out) {
  // Scatter g back to the picked positions, axis by axis: reverse an axis
  // walked backwards, spread a strided axis with zeros between elements,
  // then pad to the operand's extent.
  RankedTensorType xt = typeOf(op.getOperand());
  RankedTensorType gt = typeOf(g);
  if (gt.getNumElements() == 0) {
    out[0] = e.full(xt, 0);
    return;
  }
  Value h = g;
  int64_t rank = xt.getRank();
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = gt.getDimSize(d), step = op.getSteps()[d];
    int64_t first = op.getStarts()[d];
    SmallVector<int64_t> shape(typeOf(h).getShape());
    SmallVector<int64_t> zero(rank, 0), one(rank, 1);
    if (step < 0) {
      SmallVector<int64_t> starts = zero, steps = one;
      starts[d] = n - 1;
      steps[d] = -1;
      h = e.slice(h, typeOf(h), starts, steps);
      first += (n - 1) * step;
      step = -step;
    }
    int64_t length = n;
    if (step > 1) {
      // (.., n, ..) -> (.., n, 1, ..) -> pad to (.., n, step, ..) -> (..,
      // n*step, ..)
      SmallVector<int64_t> split(shape);
      split.insert(split.begin() + d + 1, 1);
      h = e.reshape(h, typeOf(h).clone(split));
      SmallVector<int64_t> lo(rank + 1, 0), hi(rank + 1, 0);
      hi[d + 1] = step - 1;
      h = e.pad(h, lo, hi);
      shape[d] = n * step;
      h = e.reshape(h, typeOf(h).clone(shape));
      length = std::min(n * step, xt.getDimSize(d) - first);
      if (length < n * step) {
        shape[d] = length;
        h = e.slice(h, typeOf(h).clone(shape), zero, one);
      }
    }
    low[d] = first;
    high[d] = xt.getDimSize(d) - first - length;
  }
  out[0] = e.pad(h, low, high);
}
void rule(ConcatOp op, Emit &e, Value g, Grads &out) {
  int64_t axis = int64_t(op.getAxis());
  int64_t rank = typeOf(g).getRank(), offset = 0;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    RankedTensorType t = typeOf(input);
    SmallVector<int64_t> starts(rank, 0), steps(rank, 1);
    starts[axis] = offset;
    offset += t.getDimSize(axis);
    out[i] = e.slice(g, t, starts, steps);
  }
}
void rule(PadOp op, Emit &e, Value g, Grads &out) {
  int64_t rank = typeOf(g).getRank();
  out[0] = e.slice(g, typeOf(op.getOperand()), op.getLow(),
                   SmallVector<int64_t>(rank, 1));
}
void rule(GatherOp op, Emit &e, Value g, Grads &out) {
  // With params (P.., N, Q..) and K indices: the cotangent is
  // one_hot(indices)^T (N x K) times g as (P, K, Q), a batched matmul.
  RankedTensorType xt = typeOf(op.getParams());
  Value indices = op.getIndices();
  RankedTensorType it = typeOf(indices);
  int64_t axis = int64_t(op.getAxis());
  int64_t n = xt.getDimSize(axis), k = it.getNumElements(), p = 1, q = 1;
  for (int64_t d = 0; d < axis; ++d)
    p *= xt.getDimSize(d);
  for (int64_t d = axis + 1; d < xt.getRank(); ++d)
    q *= xt.getDimSize(d);
  Value flat = e.reshape(indices, it.clone({k}));
  Value negative = LessOp::create(e.b, e.loc, flat, e.scalar(flat, 0));
  flat = e.where(negative, e.add(flat, e.scalar(flat, double(n))), flat);
  Type element = xt.getElementType();
  Value hot =
      OneHotOp::create(e.b, e.loc, RankedTensorType::get({k, n}, element), flat,
                       e.b.getF64FloatAttr(1), e.b.getF64FloatAttr(0));
  Value gm = e.reshape(g, RankedTensorType::get({p, k, q}, element));
  Value scattered = MatMulOp::create(e.b, e.loc, e.transpose(hot, {1, 0}), gm);
  out[0] = e.reshape(scattered, xt);
}

// Variables: a read passes its cotangent to the variable; an assignment's
// result is its value.
void rule(VariableReadOp, Emit &, Value g, Grads &out) { out[0] = g; }
void rule(AssignOp, Emit &, Value g, Grads &out) { out[1] = g; }

template <class OpTy>
struct VJPModel
    : DifferentiableOpInterface::ExternalModel<VJPModel<OpTy>, OpTy> {
  LogicalResult vjp(Operation *op, OpBuilder &b, Value cotangent,
                    SmallVectorImpl<Value> &operandCotangents) const {
    Emit e{b, op->getLoc()};
    operandCotangents.assign(op->getNumOperands(), Value());
    rule(cast<OpTy>(op), e, cotangent, operandCotangents);
    return success();
  }
};

template <class... Ops> void attach(MLIRContext *ctx) {
  (Ops::template attachInterface<VJPModel<Ops>>(*ctx), ...);
}

} // namespace

void mlir::ej::registerDifferentiableOpInterfaceModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, EjDialect *) {
    attach<NegOp, AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, SquareOp, TanhOp,
           SigmoidOp, ReluOp, SinOp, CosOp, ErfOp, FloorOp, CeilOp, SignOp,
           StopGradientOp, CastOp, CopyOp, AddOp, SubOp, MulOp, DivOp, PowOp,
           MaximumOp, MinimumOp, WhereOp, ReduceSumOp, ReduceMeanOp,
           ReduceMaxOp, ReduceMinOp, ReduceProdOp, MatMulOp, Conv2DOp,
           Conv2DBackpropInputOp, Conv2DBackpropFilterOp, MaxPoolOp, AvgPoolOp,
           AvgPoolGradOp, ReshapeOp, TransposeOp, BroadcastToOp, SliceOp,
           ConcatOp, PadOp, GatherOp, VariableReadOp, AssignOp>(ctx);
  });
}
