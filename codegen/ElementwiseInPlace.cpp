//===- ElementwiseInPlace.cpp - ej-elementwise-in-place -------------------===//
//
// An elementwise linalg.generic that does not read its output writes it
// over an input of the same type that nothing reads after it, so that
// bufferization gives both one buffer (Passes.td has the example).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#define DEBUG_TYPE "ej-elementwise-in-place"

namespace mlir::ej {
#define GEN_PASS_DEF_EJELEMENTWISEINPLACE
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;

namespace {

// Whether an op after `op` reads `v`, directly or through views of it
// (which bufferization makes aliases of its buffer).
bool readAfter(Value v, linalg::GenericOp op) {
  SmallVector<Value> values{v};
  while (!values.empty()) {
    Value value = values.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      if (Value view = mlir::ej::viewBy(use)) {
        values.push_back(view);
        continue;
      }
      Operation *user = use.getOwner();
      // `v` is defined in `op`'s block, so every user is in it or nested
      // in an op of it.
      Operation *inBlock = op->getBlock()->findAncestorOpInBlock(*user);
      if (inBlock != op && op->isBeforeInBlock(inBlock))
        return true;
    }
  }
  return false;
}

// The input of `op` it can write its result over: read elementwise, of the
// result's type, computed by an op of the same block (a temporary of the
// kernel), and read by no op after `op`. Null when there is none.
Value deadInput(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops())
    return nullptr;
  OpOperand *init = op.getDpsInitOperand(0);
  if (!op.getMatchingIndexingMap(init).isIdentity() ||
      op.payloadUsesValueFromOperand(init))
    return nullptr;
  for (OpOperand *input : op.getDpsInputOperands()) {
    Value v = input->get();
    Operation *producer = v.getDefiningOp();
    // (An input that is already the output needs nothing.)
    if (v.getType() != init->get().getType() || v == init->get() ||
        !op.getMatchingIndexingMap(input).isIdentity() || !producer ||
        !isa<DestinationStyleOpInterface>(producer) ||
        producer->getBlock() != op->getBlock())
      continue;
    if (!readAfter(v, op))
      return v;
  }
  return nullptr;
}

struct EjElementwiseInPlacePass
    : mlir::ej::impl::EjElementwiseInPlaceBase<EjElementwiseInPlacePass> {
  void runOnOperation() override {
    getOperation().walk([&](linalg::GenericOp op) {
      if (Value input = deadInput(op)) {
        op.getDpsInitOperand(0)->set(input);
        ++numInPlace;
      }
    });
  }
};

} // namespace
