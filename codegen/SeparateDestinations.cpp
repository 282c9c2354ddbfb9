//===- SeparateDestinations.cpp - ej-separate-destinations ----------------===//
//
// An empty tensor that more than one written result is built on (through
// destination operands) becomes a bufferization.alloc_tensor, so that
// eliminate-empty-tensors does not make it one result's output buffer
// while another result still reads it (Passes.td has the example).
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

// The materialize_in_destination ops that write a value built in place on
// `empty`: values reached from it through destination (init) operands.
size_t writersBuiltOn(tensor::EmptyOp empty) {
  llvm::SmallPtrSet<Operation *, 4> writers;
  llvm::DenseSet<Value> seen;
  SmallVector<Value> work{empty.getResult()};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (auto write =
              dyn_cast<bufferization::MaterializeInDestinationOp>(user)) {
        if (&use == &write.getSourceMutable())
          writers.insert(user);
        continue;
      }
      auto dps = dyn_cast<DestinationStyleOpInterface>(user);
      if (dps && dps.isDpsInit(&use))
        if (OpResult tied = dps.getTiedOpResult(&use))
          work.push_back(tied);
    }
  }
  return writers.size();
}

struct EjSeparateDestinationsPass
    : mlir::ej::impl::EjSeparateDestinationsBase<EjSeparateDestinationsPass> {
  void runOnOperation() override {
    SmallVector<tensor::EmptyOp> shared;
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (writersBuiltOn(empty) > 1)
        shared.push_back(empty);
    });
    for (tensor::EmptyOp empty : shared) {
      OpBuilder b(empty);
      auto alloc = bufferization::AllocTensorOp::create(
          b, empty.getLoc(), empty.getType(), empty.getDynamicSizes());
      empty.replaceAllUsesWith(alloc.getResult());
      empty.erase();
      ++numSeparated;
    }
  }
};

} // namespace
