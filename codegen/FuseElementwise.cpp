//===- FuseElementwise.cpp - ej-fuse-elementwise: linalg fusion for BLAS --===//
//
// Upstream's elementwise fusion and reshape propagation (the patterns of
// linalg-fuse-elementwise-ops, with its single-use rule), told to leave
// matmuls alone: propagating a reshape through linalg.matmul rewrites it
// as a linalg.generic, which ej-linalg-to-blas could no longer hand to
// BLAS. The upstream pass has no hook for that, hence this one. It also
// leaves producers that their consumer broadcasts (a row's statistics)
// apart: fused, they would run once per element of the consumer. And it
// computes a cheap elementwise producer again in each of its consumers
// (upstream fuses only a producer of one use): layernorm's `x - mean`,
// read by the variance's sum and by the output, no longer goes through
// memory between them.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "ej-fuse-elementwise"

namespace mlir::ej {
#define GEN_PASS_DEF_EJFUSEELEMENTWISE
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;

namespace {

bool isMatmul(Operation *op) {
  return isa_and_nonnull<linalg::MatmulOp, linalg::BatchMatmulOp>(op);
}

// Whether the consumer reads `operand` broadcast (along some of its loops).
// Fused, the producer would run once per element of the consumer instead
// of once per element of its own: a row's mean or variance, finished once
// per row, would be finished again for every element of the row, and its
// float64 accumulator would halve the vector width of the consumer's loop.
bool broadcasts(OpOperand &operand) {
  auto consumer = dyn_cast<linalg::LinalgOp>(operand.getOwner());
  return consumer && !consumer.getMatchingIndexingMap(&operand).isPermutation();
}

// At most this many operations in the payload of a producer computed again
// in each consumer.
constexpr unsigned kRecomputedOps = 2;

// Whether `producer` is elementwise and cheap enough to compute again in
// each of its `consumers` rather than write once and read back: a few
// arithmetic operations without division (no transcendental), whose inputs
// read elementwise (the others broadcast, such as a row's mean) the
// consumers then read instead of its result, in all no more than the
// result would have cost: written (with its line read first) and read
// once by each.
bool cheapToRecompute(linalg::GenericOp producer, unsigned consumers) {
  if (!producer.hasPureTensorSemantics() || producer.getNumDpsInits() != 1 ||
      !producer.isAllParallelLoops() ||
      producer.payloadUsesValueFromOperand(producer.getDpsInitOperand(0)))
    return false;
  unsigned ops = 0;
  for (Operation &op : producer.getBody()->without_terminator())
    if (!isa_and_nonnull<arith::ArithDialect>(op.getDialect()) ||
        isa<arith::DivFOp, arith::RemFOp, arith::DivSIOp, arith::DivUIOp,
            arith::RemSIOp, arith::RemUIOp, arith::CeilDivSIOp,
            arith::CeilDivUIOp, arith::FloorDivSIOp>(op) ||
        ++ops > kRecomputedOps)
      return false;
  unsigned elementwise = 0;
  for (OpOperand *input : producer.getDpsInputOperands())
    if (producer.getMatchingIndexingMap(input).isPermutation())
      ++elementwise;
  return elementwise * consumers <= elementwise + 2 + consumers;
}

// Gives each consumer of a cheap elementwise producer (cheapToRecompute)
// a copy of its own, which then fuses into it as a producer of one use;
// only where every use is an input of a different linalg.generic that it
// can fuse into, so that the result is no longer written at all.
struct RecomputeCheapProducer : OpRewritePattern<linalg::GenericOp> {
  RecomputeCheapProducer(MLIRContext *ctx,
                         const linalg::ControlFusionFn &fusable)
      : OpRewritePattern(ctx), fusable_(fusable) {}
  LogicalResult matchAndRewrite(linalg::GenericOp producer,
                                PatternRewriter &rewriter) const override {
    Value result = producer->getResult(0);
    if (result.hasOneUse() || result.use_empty())
      return failure();
    llvm::SmallPtrSet<Operation *, 4> consumers;
    for (OpOperand &use : result.getUses()) {
      auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
      if (!consumer || !consumer.isDpsInput(&use) ||
          !consumers.insert(consumer).second ||
          !linalg::areElementwiseOpsFusable(&use) || !fusable_(&use))
        return failure();
    }
    if (!cheapToRecompute(producer, consumers.size()))
      return failure();
    SmallVector<OpOperand *> uses = llvm::map_to_vector(
        llvm::drop_begin(result.getUses()), [](OpOperand &u) { return &u; });
    rewriter.setInsertionPointAfter(producer);
    for (OpOperand *use : uses) {
      Operation *copy = rewriter.clone(*producer);
      rewriter.modifyOpInPlace(use->getOwner(),
                               [&] { use->set(copy->getResult(0)); });
    }
    return success();
  }

private:
  linalg::ControlFusionFn fusable_;
};

struct EjFuseElementwisePass
    : mlir::ej::impl::EjFuseElementwiseBase<EjFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    linalg::ControlFusionFn fusable = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && !isMatmul(producer) && !isMatmul(fused->getOwner()) &&
             !broadcasts(*fused);
    };
    linalg::ControlFusionFn control = [fusable](OpOperand *fused) {
      return fusable(fused) && fused->get().getDefiningOp()->hasOneUse();
    };
    RewritePatternSet patterns(ctx);
    patterns.add<RecomputeCheapProducer>(ctx, fusable);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
