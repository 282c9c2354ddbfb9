//===- FuseElementwise.cpp - ej-fuse-elementwise: linalg fusion for BLAS --===//
//
// Upstream's elementwise fusion and reshape propagation (the patterns of
// linalg-fuse-elementwise-ops, with its single-use rule), told to leave
// matmuls alone: propagating a reshape through linalg.matmul rewrites it
// as a linalg.generic, which ej-linalg-to-blas could no longer hand to
// BLAS. The upstream pass has no hook for that, hence this one. It also
// leaves producers that their consumer broadcasts (a row's statistics)
// apart: fused, they would run once per element of the consumer.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
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
  return consumer &&
         !consumer.getMatchingIndexingMap(&operand).isPermutation();
}

struct EjFuseElementwisePass
    : mlir::ej::impl::EjFuseElementwiseBase<EjFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse() && !isMatmul(producer) &&
             !isMatmul(fused->getOwner()) && !broadcasts(*fused);
    };
    RewritePatternSet patterns(ctx);
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
