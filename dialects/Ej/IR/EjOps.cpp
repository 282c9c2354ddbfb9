//===- EjOps.cpp - Ops of the ej dialect: types, verifiers, folders ------===//
#include "dialects/Ej/IR/EjOps.h"
#include "lib/ShapeRules.h"
#include "runtime/cpu/Math.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <string>

using namespace mlir;
using namespace mlir::ej;

//===----------------------------------------------------------------------===//
// Result types
//===----------------------------------------------------------------------===//

namespace {

// The broadcast shape of `a` and `b` by the API's rule, or failure with a
// diagnostic at `loc` (when given) that shows both types.
LogicalResult broadcastShape(std::optional<Location> loc, StringRef op,
                             RankedTensorType a, RankedTensorType b,
                             SmallVectorImpl<int64_t> &shape) {
  shape.resize(std::max(a.getRank(), b.getRank()));
  if (!::ej::rules::broadcast(a.getShape().data(), a.getShape().size(),
                              b.getShape().data(), b.getShape().size(),
                              shape.data()))
    return emitOptionalError(loc, "'", op, "' operand shapes ", a, " and ", b,
                             " cannot be broadcast together");
  return success();
}

LogicalResult inferBroadcast(std::optional<Location> loc, StringRef op,
                             ValueRange operands,
                             SmallVectorImpl<Type> &inferred, bool boolResult) {
  if (operands.size() != 2)
    return failure();
  auto a = dyn_cast<RankedTensorType>(operands[0].getType());
  auto b = dyn_cast<RankedTensorType>(operands[1].getType());
  if (!a || !b)
    return emitOptionalError(loc, "'", op, "' expects ranked tensor operands");
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "'", op, "' operand element types differ: ",
                             a.getElementType(), " and ", b.getElementType());
  SmallVector<int64_t> shape;
  if (failed(broadcastShape(loc, op, a, b, shape)))
    return failure();
  Type elt =
      boolResult ? IntegerType::get(a.getContext(), 1) : a.getElementType();
  inferred.push_back(RankedTensorType::get(shape, elt));
  return success();
}

LogicalResult inferWhere(std::optional<Location> loc, ValueRange operands,
                         SmallVectorImpl<Type> &inferred) {
  if (operands.size() != 3)
    return failure();
  auto c = dyn_cast<RankedTensorType>(operands[0].getType());
  auto a = dyn_cast<RankedTensorType>(operands[1].getType());
  auto b = dyn_cast<RankedTensorType>(operands[2].getType());
  if (!c || !a || !b)
    return emitOptionalError(loc, "'ej.where' expects ranked tensor operands");
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "'ej.where' operand element types differ: ",
                             a.getElementType(), " and ", b.getElementType());
  SmallVector<int64_t> ab, shape;
  if (failed(broadcastShape(loc, "ej.where", a, b, ab)) ||
      failed(broadcastShape(loc, "ej.where", c,
                            RankedTensorType::get(ab, a.getElementType()),
                            shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

std::string axesStr(ArrayRef<int64_t> axes) {
  std::string s = "[";
  for (size_t i = 0; i < axes.size(); ++i)
    s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + "]";
}

LogicalResult inferReduce(std::optional<Location> loc, StringRef op, Type type,
                          ArrayRef<int64_t> axes, bool keepdims,
                          SmallVectorImpl<Type> &inferred) {
  auto t = cast<RankedTensorType>(type);
  SmallVector<char> reduced(size_t(t.getRank()) + 1);
  auto *flags = reinterpret_cast<bool *>(reduced.data());
  ::ej::rules::AxesCheck check =
      ::ej::rules::reduced_axes(axes.data(), axes.size(), t.getRank(), flags);
  if (check.kind != ::ej::rules::AxesCheck::Ok)
    return emitOptionalError(loc, "'", op, "' axis ", check.axis,
                             check.kind == ::ej::rules::AxesCheck::Duplicate
                                 ? " is given twice"
                                 : " is out of range for rank " +
                                       std::to_string(t.getRank()));
  for (int64_t a : axes)
    if (a < 0)
      return emitOptionalError(loc, "'", op, "' axes ", axesStr(axes),
                               " must be non-negative");
  SmallVector<int64_t> shape(size_t(t.getRank()));
  shape.resize(::ej::rules::reduce_shape(t.getShape().data(), t.getRank(),
                                         flags, keepdims, shape.data()));
  inferred.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}

LogicalResult inferArgReduce(std::optional<Location> loc, StringRef op,
                             Type type, int64_t axis,
                             SmallVectorImpl<Type> &inferred) {
  auto t = cast<RankedTensorType>(type);
  if (axis < 0 || axis >= t.getRank())
    return emitOptionalError(loc, "'", op, "' axis ", axis,
                             " is out of range for rank ", t.getRank());
  if (t.getDimSize(axis) == 0)
    return emitOptionalError(loc, "'", op, "' axis ", axis, " of ", t,
                             " is empty");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d)
    if (d != axis)
      shape.push_back(t.getDimSize(d));
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(t.getContext(), 64)));
  return success();
}

