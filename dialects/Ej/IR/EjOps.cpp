//===- EjOps.cpp - Ops of the ej dialect: types, verifiers, folders ------===//
#include "dialects/Ej/IR/EjOps.h"
#include "lib/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

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
  Type elt = boolResult ? IntegerType::get(a.getContext(), 1) : a.getElementType();
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

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0.0);
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldIdentity(getLhs(), adaptor.getRhs(), getType(), 1.0);
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  return getOperand().getType() == getType() ? getOperand() : Value();
}

#define GET_OP_CLASSES
#include "dialects/Ej/IR/EjOps.cpp.inc"
