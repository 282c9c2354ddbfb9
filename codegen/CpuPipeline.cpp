//===- CpuPipeline.cpp - ej-cpu-pipeline: ej functions to the llvm dialect ===//
//
// Upstream passes wherever they exist: linalg elementwise fusion (through
// ej-fuse-elementwise, which keeps matmuls away from it and computes a
// cheap producer again in each of its consumers), empty tensor
// elimination and one-shot bufferization across function boundaries (a
// kernel computes its results in the buffers it is given), buffer
// deallocation for the temporaries, parallel loops (OpenMP for the
// outermost dimension of large nests), and the standard conversions to the
// llvm dialect. Ours besides the lowering: ej-invert-softmax-denominators
// (a softmax multiplies by the reciprocal of its row sums), ej-tile-rows
// (row reductions and their elementwise neighbours as one loop over blocks
// of rows, which scf-forall-to-parallel makes a parallel loop),
// ej-linalg-to-blas (matmuls stay BLAS calls), ej-elementwise-in-place (an
// elementwise op writes over a temporary input nothing reads after it),
// ej-parallelize, ej-approximate-math (f32 transcendentals as polynomials,
// so that LLVM vectorizes the loops around them) and
// ej-hoist-captured-fields (parallel regions capture pointers, not whole
// memref descriptors).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
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

// A constant of `type`, a scalar type or a shaped one (then a splat).
Value constantOf(ImplicitLocOpBuilder &b, Type type, TypedAttr scalar) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return arith::ConstantOp::create(b, DenseElementsAttr::get(shaped, scalar));
  return arith::ConstantOp::create(b, scalar);
}

// min(x, hi) and max(x, lo) by ordered comparisons, which keep a NaN as it
// is (and which x86 selects as one instruction).
Value minKeepingNaN(ImplicitLocOpBuilder &b, Value x, Value hi) {
  return arith::SelectOp::create(
      b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, hi), hi, x);
}
Value maxKeepingNaN(ImplicitLocOpBuilder &b, Value x, Value lo) {
  return arith::SelectOp::create(
      b, arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, x, lo), lo, x);
}

// c[0] + t (c[1] + t (c[2] + ...)) by Horner's rule in FMAs, the
// coefficients f32 constants of `type`.
Value hornerF32(ImplicitLocOpBuilder &b, Type type, ArrayRef<float> c,
                Value t) {
  auto constant = [&](float v) {
    return constantOf(b, type, b.getF32FloatAttr(v));
  };
  Value acc = constant(c.back());
  for (size_t k = c.size() - 1; k-- > 0;)
    acc = math::FmaOp::create(b, t, acc, constant(c[k]));
  return acc;
}

// f32 erf as one rational function, erf(x) = a P(a^2) / Q(a^2) with a = x
// clamped to [-4, 4] (erf(4) rounds to 1): 11 FMAs and a division, and no
// selects. MLIR's approximation picks the coefficients of one of three
// intervals with 20 selects per element, which made exact GELU cost twice
// as much arithmetic as memory traffic. P has degree 6 and Q degree 5; the
// coefficients are a minimax fit of the relative error (2.2e-9 in exact
// arithmetic) rounded to float and tuned by a search over neighbouring
// floats. Evaluated in float, the result is within 5.6 ulp of erf over
// every 7th float in [1e-30, 4.5] (mean 0.67 ulp; MLIR's: 4.8, mean 0.66).
struct ErfAsRational : OpRewritePattern<math::ErfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ErfOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return failure();
    static constexpr float kP[] = {
        1.12837911f,     0.185214385f,    0.0543314889f,   0.00385187753f,
        0.000380196405f, 4.69961196e-06f, -1.32775746e-08f};
    static constexpr float kQ[] = {1.0f,           0.497475356f,
                                   0.113974653f,   0.015468508f,
                                   0.00130884105f, 6.32536685e-05f};
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto constant = [&](float v) {
      return constantOf(b, type, b.getF32FloatAttr(v));
    };
    Value a = maxKeepingNaN(
        b, minKeepingNaN(b, op.getOperand(), constant(4.0f)), constant(-4.0f));
    Value t = arith::MulFOp::create(b, a, a);
    Value p = arith::MulFOp::create(b, a, hornerF32(b, type, kP, t));
    rewriter.replaceOpWithNewOp<arith::DivFOp>(op, p,
                                               hornerF32(b, type, kQ, t));
    return success();
  }
};

