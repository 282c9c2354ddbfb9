//===- CpuPipeline.cpp - ej-cpu-pipeline: fusible ej ops to the llvm dialect
//-===//
//
// Upstream passes wherever they exist: linalg elementwise fusion, empty
// tensor elimination and one-shot bufferization (a kernel computes its
// results in the buffers it is given), buffer deallocation for the
// temporaries, loops, and the standard conversions to the llvm dialect. The one
// pass of our own besides the lowering is ej-approximate-math.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/raw_ostream.h"

#include <mutex>

namespace mlir::ej {
#define GEN_PASS_DEF_EJAPPROXIMATEMATH
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;

namespace {

struct EjApproximateMathPass
    : mlir::ej::impl::EjApproximateMathBase<EjApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == "exp" || name == "log" || name == "log1p" ||
             name == "log2" || name == "tanh" || name == "sin" ||
             name == "cos" || name == "erf" || name == "expm1" ||
             name == "atan" || name == "atan2";
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

// The textual form keeps the pipeline readable and identical to what
// `ej-opt --ej-cpu-pipeline` runs.
constexpr const char *kPipeline =
    "func.func(convert-ej-to-linalg, linalg-fuse-elementwise-ops),"
    "canonicalize,"
    "eliminate-empty-tensors,"
    "one-shot-bufferize,"
    "canonicalize,"
    "buffer-deallocation-pipeline,"
    "func.func(convert-linalg-to-loops, ej-approximate-math),"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "finalize-memref-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "reconcile-unrealized-casts";

} // namespace

void mlir::ej::buildEjCpuPipeline(OpPassManager &pm) {
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (failed(parsePassPipeline(kPipeline, pm, os)))
    llvm::report_fatal_error(llvm::Twine("ej-cpu-pipeline: ") + errors);
}

void mlir::ej::registerCodegenPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerAllPasses();
    registerEjCodegenPasses();
    PassPipelineRegistration<>(
        "ej-cpu-pipeline",
        "Lowers ej kernels (fusible ops in destination-passing functions) to "
        "the llvm dialect",
        buildEjCpuPipeline);
  });
}
