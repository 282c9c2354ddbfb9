//===- Autodiff.cpp - Reverse-mode differentiation of ej functions --------===//
//
// One backward sweep over the target's block: the ops that both depend on
// a source and feed the target are asked for their VJP, last first, and the
// cotangents of a value with several uses are summed.
//
//===----------------------------------------------------------------------===//
#include "autodiff/Autodiff.h"
#include "autodiff/DifferentiableOpInterface.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/IR/Block.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::ej;

namespace {

// The tensor type a value carries (a variable's value type for variables),
// or null.
RankedTensorType valueType(Value v) {
  Type t = v.getType();
  if (auto var = dyn_cast<VariableType>(t))
    return var.getValueType();
  return dyn_cast<RankedTensorType>(t);
}

bool isFloat(Value v) {
  RankedTensorType t = valueType(v);
  return t && isa<FloatType>(t.getElementType());
}

Value full(OpBuilder &b, Location loc, RankedTensorType type, double value) {
  return FillOp::create(b, loc, type, b.getF64FloatAttr(value));
}

std::string typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

} // namespace

FailureOr<SmallVector<Value>>
mlir::ej::buildGradients(OpBuilder &b, Location loc, Value target,
                         ArrayRef<Value> sources) {
  if (!isFloat(target))
    return emitError(loc) << "the target has type "
                          << typeName(target.getType())
                          << "; only f32 and f64 tensors are differentiable",
           failure();
  for (auto [i, s] : llvm::enumerate(sources))
    if (!isFloat(s))
      return emitError(loc)
                 << "source " << i << " has type " << typeName(s.getType())
                 << "; only f32 and f64 tensors (or variables of "
                    "them) are differentiable",
             failure();
  Block *block = target.getParentBlock();
  // The op before the first one this function builds.
  Block *into = b.getInsertionBlock();
  Operation *before = b.getInsertionPoint() == into->begin()
                          ? nullptr
                          : &*std::prev(b.getInsertionPoint());

  // Values that depend on a source through float values.
  llvm::DenseSet<Value> varied(sources.begin(), sources.end());
  for (Operation &op : *block) {
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return varied.contains(v); }))
      for (Value r : op.getResults())
        if (isFloat(r))
          varied.insert(r);
  }

  llvm::DenseMap<Value, Value> cotangents;
  auto accumulate = [&](Value v, Value c) {
    Value &slot = cotangents[v];
    slot = slot ? AddOp::create(b, c.getLoc(), slot, c).getResult() : c;
  };
  if (varied.contains(target))
    cotangents[target] = full(b, loc, valueType(target), 1.0);

  // Ops after the target cannot feed it: the sweep starts at its op.
  Operation *last = target.getDefiningOp();
  for (Operation *op = last; op; op = op->getPrevNode()) {
    if (op->getNumResults() != 1)
      continue;
    Value result = op->getResult(0);
    auto found = cotangents.find(result);
    if (found == cotangents.end())
      continue;
    if (op->getNumRegions() != 0)
      return op->emitOpError("cannot be differentiated: it holds regions "
                             "(differentiate before fusion)"),
             failure();
    auto diff = dyn_cast<DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitOpError("has no gradient rule, but a source reaches the "
                             "target through it"),
             failure();
    SmallVector<Value> operandCotangents(op->getNumOperands());
    if (failed(diff.vjp(b, found->second, operandCotangents)))
      return failure();
    for (auto [operand, c] :
         llvm::zip_equal(op->getOperands(), operandCotangents))
      if (c && varied.contains(operand))
        accumulate(operand, c);
  }

  SmallVector<Value> gradients;
  for (Value s : sources) {
    Value c = cotangents.lookup(s);
    gradients.push_back(c ? c : full(b, loc, valueType(s), 0.0));
  }
  // Rules may build cotangents that nothing uses (the operand of a sum whose
  // other side sends nothing); drop them, last first.
  Operation *op = b.getInsertionPoint() == into->begin()
                      ? nullptr
                      : &*std::prev(b.getInsertionPoint());
  auto isGradient = [&](Operation *o) {
    return llvm::any_of(gradients,
                        [&](Value g) { return g.getDefiningOp() == o; });
  };
  while (op && op != before) {
    Operation *previous = op->getPrevNode();
    if (!isGradient(op) && isOpTriviallyDead(op))
      op->erase();
    op = previous;
  }
  return gradients;
}
