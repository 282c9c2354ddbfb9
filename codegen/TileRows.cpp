//===- TileRows.cpp - ej-tile-rows: row reductions as one loop over rows --===//
//
// A function whose row-shaped ej ops (softmax, layernorm: reductions over
// the trailing axes and the elementwise ops around them) all keep rows
// apart becomes one scf.forall over blocks of rows, so that a block's
// intermediates stay in the cache instead of each op streaming the whole
// tensor through memory (Passes.td has the example).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/ScalarMath.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

#define DEBUG_TYPE "ej-tile-rows"

namespace mlir::ej {
#define GEN_PASS_DEF_EJTILEROWS
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;
using namespace mlir::ej;

namespace {

bool isReduction(Operation *op) {
  return isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
      op);
}

// A reduction that keeps its rows apart: over some trailing axes, with
// the reduced axes kept (so that its result broadcasts against the rows).
bool reducesWithinRows(Operation *op) {
  if (!isReduction(op) || !op->hasAttr("keepdims"))
    return false;
  ArrayRef<int64_t> axes =
      op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  return !axes.empty() && !llvm::is_contained(axes, 0);
}

// Ops that compute each row of their result from the same row of their
// operands (or from operands without rows, read whole).
bool keepsRowsApart(Operation *op) {
  return reducesWithinRows(op) || isa<CopyOp, StopGradientOp>(op) ||
         (op->getNumResults() == 1 &&
          hasScalarMath(op->getName().stripDialect()));
}

// The shape of the rows: the operand of the first row reduction.
struct Rows {
  int64_t count = 0, rank = 0;
  bool shapes(Type t) const {
    auto r = dyn_cast<RankedTensorType>(t);
    return r && r.getRank() == rank && r.getDimSize(0) == count;
  }
  bool shapes(Value v) const { return shapes(v.getType()); }
};

RankedTensorType blockType(Type t, int64_t block) {
  auto r = cast<RankedTensorType>(t);
  SmallVector<int64_t> shape(r.getShape());
  shape[0] = block;
  return RankedTensorType::get(shape, r.getElementType());
}

int64_t rowBytes(Type t) {
  auto r = cast<RankedTensorType>(t);
  int64_t bits = r.getElementType().getIntOrFloatBitWidth();
  return r.getNumElements() / r.getDimSize(0) * std::max<int64_t>(bits / 8, 1);
}

// An scf.forall over rows [from, to) in blocks of `block` rows (a divisor
// of to - from), placed at `b`: it computes the ops `inLoop` on each block
// (row-shaped operands from outside sliced, others read whole) and inserts
// their `results` into `outputs`; returns the loop's results.
SmallVector<Value> loopOverRows(OpBuilder &b, Location loc, const Rows &rows,
                                const llvm::SetVector<Operation *> &inLoop,
                                const llvm::DenseSet<Value> &computed,
                                ArrayRef<Value> results,
                                ArrayRef<Value> outputs, int64_t from,
                                int64_t to, int64_t block) {
  auto loop = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(from)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(to)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(block)}, outputs,
      /*mapping=*/std::nullopt);
  Value row = loop.getInductionVar(0);
  OpBuilder::InsertionGuard guard(b);

  // The block of a row-shaped tensor: [row, 0, ...] sizes [block, ...].
  auto offsets = [&]() {
    SmallVector<OpFoldResult> o(rows.rank, b.getIndexAttr(0));
    o[0] = row;
    return o;
  };
  auto sizes = [&](RankedTensorType t) {
    SmallVector<OpFoldResult> s;
    for (int64_t d : blockType(t, block).getShape())
      s.push_back(b.getIndexAttr(d));
    return s;
  };
  auto ones = [&]() {
    return SmallVector<OpFoldResult>(rows.rank, b.getIndexAttr(1));
  };

  b.setInsertionPointToStart(loop.getBody());
  IRMapping map;
  for (Operation *op : inLoop) {
    for (Value v : op->getOperands()) {
      if (computed.contains(v) || map.contains(v) || !rows.shapes(v))
        continue;
      auto t = cast<RankedTensorType>(v.getType());
      map.map(v, tensor::ExtractSliceOp::create(b, loc, blockType(t, block), v,
                                                offsets(), sizes(t), ones()));
    }
    Operation *clone = b.clone(*op, map);
    clone->getResult(0).setType(blockType(op->getResult(0).getType(), block));
  }

  b.setInsertionPointToStart(loop.getTerminator().getBody());
  for (auto [r, out] : llvm::zip(results, loop.getRegionIterArgs())) {
    auto t = cast<RankedTensorType>(r.getType());
    tensor::ParallelInsertSliceOp::create(b, loc, map.lookup(r), out, offsets(),
                                          sizes(t), ones());
  }
  return SmallVector<Value>(loop.getResults());
}

