//===- SeparateDestinations.cpp - ej-separate-destinations ----------------===//
//
// A use of an empty tensor through which more than one written result is
// built (through destination operands and views) takes a
// bufferization.alloc_tensor instead, so that eliminate-empty-tensors does
// not make it one result's output buffer while another result still reads
// it (Passes.td has the example).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#define DEBUG_TYPE "ej-separate-destinations"

namespace mlir::ej {
#define GEN_PASS_DEF_EJSEPARATEDESTINATIONS
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;

namespace {

// The value that `use` builds in place on its operand: the tied result of
// a destination operand, or the result of a view; null for other uses.
Value builtBy(OpOperand &use) {
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner()))
    if (dps.isDpsInit(&use))
      return dps.getTiedOpResult(&use);
  return mlir::ej::viewBy(use);
}

// How many materialize_in_destination ops write a value that `use` of an
// empty tensor builds on it, through destination operands and views.
size_t writersThrough(OpOperand &use) {
  llvm::SmallPtrSet<Operation *, 4> writers;
  llvm::DenseSet<Value> seen;
  SmallVector<OpOperand *> work{&use};
  while (!work.empty()) {
    OpOperand *u = work.pop_back_val();
    if (auto write = dyn_cast<bufferization::MaterializeInDestinationOp>(
            u->getOwner())) {
      if (u == &write.getSourceMutable())
        writers.insert(write);
      continue;
    }
    Value built = builtBy(*u);
    if (!built || !seen.insert(built).second)
      continue;
    for (OpOperand &next : built.getUses())
      work.push_back(&next);
  }
  return writers.size();
}

struct EjSeparateDestinationsPass
    : mlir::ej::impl::EjSeparateDestinationsBase<EjSeparateDestinationsPass> {
  void runOnOperation() override {
    // After CSE one empty tensor serves every result of its type; each use
    // is one result's start, and only a use whose value reaches several
    // written results (a shared prefix) needs a buffer of its own.
    SmallVector<OpOperand *> shared;
    getOperation().walk([&](tensor::EmptyOp empty) {
      for (OpOperand &use : empty->getUses())
        if (writersThrough(use) > 1)
          shared.push_back(&use);
    });
    for (OpOperand *use : shared) {
      auto empty = cast<tensor::EmptyOp>(use->get().getDefiningOp());
      OpBuilder b(use->getOwner());
      use->set(bufferization::AllocTensorOp::create(
          b, empty.getLoc(), empty.getType(), empty.getDynamicSizes()));
      ++numSeparated;
      if (empty->use_empty())
        empty.erase();
    }
  }
};

} // namespace

Value mlir::ej::viewBy(OpOperand &use) {
  Operation *user = use.getOwner();
  if (isa<tensor::ExtractSliceOp, tensor::ExpandShapeOp,
          tensor::CollapseShapeOp, tensor::CastOp, tensor::ReshapeOp>(user) &&
      use.getOperandNumber() == 0)
    return user->getResult(0);
  return nullptr;
}
