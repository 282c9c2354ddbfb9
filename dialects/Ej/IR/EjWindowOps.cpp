//===- EjWindowOps.cpp - Result types and verifiers of conv and pooling ---===//
//
// The shapes come from lib/ShapeRules.h, the rules the API checks with, so
// that the dialect accepts exactly the convolutions the API records.
//
//===----------------------------------------------------------------------===//
#include "dialects/Ej/IR/EjOps.h"
#include "lib/ShapeRules.h"

using namespace mlir;
using namespace mlir::ej;

namespace {

using ::ej::rules::Window2D;
using ::ej::rules::WindowCheck;

// The window of an op's attributes, or failure with a diagnostic.
LogicalResult windowOf(std::optional<Location> loc, StringRef op,
                       ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> padding, Window2D &w) {
  if ((!window.empty() && window.size() != 2) || strides.size() != 2 ||
      padding.size() != 4)
    return emitOptionalError(
        loc, "'", op, "' expects ", window.empty() ? "" : "2 window extents, ",
        "2 strides and 4 paddings (top, bottom, left, "
        "right), got ",
        window.empty() ? ""
                       : std::to_string(window.size()) + " window extents, ",
        strides.size(), " strides and ", padding.size(), " paddings");
  if (!window.empty()) {
    w.kh = window[0];
    w.kw = window[1];
  }
  w.sh = strides[0];
  w.sw = strides[1];
  w.pt = padding[0];
  w.pb = padding[1];
  w.pl = padding[2];
  w.pr = padding[3];
  return success();
}

LogicalResult explain(std::optional<Location> loc, StringRef op,
                      WindowCheck check, RankedTensorType x, Type other) {
  switch (check) {
  case WindowCheck::Ok:
    return success();
  case WindowCheck::Rank:
    return emitOptionalError(loc, "'", op, "' expects 4-d operands, got ", x,
                             " and ", other);
  case WindowCheck::Channels:
    return emitOptionalError(loc, "'", op, "' input channels differ: ", x,
                             " and filter ", other);
  case WindowCheck::Strides:
    return emitOptionalError(loc, "'", op, "' strides must be >= 1");
  case WindowCheck::Padding:
    return emitOptionalError(loc, "'", op,
                             "' paddings must be >= 0 (and, for pooling, "
                             "smaller than the window)");
  case WindowCheck::Window:
    return emitOptionalError(loc, "'", op, "' window does not fit in ", x,
                             " with this padding");
  }
  return failure();
}

LogicalResult sameElements(std::optional<Location> loc, StringRef op,
                           RankedTensorType a, RankedTensorType b) {
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "'", op, "' operand element types differ: ",
                             a.getElementType(), " and ", b.getElementType());
  return success();
}

// The conv2d result type of `x` and filter `f`.
FailureOr<RankedTensorType> convType(std::optional<Location> loc, StringRef op,
                                     RankedTensorType x, RankedTensorType f,
                                     ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> padding) {
  Window2D w;
  if (failed(windowOf(loc, op, {}, strides, padding, w)) ||
      failed(sameElements(loc, op, x, f)))
    return failure();
  int64_t shape[4];
  if (failed(explain(loc, op,
                     ::ej::rules::conv2d_shape(
                         x.getShape().data(), size_t(x.getRank()),
                         f.getShape().data(), size_t(f.getRank()), w, shape),
                     x, f)))
    return failure();
  return RankedTensorType::get(shape, x.getElementType());
}

FailureOr<RankedTensorType> poolType(std::optional<Location> loc, StringRef op,
                                     RankedTensorType x,
                                     ArrayRef<int64_t> window,
                                     ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> padding) {
  Window2D w;
  if (window.empty())
    return emitOptionalError(loc, "'", op, "' expects 2 window extents"),
           failure();
  if (failed(windowOf(loc, op, window, strides, padding, w)))
    return failure();
  int64_t shape[4];
  if (failed(explain(loc, op,
                     ::ej::rules::pool2d_shape(x.getShape().data(),
                                               size_t(x.getRank()), w, shape),
                     x, x)))
    return failure();
  return RankedTensorType::get(shape, x.getElementType());
}

// `grad` must have the type the forward op gives.
LogicalResult matchesForward(Operation *op, FailureOr<RankedTensorType> forward,
                             RankedTensorType grad) {
  if (failed(forward))
    return failure();
  if (*forward != grad)
    return op->emitOpError("grad type ")
           << grad << " differs from the forward result type " << *forward;
  return success();
}

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

} // namespace

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> t =
      convType(loc, getOperationName(),
               cast<RankedTensorType>(adaptor.getInput().getType()),
               cast<RankedTensorType>(adaptor.getFilter().getType()),
               adaptor.getStrides(), adaptor.getPadding());
  if (failed(t))
    return failure();
  inferred.push_back(*t);
  return success();
}

LogicalResult Conv2DOp::verify() {
  FailureOr<RankedTensorType> t =
      convType(getLoc(), getOperationName(), typeOf(getInput()),
               typeOf(getFilter()), getStrides(), getPadding());
  if (failed(t))
    return failure();
  if (*t != getType())
    return emitOpError("result type ")
           << getType() << " differs from the inferred type " << *t;
  return success();
}

LogicalResult Conv2DBackpropInputOp::verify() {
  return matchesForward(*this,
                        convType(getLoc(), getOperationName(), getType(),
                                 typeOf(getFilter()), getStrides(),
                                 getPadding()),
                        typeOf(getGrad()));
}

LogicalResult Conv2DBackpropFilterOp::verify() {
  return matchesForward(*this,
                        convType(getLoc(), getOperationName(),
                                 typeOf(getInput()), getType(), getStrides(),
                                 getPadding()),
                        typeOf(getGrad()));
}

#define EJ_POOL_INFER(Op)                                                      \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    FailureOr<RankedTensorType> t = poolType(                                  \
        loc, getOperationName(),                                               \
        cast<RankedTensorType>(adaptor.getInput().getType()),                  \
        adaptor.getWindow(), adaptor.getStrides(), adaptor.getPadding());      \
    if (failed(t))                                                             \
      return failure();                                                        \
    inferred.push_back(*t);                                                    \
    return success();                                                          \
  }                                                                            \
  LogicalResult Op::verify() {                                                 \
    FailureOr<RankedTensorType> t =                                            \
        poolType(getLoc(), getOperationName(), typeOf(getInput()),             \
                 getWindow(), getStrides(), getPadding());                     \
    if (failed(t))                                                             \
      return failure();                                                        \
    if (*t != getType())                                                       \
      return emitOpError("result type ")                                       \
             << getType() << " differs from the inferred type " << *t;         \
    return success();                                                          \
  }
EJ_POOL_INFER(MaxPoolOp)
EJ_POOL_INFER(AvgPoolOp)
#undef EJ_POOL_INFER

LogicalResult MaxPoolGradOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult MaxPoolGradOp::verify() {
  if (failed(sameElements(getLoc(), getOperationName(), typeOf(getInput()),
                          typeOf(getGrad()))))
    return failure();
  return matchesForward(*this,
                        poolType(getLoc(), getOperationName(),
                                 typeOf(getInput()), getWindow(), getStrides(),
                                 getPadding()),
                        typeOf(getGrad()));
}

LogicalResult AvgPoolGradOp::verify() {
  return matchesForward(*this,
                        poolType(getLoc(), getOperationName(), getType(),
                                 getWindow(), getStrides(), getPadding()),
                        typeOf(getGrad()));
}
