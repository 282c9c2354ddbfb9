//===- Parallelize.cpp - ej-parallelize: one parallel loop per large nest -===//
//
// convert-linalg-to-parallel-loops marks every parallel dimension of every
// nest. Threads pay off only on the outermost dimension of nests with
// enough work: inner parallel loops would enter the OpenMP runtime once per
// outer iteration, and a multi-dimensional parallel loop would be collapsed
// into one loop whose index arithmetic stops LLVM from vectorizing the
// innermost dimension.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

#define DEBUG_TYPE "ej-parallelize"

namespace mlir::ej {
#define GEN_PASS_DEF_EJPARALLELIZE
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;

namespace {

// The static trip count of a loop dimension, or nullopt.
std::optional<int64_t> tripCount(Value lower, Value upper, Value step) {
  std::optional<int64_t> lb = getConstantIntValue(lower),
                         ub = getConstantIntValue(upper),
                         st = getConstantIntValue(step);
  if (!lb || !ub || !st || *st <= 0)
    return std::nullopt;
  return *ub > *lb ? (*ub - *lb + *st - 1) / *st : 0;
}

// Iterations of the innermost loops under `op` (and of `op` itself when it
// is a loop); a dynamic bound counts as large.
int64_t iterations(Operation *op) {
  int64_t inner = 1;
  for (Region &region : op->getRegions())
    for (Block &block : region)
      for (Operation &nested : block)
        if (nested.getNumRegions())
          inner = std::max(inner, iterations(&nested));
  int64_t own = 1;
  auto times = [&](std::optional<int64_t> n) {
    own = n ? own * *n : std::numeric_limits<int32_t>::max();
  };
  if (auto par = dyn_cast<scf::ParallelOp>(op))
    for (auto [lb, ub, st] :
         llvm::zip(par.getLowerBound(), par.getUpperBound(), par.getStep()))
      times(tripCount(lb, ub, st));
  else if (auto loop = dyn_cast<scf::ForOp>(op))
    times(
        tripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()));
  return std::min<int64_t>(own * inner,
                           std::numeric_limits<int64_t>::max() / 2);
}

// Rebuilds `par` (which has no reductions) with its first `keep` dimensions
// parallel and the others as scf.for loops inside them.
void splitParallel(scf::ParallelOp par, unsigned keep) {
  OpBuilder b(par);
  Location loc = par.getLoc();
  IRMapping map;
  unsigned rank = par.getNumLoops();
  auto buildFors = [&](OpBuilder &nb, unsigned from) {
    for (unsigned d = from; d < rank; ++d) {
      auto loop = scf::ForOp::create(nb, loc, par.getLowerBound()[d],
                                     par.getUpperBound()[d], par.getStep()[d]);
      map.map(par.getInductionVars()[d], loop.getInductionVar());
      nb.setInsertionPoint(loop.getBody()->getTerminator());
    }
    for (Operation &op : par.getBody()->without_terminator())
      nb.clone(op, map);
  };
  if (keep == 0) {
    buildFors(b, 0);
  } else {
    auto outer = scf::ParallelOp::create(
        b, loc, par.getLowerBound().take_front(keep),
        par.getUpperBound().take_front(keep), par.getStep().take_front(keep));
    for (unsigned d = 0; d < keep; ++d)
      map.map(par.getInductionVars()[d], outer.getInductionVars()[d]);
    OpBuilder nb(outer.getBody()->getTerminator());
    buildFors(nb, keep);
  }
  par.erase();
}

// Whether `par` is the innermost loop of its nest and computes no
// transcendental. A polynomial's constants, hoisted by LLVM out of the
// loop over a block into the loop over blocks, no longer fit the
// registers beside four interleaved polynomials: the loop spilled, and a
// GELU step with its intermediates live ran at 530-620 us instead of
// 360-400 (2^20 elements, two threads).
bool blockable(scf::ParallelOp par) {
  WalkResult found = par.getBody()->walk([](Operation *op) {
    return isa<LoopLikeOpInterface>(op) ||
                   isa<math::MathDialect>(op->getDialect())
               ? WalkResult::interrupt()
               : WalkResult::advance();
  });
  return !found.wasInterrupted();
}

// Rebuilds a one-dimensional parallel loop that is blockable as a parallel
// loop over blocks of iterations, each a plain loop, and a plain loop over
// the iterations past the last whole block. The block is the largest power
// of two up to `block` that divides the trip count, if one of at least a
// quarter of it does (then nothing is left over). Over a thread's share of
// the iterations, bounds known only at run time, LLVM's vectorizer wrote a
// vectorized epilogue and a scalar remainder besides the vector loop:
// copies of the body, polynomials included, that every kernel paid to
// optimize and compile. A block's loop has a static trip count that whole
// vectors cover.
bool blockParallel(scf::ParallelOp par, int64_t block) {
  std::optional<int64_t> lb = getConstantIntValue(par.getLowerBound()[0]),
                         step = getConstantIntValue(par.getStep()[0]);
  std::optional<int64_t> trip = tripCount(
      par.getLowerBound()[0], par.getUpperBound()[0], par.getStep()[0]);
  if (!lb || !step || *step != 1 || !trip || *trip < 2 * block)
    return false;
  int64_t size = block;
  while (size > block / 4 && *trip % size != 0)
    size /= 2;
  if (*trip % size != 0)
    size = block;
  int64_t whole = *trip / size * size;

  OpBuilder b(par);
  Location loc = par.getLoc();
  Value blocksEnd = arith::ConstantIndexOp::create(b, loc, *lb + whole);
  Value blockSize = arith::ConstantIndexOp::create(b, loc, size);
  // The body again, as a plain loop over [from, from + count): counted
  // from zero, so that the trip count is a constant LLVM sees.
  auto loopOver = [&](OpBuilder &nb, Value from, int64_t count) {
    Value zero = arith::ConstantIndexOp::create(nb, loc, 0);
    Value end = arith::ConstantIndexOp::create(nb, loc, count);
    auto loop = scf::ForOp::create(nb, loc, zero, end, par.getStep()[0]);
    OpBuilder inner(loop.getBody()->getTerminator());
    IRMapping map;
    map.map(par.getInductionVars()[0],
            arith::AddIOp::create(inner, loc, from, loop.getInductionVar(),
                                  arith::IntegerOverflowFlags::nsw |
                                      arith::IntegerOverflowFlags::nuw));
    for (Operation &op : par.getBody()->without_terminator())
      inner.clone(op, map);
  };
  auto blocks =
      scf::ParallelOp::create(b, loc, ValueRange{par.getLowerBound()[0]},
                              ValueRange{blocksEnd}, ValueRange{blockSize});
  OpBuilder nb(blocks.getBody()->getTerminator());
  loopOver(nb, blocks.getInductionVars()[0], size);
  if (whole < *trip)
    loopOver(b, blocksEnd, *trip - whole);
  par.erase();
  return true;
}

struct EjParallelizePass
    : mlir::ej::impl::EjParallelizeBase<EjParallelizePass> {
  using EjParallelizeBase::EjParallelizeBase;

  void runOnOperation() override {
    if (block < 1) {
      getOperation().emitError("ej-parallelize: block must be positive, not ")
          << int64_t(block);
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> outermost, inner;
    bool reductions = false;
    getOperation().walk([&](scf::ParallelOp par) {
      reductions |= par.getNumReductions() != 0;
      (par->getParentOfType<scf::ParallelOp>() ? inner : outermost)
          .push_back(par);
    });
    // Only linalg's loops are expected; anything else is left as it is.
    if (reductions)
      return;
    // Inner nests first (post-order walk): they become plain loops.
    for (scf::ParallelOp par : inner)
      splitParallel(par, 0);
    for (scf::ParallelOp par : outermost) {
      bool parallel = iterations(par) >= minIterations;
      if (parallel)
        ++numParallel;
      if (!parallel || par.getNumLoops() > 1)
        splitParallel(par, parallel ? 1 : 0);
      else if (blockable(par) && blockParallel(par, block))
        ++numBlocked;
    }
  }
};

} // namespace