LogicalResult inferMatMul(std::optional<Location> loc, Type lhs, Type rhs,
                          SmallVectorImpl<Type> &inferred) {
  auto a = cast<RankedTensorType>(lhs), b = cast<RankedTensorType>(rhs);
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "'ej.matmul' operand element types differ: ",
                             a.getElementType(), " and ", b.getElementType());
  SmallVector<int64_t> shape(size_t(std::max(a.getRank(), b.getRank())));
  size_t rank = 0;
  switch (::ej::rules::matmul_shape(a.getShape().data(), a.getShape().size(),
                                    b.getShape().data(), b.getShape().size(),
                                    shape.data(), rank)) {
  case ::ej::rules::MatMulCheck::Rank:
    return emitOptionalError(
        loc, "'ej.matmul' expects operands of rank >= 2, got ", a, " and ", b);
  case ::ej::rules::MatMulCheck::Inner:
    return emitOptionalError(loc, "'ej.matmul' inner dimensions differ: ", a,
                             " x ", b);
  case ::ej::rules::MatMulCheck::Batch:
    return emitOptionalError(loc, "'ej.matmul' batch dimensions of ", a,
                             " and ", b, " cannot be broadcast together");
  case ::ej::rules::MatMulCheck::Ok:
    break;
  }
  shape.resize(rank);
  inferred.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

LogicalResult inferTranspose(std::optional<Location> loc, Type type,
                             ArrayRef<int64_t> perm,
                             SmallVectorImpl<Type> &inferred) {
  auto t = cast<RankedTensorType>(type);
  SmallVector<int64_t> p(perm.size());
  if (!::ej::rules::permutation(perm.data(), perm.size(), t.getRank(),
                                p.data()) ||
      p != SmallVector<int64_t>(perm))
    return emitOptionalError(loc, "'ej.transpose' perm ", axesStr(perm),
                             " is not a permutation of [0, ", t.getRank(), ")");
  SmallVector<int64_t> shape;
  for (int64_t d : perm)
    shape.push_back(t.getDimSize(d));
  inferred.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}

