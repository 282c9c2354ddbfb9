//===- LinalgToBlas.cpp - ej-linalg-to-blas: matmuls as BLAS calls --------===//
//
// After bufferization a matmul is a linalg.matmul / linalg.batch_matmul on
// memrefs; this pass replaces the f32 and f64 ones by calls of the helpers
// of codegen/BlasRuntime.cpp, so that a compiled kernel multiplies matrices
// with the same BLAS as the interpreter. A zero fill of the output just
// before the matmul is dropped and the helper told to overwrite (beta 0);
// an operand copied from a transpose is read through a transposed view.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "ej-linalg-to-blas"

namespace mlir::ej {
#define GEN_PASS_DEF_EJLINALGTOBLAS
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;

namespace {

// memref<?x...xT, strided<[?, ...], offset: ?>>: one helper serves every
// static shape and layout.
MemRefType dynamicStrided(MemRefType t) {
  SmallVector<int64_t> dyn(t.getRank(), ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(t.getContext(), ShapedType::kDynamic, dyn);
  return MemRefType::get(dyn, t.getElementType(), layout);
}

// The helper `name`, declared once in the module.
func::FuncOp declareHelper(PatternRewriter &rewriter, Operation *from,
                           StringRef name, TypeRange args) {
  auto module = from->getParentOfType<ModuleOp>();
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(rewriter, module.getLoc(), name,
                                rewriter.getFunctionType(args, {}));
  f.setPrivate();
  f->setAttr("llvm.emit_c_interface", rewriter.getUnitAttr());
  return f;
}

// A zero linalg.fill of `out` right before `op`, which the helper's beta 0
// makes redundant.
linalg::FillOp zeroFillBefore(Operation *op, Value out) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || !fill.hasPureBufferSemantics() ||
      fill.getDpsInitOperand(0)->get() != out)
    return nullptr;
  Attribute value;
  if (!matchPattern(fill.getDpsInputOperand(0)->get(), m_Constant(&value)))
    return nullptr;
  auto f = dyn_cast<FloatAttr>(value);
  if (!f || !f.getValue().isZero())
    return nullptr;
  return fill;
}

// The buffer a view reads (through casts and other views).
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

// Whether `op` may write a buffer whose root is `root`.
bool mayWrite(Operation *op, Value root) {
  if (isMemoryEffectFree(op))
    return false;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    for (OpOperand &init : linalgOp.getDpsInitsMutable())
      if (rootOf(init.get()) == root)
        return true;
    return false;
  }
  if (isa<memref::AllocOp>(op))
    return false;
  if (isa<memref::DeallocOp>(op)) // freeing: transposedOperand's concern
    return false;
  if (auto call = dyn_cast<func::CallOp>(op))
    if (call.getCallee().starts_with("ej_blas_")) // writes its last buffer
      return rootOf(call.getOperands()[2]) == root;
  return true;
}

// A matmul operand that is a buffer of its own, filled by a transpose of
// the last two dimensions of a buffer `x` that nothing writes before the
// matmul: the copy is dropped and BLAS reads `x` through a transposed view
// (the helpers pass transposed layouts as transpose flags). The transposes
// of a gradient's matmuls (x^T g, g W^T) would otherwise be copied, with
// strided writes, at every step.
struct TransposedOperand {
  linalg::GenericOp copy;
  memref::AllocOp alloc;
  Value source;
  // Deallocations of the source between the copy and the matmul: they move
  // after the matmul, which now reads the source.
  SmallVector<memref::DeallocOp> sourceFrees;
};
std::optional<TransposedOperand>
transposedOperand(Value operand, Operation *matmul, Value output) {
  auto alloc = operand.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != matmul->getBlock())
    return std::nullopt;
  linalg::GenericOp copy;
  for (Operation *user : alloc->getUsers()) {
    if (user == matmul || isa<memref::DeallocOp>(user))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (!generic || copy || generic.getNumDpsInputs() != 1 ||
        generic.getNumDpsInits() != 1 ||
        generic.getDpsInitOperand(0)->get() != operand ||
        !generic.hasPureBufferSemantics() ||
        generic->getBlock() != matmul->getBlock() ||
        !generic->isBeforeInBlock(matmul))
      return std::nullopt;
    copy = generic;
  }
  if (!copy)
    return std::nullopt;
  // The body yields its input; the input map swaps the last two dimensions.
  Block &body = copy.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues().front() != body.getArgument(0))
    return std::nullopt;
  unsigned rank = copy.getNumLoops();
  if (rank < 2 || !copy.getIndexingMapsArray()[1].isIdentity())
    return std::nullopt;
  SmallVector<unsigned> perm(rank);
  for (unsigned i = 0; i < rank; ++i)
    perm[i] = i;
  std::swap(perm[rank - 1], perm[rank - 2]);
  if (copy.getIndexingMapsArray()[0] !=
      AffineMap::getPermutationMap(perm, copy.getContext()))
    return std::nullopt;
  Value source = copy.getDpsInputOperand(0)->get();
  Value root = rootOf(source);
  if (rootOf(output) == root) // the product would overwrite what it reads
    return std::nullopt;
  SmallVector<memref::DeallocOp> frees;
  for (Operation *op = copy->getNextNode(); op != matmul;
       op = op->getNextNode()) {
    if (mayWrite(op, root))
      return std::nullopt;
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
      if (rootOf(dealloc.getMemref()) == root)
        frees.push_back(dealloc);
  }
  return TransposedOperand{copy, alloc, source, frees};
}

