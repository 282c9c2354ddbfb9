//===- EjOps.cpp - Ops of the ej dialect: types, verifiers, folders ------===//
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ej;

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Binary elementwise ops
//===----------------------------------------------------------------------===//

namespace {

// The broadcast result type of two operands, or failure with a diagnostic
// at `loc` (when given) that shows both types.
LogicalResult inferBroadcast(std::optional<Location> loc, StringRef op,
                             Type lhs, Type rhs,
                             SmallVectorImpl<Type> &results) {
  auto a = dyn_cast<RankedTensorType>(lhs);
  auto b = dyn_cast<RankedTensorType>(rhs);
  if (!a || !b)
    return emitOptionalError(loc, "'ej.", op,
                             "' expects ranked tensor operands");
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "'ej.", op, "' operand element types differ: ",
                             a.getElementType(), " and ", b.getElementType());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(a.getShape(), b.getShape(), shape))
    return emitOptionalError(loc, "'ej.", op, "' operand shapes ", a, " and ",
                             b, " cannot be broadcast together");
  results.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

// Checks the result type against the inferred one.
LogicalResult verifyBinary(Operation *op) {
  SmallVector<Type> inferred;
  StringRef name = op->getName().stripDialect();
  if (failed(inferBroadcast(op->getLoc(), name, op->getOperand(0).getType(),
                            op->getOperand(1).getType(), inferred)))
    return failure();
  if (inferred.front() != op->getResult(0).getType())
    return op->emitOpError("result type ")
           << op->getResult(0).getType() << " differs from the inferred type "
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
  if (elt.isInteger(1))
    return {};
  return splat.getSplatValue<APInt>().getSExtValue() == int64_t(identity)
             ? OpFoldResult(lhs)
             : OpFoldResult();
}

} // namespace

#define EJ_BINARY_OP_METHODS(Op)                                               \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, ValueRange operands,         \
      DictionaryAttr, OpaqueProperties, RegionRange,                           \
      SmallVectorImpl<Type> &inferred) {                                       \
    if (operands.size() != 2)                                                  \
      return failure();                                                        \
    return inferBroadcast(loc, getOperationName().drop_front(3),               \
                          operands[0].getType(), operands[1].getType(),        \
                          inferred);                                           \
  }                                                                            \
  LogicalResult Op::verify() { return verifyBinary(*this); }

EJ_BINARY_OP_METHODS(AddOp)
EJ_BINARY_OP_METHODS(MulOp)

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldIdentity(getLhs(), adaptor.getRhs(), getType(), 0.0);
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldIdentity(getLhs(), adaptor.getRhs(), getType(), 1.0);
}

#define GET_OP_CLASSES
#include "dialects/Ej/IR/EjOps.cpp.inc"