LogicalResult inferConcat(std::optional<Location> loc, TypeRange types,
                          int64_t axis, SmallVectorImpl<Type> &inferred) {
  if (types.empty())
    return emitOptionalError(loc, "'ej.concat' expects at least one operand");
  auto first = cast<RankedTensorType>(types.front());
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "'ej.concat' axis ", axis,
                             " is out of range for rank ", first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  shape[size_t(axis)] = 0;
  for (auto [i, type] : llvm::enumerate(types)) {
    auto t = cast<RankedTensorType>(type);
    if (t.getElementType() != first.getElementType())
      return emitOptionalError(loc, "'ej.concat' operand ", i,
                               " has element type ", t.getElementType(),
                               " but operand 0 has ", first.getElementType());
    if (!::ej::rules::concat_compatible(
            first.getShape().data(), size_t(first.getRank()),
            t.getShape().data(), size_t(t.getRank()), axis))
      return emitOptionalError(loc, "'ej.concat' operand ", i, " of type ", t,
                               " differs from operand 0 (", first,
                               ") on an axis other than ", axis);
    shape[size_t(axis)] += t.getDimSize(axis);
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult inferGather(std::optional<Location> loc, Type params,
                          Type indices, int64_t axis,
                          SmallVectorImpl<Type> &inferred) {
  auto p = cast<RankedTensorType>(params), i = cast<RankedTensorType>(indices);
  if (axis < 0 || axis >= p.getRank())
    return emitOptionalError(loc, "'ej.gather' axis ", axis,
                             " is out of range for rank ", p.getRank());
  SmallVector<int64_t> shape(size_t(p.getRank() + i.getRank()));
  shape.resize(::ej::rules::gather_shape(
      p.getShape().data(), size_t(p.getRank()), i.getShape().data(),
      size_t(i.getRank()), axis, shape.data()));
  inferred.push_back(RankedTensorType::get(shape, p.getElementType()));
  return success();
}

LogicalResult inferPad(std::optional<Location> loc, Type type,
                       ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                       SmallVectorImpl<Type> &inferred) {
  auto t = cast<RankedTensorType>(type);
  if (int64_t(low.size()) != t.getRank() || int64_t(high.size()) != t.getRank())
    return emitOptionalError(loc, "'ej.pad' expects ", t.getRank(),
                             " low and high paddings, got ", low.size(),
                             " and ", high.size());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    if (low[size_t(d)] < 0 || high[size_t(d)] < 0)
      return emitOptionalError(loc, "'ej.pad' paddings must be >= 0");
    shape.push_back(t.getDimSize(d) + low[size_t(d)] + high[size_t(d)]);
  }
  inferred.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}

// The result type an op states must be the one its operands imply.
template <class Op> LogicalResult verifyInferred(Op op) {
  SmallVector<Type> inferred;
  if (failed(Op::inferReturnTypes(op.getContext(), op.getLoc(),
                                  op->getOperands(), op->getAttrDictionary(),
                                  op->getPropertiesStorage(), op->getRegions(),
                                  inferred)))
    return failure();
  if (inferred.front() != op.getType())
    return op.emitOpError("result type ")
           << op.getType() << " differs from the inferred type "
           << inferred.front();
  return success();
}

// `x op c` folds to x when c is a splat of `identity` and the result has
// x's type (so no broadcast happened).
OpFoldResult foldIdentity(Value lhs, Attribute rhs, Type result,
                          double identity) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(rhs);
  if (!splat || lhs.getType() != result)
    return {};
  Type elt = splat.getElementType();
  if (isa<FloatType>(elt))
    return splat.getSplatValue<APFloat>().convertToDouble() == identity
               ? OpFoldResult(lhs)
               : OpFoldResult();
  return splat.getSplatValue<APInt>().getSExtValue() == int64_t(identity)
             ? OpFoldResult(lhs)
             : OpFoldResult();
}

} // namespace

//===----------------------------------------------------------------------===//
// Folders
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// Constant folding of the elementwise ops, with the interpreter's functors
// (runtime/cpu/Math.h), so a folded value is the value the kernel computes.
// Only results of up to kMaxFoldedElements elements fold.
namespace {

constexpr int64_t kMaxFoldedElements = 1024;

template <class T> SmallVector<T> valuesOf(DenseElementsAttr a) {
  SmallVector<T> out;
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, bool>) {
    for (T v : a.getValues<T>())
      out.push_back(v);
  } else {
    for (const APInt &v : a.getValues<APInt>())
      out.push_back(T(v.getSExtValue()));
  }
  return out;
}

// The flat index into an operand of `shape` broadcast to `out`.
int64_t broadcastIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> out,
                       int64_t flat) {
  int64_t index = 0, stride = 1;
  for (int64_t d = int64_t(out.size()) - 1; d >= 0; --d) {
    int64_t i = flat % out[size_t(d)];
    flat /= out[size_t(d)];
    int64_t sd = d - int64_t(out.size() - shape.size());
    if (sd >= 0) {
      if (shape[size_t(sd)] != 1)
        index += i * stride;
      stride *= shape[size_t(sd)];
    }
  }
  return index;
}

// Calls f(T{}) with T the C++ type of element type `t`, for the types in
// `Types` (a mask of runtime::math::k*); returns {} for the others.
template <unsigned Types, class F> OpFoldResult withType(Type t, F &&f) {
  namespace m = ::ej::runtime::math;
  if constexpr ((Types & m::kFloat32) != 0)
    if (t.isF32())
      return f(float{});
  if constexpr ((Types & m::kFloat64) != 0)
    if (t.isF64())
      return f(double{});
  if constexpr ((Types & m::kInt32) != 0)
    if (t.isInteger(32))
      return f(int32_t{});
  if constexpr ((Types & m::kInt64) != 0)
    if (t.isInteger(64))
      return f(int64_t{});
  if constexpr ((Types & m::kBool) != 0)
    if (t.isInteger(1))
      return f(bool{});
  return {};
}