// f32 exp by range reduction, exp(x) = 2^k exp(r) with k = rint(x / ln 2)
// and |r| <= ln 2 / 2, in 23 instructions, no selects but the clamps. x is
// clamped to [-176, 88.73] by ordered comparisons that let a NaN pass.
// k = rint(x log2 e) comes from adding 1.5 * 2^23, which leaves k in the
// low bits of the sum. r = x - k ln 2 with ln 2 in two parts (the first
// with 15 significant bits, so k times it is exact). exp(r) = 1 + r + r^2
// Q(r), Q of degree 4 (a minimax fit of the relative error, 3.6e-9 with
// the coefficients rounded to float) by Horner's rule in FMAs. The scale
// 2^k is applied as 2^h * 2^(k - h), h = k >> 1, each built from its
// biased exponent: k in [-252, 128] gives overflow above 88.72 and
// subnormal results, rounded once, below -87.34, in the product itself.
// At the lower clamp k = -254 makes both factors 0 (biased exponents of
// 0): the exp of -inf, or of a mask's -1e9, is a product of zeros. (With
// the clamp at -104, the loop took 1.6 times as long over such lanes, and
// over lanes with subnormal results.) Within 0.9 ulp of exp over every
// float (against float64 exp); MLIR's approximation flushes results below
// 2^-126 to 0 and is 4.6 ulp off near the overflow threshold, and runs no
// faster.
struct ExpByRangeReduction : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type intType = b.getI32Type();
    if (auto shaped = dyn_cast<ShapedType>(type))
      intType = shaped.clone(intType);
    auto f32 = [&](float v) {
      return constantOf(b, type, b.getF32FloatAttr(v));
    };
    auto i32 = [&](int32_t v) {
      return constantOf(b, intType, b.getI32IntegerAttr(v));
    };
    auto fma = [&](Value x, Value y, Value z) -> Value {
      return math::FmaOp::create(b, x, y, z);
    };

    Value x = maxKeepingNaN(b, minKeepingNaN(b, op.getOperand(), f32(88.73f)),
                            f32(-176.0f));
    Value magic = f32(0x1.8p23f);
    Value t = fma(x, f32(0x1.715476p+0f), magic);
    Value k = arith::SubFOp::create(b, t, magic);
    Value r = fma(k, f32(-0x1.62e4p-1f), x);
    r = fma(k, f32(-0x1.7f7d1cp-20f), r);
    // 1 + r + r^2 Q(r).
    static constexpr float kExp[] = {
        1.0f,           1.0f,          0x1.fffffcp-2f, 0x1.555492p-3f,
        0x1.5558f2p-5f, 0x1.123a2p-7f, 0x1.6a23ccp-10f};
    Value p = hornerF32(b, type, kExp, r);

    auto bits = [&](Value v) -> Value {
      return arith::BitcastOp::create(b, intType, v);
    };
    auto powerOfTwo = [&](Value e) -> Value {
      Value biased = arith::AddIOp::create(b, e, i32(127));
      return arith::BitcastOp::create(
          b, type, arith::ShLIOp::create(b, biased, i32(23)));
    };
    Value kInt = arith::SubIOp::create(b, bits(t), bits(magic));
    Value half = arith::ShRSIOp::create(b, kInt, i32(1));
    Value rest = arith::SubIOp::create(b, kInt, half);
    Value scaled = arith::MulFOp::create(b, p, powerOfTwo(half));
    rewriter.replaceOpWithNewOp<arith::MulFOp>(op, scaled, powerOfTwo(rest));
    return success();
  }
};

struct EjApproximateMathPass
    : mlir::ej::impl::EjApproximateMathBase<EjApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ErfAsRational, ExpByRangeReduction>(&getContext());
    // MLIR's expm1 goes through math.exp, which ExpByRangeReduction takes.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return llvm::is_contained(
          {math::LogOp::getOperationName(), math::Log1pOp::getOperationName(),
           math::Log2Op::getOperationName(), math::TanhOp::getOperationName(),
           math::SinOp::getOperationName(), math::CosOp::getOperationName(),
           math::ExpM1Op::getOperationName()},
          name);
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

// The textual form keeps the pipeline readable and identical to what
// `ej-opt --ej-cpu-pipeline` runs.
constexpr const char *kPipeline =
    "func.func(ej-invert-softmax-denominators, ej-tile-rows,"
    "convert-ej-to-linalg, ej-fuse-elementwise),"
    "canonicalize,"
    "cse,"
    "func.func(ej-elementwise-in-place, ej-separate-destinations),"
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "canonicalize,"
    "buffer-deallocation-pipeline,"
    // A function that returns a buffer twice, or an argument, returns
    // clones: they become an allocation and a copy.
    "convert-bufferization-to-memref,"
    "ej-linalg-to-blas,"
    "func.func(scf-forall-to-parallel, convert-linalg-to-parallel-loops,"
    "ej-parallelize,"
    "ej-approximate-math),"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-openmp,"
    "canonicalize,"
    "convert-scf-to-cf,"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    // Allocations call _mlir_memref_to_llvm_alloc and _free, which the
    // compiler binds to the kernel allocator; as malloc and free, LLVM would
    // take them for the C library's (and might fold them into calloc).
    "finalize-memref-to-llvm{use-generic-functions=true},"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-openmp-to-llvm,"
    "reconcile-unrealized-casts,"
    "llvm.func(ej-hoist-captured-fields)";

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
        "Lowers ej functions (or destination-passing kernels) to the llvm "
        "dialect",
        buildEjCpuPipeline);
  });
}
