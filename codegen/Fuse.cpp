//===- Fuse.cpp - ej-fuse: runs of fusible ops into ej.fusion regions -----===//
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

#define DEBUG_TYPE "ej-fuse"

namespace mlir::ej {
#define GEN_PASS_DEF_EJFUSE
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;
using namespace mlir::ej;

namespace {

// Moves the consecutive ops `run` into one ej.fusion placed before them.
void fuse(ArrayRef<Operation *> run) {
  llvm::SmallPtrSet<Operation *, 16> inRun(run.begin(), run.end());
  llvm::SetVector<Value> inputs, results;
  for (Operation *op : run) {
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (!def || !inRun.contains(def))
        inputs.insert(v);
    }
    for (Value r : op->getResults())
      if (llvm::any_of(r.getUsers(),
                       [&](Operation *u) { return !inRun.contains(u); }))
        results.insert(r);
  }
  OpBuilder b(run.front());
  auto fusion = FusionOp::create(b, run.front()->getLoc(),
                                 ValueRange(results.getArrayRef()).getTypes(),
                                 inputs.getArrayRef());
  Block *body = new Block();
  fusion.getBody().push_back(body);
  IRMapping map;
  for (Value v : inputs)
    map.map(v, body->addArgument(v.getType(), v.getLoc()));
  b.setInsertionPointToEnd(body);
  for (Operation *op : run)
    b.clone(*op, map);
  SmallVector<Value> yielded;
  for (Value r : results)
    yielded.push_back(map.lookup(r));
  YieldOp::create(b, run.back()->getLoc(), yielded);
  for (auto [i, f] : llvm::enumerate(fusion.getResults()))
    Value(results[i]).replaceUsesWithIf(f, [&](OpOperand &use) {
      return !inRun.contains(use.getOwner());
    });
  for (Operation *op : llvm::reverse(run))
    op->erase();
}

struct EjFusePass : mlir::ej::impl::EjFuseBase<EjFusePass> {
  using EjFuseBase::EjFuseBase;

  void runOnOperation() override {
    SmallVector<SmallVector<Operation *>> runs(1);
    for (Block &block : getOperation().getBody()) {
      for (Operation &op : block) {
        if (isLowerableToLinalg(&op) && !isa<FusionOp>(op.getParentOp())) {
          runs.back().push_back(&op);
        } else if (!runs.back().empty()) {
          runs.emplace_back();
        }
      }
      if (!runs.back().empty())
        runs.emplace_back();
    }
    for (ArrayRef<Operation *> run : runs) {
      if (run.size() < minOps || run.empty())
        continue;
      fuse(run);
      ++numFusions;
      numFused += run.size();
    }
  }
};

} // namespace