template <class F>
OpFoldResult foldUnary(RankedTensorType type, Attribute operand) {
  auto a = dyn_cast_if_present<DenseElementsAttr>(operand);
  if (!a || type.getNumElements() > kMaxFoldedElements)
    return {};
  return withType<F::kTypes>(
      type.getElementType(), [&](auto tag) -> OpFoldResult {
        using T = decltype(tag);
        SmallVector<T> x = valuesOf<T>(a), out;
        for (T v : x)
          out.push_back(F::f(v));
        return DenseElementsAttr::get(type, ArrayRef<T>(out));
      });
}

template <class F>
OpFoldResult foldBinary(RankedTensorType type, Value lhs, Attribute l,
                        Attribute r) {
  auto a = dyn_cast_if_present<DenseElementsAttr>(l);
  auto b = dyn_cast_if_present<DenseElementsAttr>(r);
  if (!a || !b || type.getNumElements() > kMaxFoldedElements)
    return {};
  Type elt = cast<RankedTensorType>(lhs.getType()).getElementType();
  return withType<F::kTypes>(elt, [&](auto tag) -> OpFoldResult {
    using T = decltype(tag);
    using R = decltype(F::f(T{}, T{}));
    SmallVector<T> x = valuesOf<T>(a), y = valuesOf<T>(b);
    SmallVector<R> out;
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      out.push_back(F::f(
          x[size_t(broadcastIndex(a.getType().getShape(), type.getShape(), i))],
          y[size_t(
              broadcastIndex(b.getType().getShape(), type.getShape(), i))]));
    return DenseElementsAttr::get(type, ArrayRef<R>(out));
  });
}

// The value `x op c` leaves x alone for, if the op has one.
template <class Op> std::optional<double> identityOf() { return {}; }
template <> std::optional<double> identityOf<AddOp>() { return 0.0; }
template <> std::optional<double> identityOf<MulOp>() { return 1.0; }

template <class Op, class F>
OpFoldResult foldBinaryOp(Op op, Attribute l, Attribute r) {
  if (OpFoldResult folded = foldBinary<F>(op.getType(), op.getLhs(), l, r))
    return folded;
  if (std::optional<double> identity = identityOf<Op>())
    return foldIdentity(op.getLhs(), r, op.getType(), *identity);
  return {};
}

} // namespace

#define EJ_UNARY(Name, name)                                                   \
  OpFoldResult Name##Op::fold(FoldAdaptor adaptor) {                           \
    return foldUnary<::ej::runtime::math::Name>(getType(),                     \
                                                adaptor.getOperand());         \
  }
#define EJ_BINARY(Name, name)                                                  \
  OpFoldResult Name##Op::fold(FoldAdaptor adaptor) {                           \
    return foldBinaryOp<Name##Op, ::ej::runtime::math::Name>(                  \
        *this, adaptor.getLhs(), adaptor.getRhs());                            \
  }
#define EJ_COMPARE(Name, name) EJ_BINARY(Name, name)
#include "lib/Ops.def"

OpFoldResult CastOp::fold(FoldAdaptor) {
  return getOperand().getType() == getType() ? getOperand() : Value();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, d] : llvm::enumerate(getPerm()))
    if (int64_t(i) != d)
      return {};
  return getOperand();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  return getOperand().getType() == getType() ? getOperand() : Value();
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  // A small constant broadcasts into a constant.
  auto a = dyn_cast_if_present<DenseElementsAttr>(adaptor.getOperand());
  if (!a || getType().getNumElements() > kMaxFoldedElements)
    return {};
  SmallVector<Attribute> values(a.getValues<Attribute>());
  SmallVector<Attribute> out;
  for (int64_t i = 0; i < getType().getNumElements(); ++i)
    out.push_back(values[size_t(
        broadcastIndex(a.getType().getShape(), getType().getShape(), i))]);
  return DenseElementsAttr::get(getType(), out);
}

//===----------------------------------------------------------------------===//
// Verifiers of the ops whose result type is given
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getOperand().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("changes the element type from ")
           << in.getElementType() << " to " << out.getElementType();
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << in << " (" << in.getNumElements() << " elements) into " << out
           << " (" << out.getNumElements() << " elements)";
  return success();
}