struct EjTileRowsPass : mlir::ej::impl::EjTileRowsBase<EjTileRowsPass> {
  using EjTileRowsBase::EjTileRowsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func.getBody().hasOneBlock())
      return;
    Block &body = func.getBody().front();

    Rows rows;
    for (Operation &op : body)
      if (reducesWithinRows(&op)) {
        auto t = cast<RankedTensorType>(op.getOperand(0).getType());
        rows = {t.getDimSize(0), t.getRank()};
        break;
      }
    if (rows.count < 2)
      return;

    // The ops that go into the loop: every ej op reading a row-shaped
    // value or a value computed in the loop. Each must keep rows apart and
    // give a row-shaped result; the others (fills, ops on gamma alone) stay
    // outside.
    llvm::SetVector<Operation *> inLoop;
    llvm::DenseSet<Value> computed;
    for (Operation &op : body) {
      if (!isa<EjDialect>(op.getDialect()))
        continue;
      bool rowWise = llvm::any_of(op.getOperands(), [&](Value v) {
        return rows.shapes(v) || computed.contains(v);
      });
      if (!rowWise)
        continue;
      if (!keepsRowsApart(&op) || !rows.shapes(op.getResult(0)))
        return;
      // A tensor without elements has no blocks to slice.
      auto empty = [](Type t) {
        auto r = dyn_cast<RankedTensorType>(t);
        return r && r.getNumElements() == 0;
      };
      if (llvm::any_of(op.getOperandTypes(), empty) ||
          empty(op.getResult(0).getType()))
        return;
      inLoop.insert(&op);
      computed.insert(op.getResult(0));
    }

    // The loop takes the place of the last op in it: what the ops read
    // from outside is defined before that, and what reads their results
    // from outside must come after it.
    Operation *last = inLoop.back();
    SmallVector<Value> results;
    for (Operation *op : inLoop)
      for (OpOperand &use : op->getResult(0).getUses()) {
        Operation *user = body.findAncestorOpInBlock(*use.getOwner());
        if (inLoop.contains(user))
          continue;
        if (!last->isBeforeInBlock(user))
          return;
        if (!llvm::is_contained(results, op->getResult(0)))
          results.push_back(op->getResult(0));
      }
    if (results.empty())
      return;

    // The block: the most rows whose largest row-shaped tensor takes at
    // most blockBytes. The rows past the last whole block are one block of
    // their own, in a second loop.
    int64_t widest = 1;
    for (Operation *op : inLoop) {
      for (Value v : op->getOperands())
        if (rows.shapes(v))
          widest = std::max(widest, rowBytes(v.getType()));
      widest = std::max(widest, rowBytes(op->getResult(0).getType()));
    }
    int64_t block = std::max<int64_t>(1, blockBytes / widest);
    if (block >= rows.count)
      return;
    int64_t whole = rows.count / block * block;

    OpBuilder b(last->getContext());
    b.setInsertionPointAfter(last);
    Location loc = last->getLoc();
    SmallVector<Value> outputs;
    for (Value r : results) {
      auto t = cast<RankedTensorType>(r.getType());
      outputs.push_back(
          tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType()));
    }
    outputs = loopOverRows(b, loc, rows, inLoop, computed, results, outputs, 0,
                           whole, block);
    if (whole < rows.count)
      outputs = loopOverRows(b, loc, rows, inLoop, computed, results, outputs,
                             whole, rows.count, rows.count - whole);
    for (auto [r, tiled] : llvm::zip(results, outputs))
      r.replaceUsesWithIf(tiled, [&](OpOperand &use) {
        return !inLoop.contains(use.getOwner());
      });
    for (Operation *op : llvm::reverse(inLoop.getArrayRef()))
      op->erase();
    ++numTiled;
  }
};

} // namespace