template <class OpTy> struct MatmulToCall : OpRewritePattern<OpTy> {
  MatmulToCall(MLIRContext *ctx, StringRef suffix)
      : OpRewritePattern<OpTy>(ctx), suffix(suffix.str()) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics() || op.hasUserDefinedMaps())
      return rewriter.notifyMatchFailure(op, "not a plain matmul on memrefs");
    Value a = op.getDpsInputOperand(0)->get(),
          b = op.getDpsInputOperand(1)->get(),
          c = op.getDpsInitOperand(0)->get();
    auto ct = cast<MemRefType>(c.getType());
    Type element = ct.getElementType();
    if (!element.isF32() && !element.isF64())
      return rewriter.notifyMatchFailure(op, "BLAS multiplies f32 and f64");
    if (cast<MemRefType>(a.getType()).getElementType() != element ||
        cast<MemRefType>(b.getType()).getElementType() != element)
      return rewriter.notifyMatchFailure(op, "mixed element types");
    Location loc = op.getLoc();
    double beta = 1;
    if (linalg::FillOp fill = zeroFillBefore(op, c)) {
      rewriter.eraseOp(fill);
      beta = 0;
    }
    SmallVector<Value> args;
    SmallVector<TransposedOperand> dropped;
    auto transposedView = [&](Value v) -> Value {
      std::optional<TransposedOperand> t = transposedOperand(v, op, c);
      if (!t)
        return v;
      auto type = cast<MemRefType>(v.getType());
      SmallVector<unsigned> perm;
      for (unsigned i = 0; i < unsigned(type.getRank()); ++i)
        perm.push_back(i);
      std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
      dropped.push_back(*t);
      return memref::TransposeOp::create(
          rewriter, loc, t->source,
          AffineMapAttr::get(
              AffineMap::getPermutationMap(perm, op.getContext())));
    };
    Value aIn = transposedView(a);
    // a * a: the one view serves both operands.
    Value bIn = b == a ? aIn : transposedView(b);
    for (Value v : {aIn, bIn, c})
      args.push_back(memref::CastOp::create(
          rewriter, loc, dynamicStrided(cast<MemRefType>(v.getType())), v));
    args.push_back(arith::ConstantOp::create(
        rewriter, loc, element, rewriter.getFloatAttr(element, beta)));
    std::string name =
        std::string(element.isF32() ? "ej_blas_sgemm" : "ej_blas_dgemm") +
        suffix;
    func::FuncOp helper =
        declareHelper(rewriter, op, name, ValueRange(args).getTypes());
    auto call = rewriter.replaceOpWithNewOp<func::CallOp>(op, helper, args);
    for (TransposedOperand &t : dropped) {
      for (memref::DeallocOp dealloc : t.sourceFrees)
        rewriter.moveOpAfter(dealloc, call);
      rewriter.eraseOp(t.copy);
      for (Operation *user : llvm::make_early_inc_range(t.alloc->getUsers()))
        rewriter.eraseOp(user); // its deallocations
      rewriter.eraseOp(t.alloc);
    }
    return success();
  }

  std::string suffix;
};

struct EjLinalgToBlasPass
    : mlir::ej::impl::EjLinalgToBlasBase<EjLinalgToBlasPass> {
  void runOnOperation() override {
    // Walk and rewrite in place (no folding of the rest of the module).
    SmallVector<Operation *> matmuls;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
        matmuls.push_back(op);
    });
    RewritePatternSet set(&getContext());
    mlir::ej::populateLinalgToBlasPatterns(set);
    FrozenRewritePatternSet patterns(std::move(set));
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    bool changed = false;
    if (failed(applyOpPatternsGreedily(matmuls, patterns, config, &changed)))
      return signalPassFailure();
    getOperation().walk([&](func::CallOp call) {
      if (call.getCallee().starts_with("ej_blas_"))
        ++numCalls;
    });
  }
};

} // namespace

void mlir::ej::populateLinalgToBlasPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<MatmulToCall<linalg::MatmulOp>>(ctx, "");
  patterns.add<MatmulToCall<linalg::BatchMatmulOp>>(ctx, "_batched");
}