LogicalResult BroadcastToOp::verify() {
  auto in = getOperand().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("changes the element type from ")
           << in.getElementType() << " to " << out.getElementType();
  SmallVector<int64_t> shape(size_t(std::max(in.getRank(), out.getRank())));
  if (in.getRank() > out.getRank() ||
      !::ej::rules::broadcast(in.getShape().data(), in.getShape().size(),
                              out.getShape().data(), out.getShape().size(),
                              shape.data()) ||
      ArrayRef<int64_t>(shape) != out.getShape())
    return emitOpError("cannot broadcast ") << in << " to " << out;
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = getOperand().getType(), out = getType();
  int64_t rank = in.getRank();
  if (out.getRank() != rank || out.getElementType() != in.getElementType())
    return emitOpError("result type ")
           << out << " must have the operand's rank and element type";
  if (int64_t(getStarts().size()) != rank || int64_t(getSteps().size()) != rank)
    return emitOpError("expects ") << rank << " starts and steps";
  for (int64_t d = 0; d < rank; ++d) {
    int64_t start = getStarts()[size_t(d)], step = getSteps()[size_t(d)];
    int64_t count = out.getDimSize(d), n = in.getDimSize(d);
    if (step == 0)
      return emitOpError("step of axis ") << d << " is zero";
    if (count == 0)
      continue;
    int64_t last = start + (count - 1) * step;
    if (start < 0 || start >= n || last < 0 || last >= n)
      return emitOpError("axis ") << d << " picks indices " << start << " to "
                                  << last << " of an axis of size " << n;
  }
  return success();
}

LogicalResult OneHotOp::verify() {
  auto in = getIndices().getType(), out = getType();
  if (out.getRank() != in.getRank() + 1 ||
      out.getShape().drop_back() != in.getShape())
    return emitOpError("result type ")
           << out << " must be the indices' shape " << in
           << " with one more axis (the depth)";
  return success();
}

OpFoldResult CopyOp::fold(FoldAdaptor) { return getOperand(); }

OpFoldResult FillOp::fold(FoldAdaptor) {
  Type elt = getType().getElementType();
  double v = getValue().convertToDouble();
  if (auto f = dyn_cast<FloatType>(elt))
    return SplatElementsAttr::get(getType(), FloatAttr::get(f, v));
  if (elt.isInteger(1))
    return SplatElementsAttr::get(getType(),
                                  BoolAttr::get(getContext(), v != 0));
  return SplatElementsAttr::get(getType(), IntegerAttr::get(elt, int64_t(v)));
}

LogicalResult ArangeOp::verify() {
  if (getType().getRank() != 1)
    return emitOpError("result must be 1-d, got ") << getType();
  return success();
}

LogicalResult LinspaceOp::verify() {
  if (getType().getRank() != 1)
    return emitOpError("result must be 1-d, got ") << getType();
  return success();
}

LogicalResult EyeOp::verify() {
  if (getType().getRank() != 2)
    return emitOpError("result must be 2-d, got ") << getType();
  return success();
}

LogicalResult RandomUniformOp::verify() {
  if (!(getMinval().convertToDouble() < getMaxval().convertToDouble()))
    return emitOpError("minval must be < maxval");
  return success();
}

LogicalResult RandomNormalOp::verify() {
  if (!(getStddev().convertToDouble() >= 0))
    return emitOpError("stddev must be >= 0");
  return success();
}

LogicalResult FusionOp::verify() {
  Block &body = getBody().front();
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError("block arguments must have the inputs' types");
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().size() << " values of types "
           << yield.getValues().getTypes() << " for results of types "
           << getResultTypes();
  return success();
}

//===----------------------------------------------------------------------===//
// Canonicalization
//===----------------------------------------------------------------------===//

namespace {

// transpose(transpose(x, p), q) -> transpose(x, p o q).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getOperand().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> perm;
    for (int64_t d : op.getPerm())
      perm.push_back(inner.getPerm()[size_t(d)]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, inner.getOperand(), perm);
    return success();
  }
};

// op(op(x)) -> op(x) for ops whose result depends only on the final type.
template <class Op> struct CollapseChain : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getOperand().template getDefiningOp<Op>();
    if (!inner)
      return failure();
    rewriter.replaceOpWithNewOp<Op>(op, op.getType(), inner.getOperand());
    return success();
  }
};

} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *ctx) {
  patterns.add<ComposeTransposes>(ctx);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *ctx) {
  patterns.add<CollapseChain<ReshapeOp>>(ctx);
}

void BroadcastToOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *ctx) {
  patterns.add<CollapseChain<BroadcastToOp>>(ctx);
}

#define GET_OP_CLASSES
#include "dialects/Ej/IR/EjOps.cpp.inc"
