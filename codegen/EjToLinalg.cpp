//===- EjToLinalg.cpp - ej ops to linalg, tensor, arith and math ----------===//
//
// Every elementwise op becomes a linalg.generic whose indexing maps do the
// NumPy broadcasting and whose body is the op's scalar math
// (codegen/ScalarMath.h). Reductions are generics with reduction iterators
// accumulating as the interpreter does (float32 sums in float64, integer
// sums in int64); matmul is linalg.matmul / linalg.batch_matmul, which
// ej-linalg-to-blas turns into BLAS calls after bufferization. Shape ops
// become generics (transpose, reversed slices) or tensor ops that bufferize
// to views and copies (reshapes, slices, concat, pad).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/ScalarMath.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

#define DEBUG_TYPE "convert-ej-to-linalg"

namespace mlir::ej {
#define GEN_PASS_DEF_CONVERTEJTOLINALG
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;
using namespace mlir::ej;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value constantOf(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, t, scalarAttr(t, v));
}

SmallVector<utils::IteratorType> parallel(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

// The indexing map reading `operand` (right-aligned, size-1 axes
// broadcast) in the iteration space of `result`.
AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand,
                       ArrayRef<int64_t> result) {
  int64_t r = int64_t(result.size()), o = operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t j = 0; j < o; ++j) {
    int64_t k = j + r - o;
    if (operand.getDimSize(j) == 1 && result[k] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(unsigned(k), ctx));
  }
  return AffineMap::get(unsigned(r), 0, exprs, ctx);
}

// `x` in the shape of `type` (same elements, row-major): expand_shape or
// collapse_shape where one does, else through a 1-d collapse. Both
// bufferize to views of a row-major buffer.
Value reshapeTo(OpBuilder &b, Location loc, Value x, RankedTensorType type) {
  auto from = typeOf(x);
  if (from == type)
    return x;
  auto groups = [](ArrayRef<int64_t> small, ArrayRef<int64_t> large)
      -> std::optional<SmallVector<ReassociationIndices>> {
    // Each axis of `small` is the product of a run of axes of `large`.
    SmallVector<ReassociationIndices> result;
    if (small.empty()) {
      if (llvm::all_of(large, [](int64_t d) { return d == 1; }))
        return result;
      return std::nullopt;
    }
    size_t j = 0;
    for (size_t i = 0; i < small.size(); ++i) {
      ReassociationIndices group;
      int64_t product = 1;
      while (j < large.size() &&
             (group.empty() || product < small[i] || (i + 1 == small.size()))) {
        if (!group.empty() && product == small[i] && large[j] != 1)
          break;
        product *= large[j];
        group.push_back(int64_t(j++));
      }
      if (product != small[i] || group.empty())
        return std::nullopt;
      result.push_back(group);
    }
    if (j != large.size())
      return std::nullopt;
    return result;
  };
  if (from.getRank() < type.getRank())
    if (auto g = groups(from.getShape(), type.getShape()))
      return tensor::ExpandShapeOp::create(b, loc, type, x, *g);
  if (from.getRank() > type.getRank())
    if (auto g = groups(type.getShape(), from.getShape()))
      return tensor::CollapseShapeOp::create(b, loc, type, x, *g);
  auto flat =
      RankedTensorType::get({from.getNumElements()}, from.getElementType());
  Value f = reshapeTo(b, loc, x, flat);
  return reshapeTo(b, loc, f, type);
}

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType t) {
  return tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType());
}

Value filled(OpBuilder &b, Location loc, RankedTensorType t, TypedAttr v) {
  Value c = arith::ConstantOp::create(b, loc, v);
  return linalg::FillOp::create(b, loc, c, emptyLike(b, loc, t)).getResult(0);
}

// One linalg.generic computing `fn` elementwise over `result`'s shape from
// `inputs` read through `maps`.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType result,
                  ValueRange inputs, ArrayRef<AffineMap> maps,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> all(maps);
  all.push_back(
      AffineMap::getMultiDimIdentityMap(unsigned(result.getRank()), ctx));
  return linalg::GenericOp::create(
             b, loc, TypeRange{result}, inputs,
             ValueRange{emptyLike(b, loc, result)}, all,
             parallel(result.getRank()),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, fn(nb, l, args.drop_back()));
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Elementwise ops, casts, where, broadcast_to
//===----------------------------------------------------------------------===//

struct ElementwiseToGeneric : ConversionPattern {
  ElementwiseToGeneric(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<EjDialect>(op->getDialect()) || op->getNumResults() != 1 ||
        !hasScalarMath(op->getName().stripDialect()))
      return failure();
    auto result = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op->getResult(0).getType()));
    if (!result)
      return rewriter.notifyMatchFailure(op, "unsupported result type");
    SmallVector<AffineMap> maps;
    for (Value v : operands)
      maps.push_back(
          broadcastMap(op->getContext(), typeOf(v), result.getShape()));
    StringRef name = op->getName().stripDialect();
    Type element = result.getElementType();
    Value v = elementwise(rewriter, op->getLoc(), result, operands, maps,
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            return buildScalarMath(b, l, name, args, element);
                          });
    rewriter.replaceOp(op, v);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Creation and identities
//===----------------------------------------------------------------------===//

struct FillToLinalg : OpConversionPattern<FillOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FillOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = typeOf(op.getResult());
    rewriter.replaceOp(op, filled(rewriter, op.getLoc(), type,
                                  scalarAttr(type.getElementType(),
                                             op.getValue().convertToDouble())));
    return success();
  }
};

struct ConstantToArith : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "not a dense constant");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

// copy and stop_gradient are their operand, as values.
template <class OpTy> struct Forward : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getOperand());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

struct ReshapeToTensor : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, op.getLoc(), adaptor.getOperand(),
                                 typeOf(op.getResult())));
    return success();
  }
};

// Result axis i is operand axis perm[i]: a generic reading the operand
// through the inverse permutation, so that it fuses with its neighbours.
struct TransposeToGeneric : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = typeOf(op.getResult());
    ArrayRef<int64_t> perm = op.getPerm();
    SmallVector<AffineExpr> exprs(perm.size());
    for (auto [i, p] : llvm::enumerate(perm))
      exprs[size_t(p)] = rewriter.getAffineDimExpr(unsigned(i));
    AffineMap map =
        AffineMap::get(unsigned(perm.size()), 0, exprs, rewriter.getContext());
    rewriter.replaceOp(
        op, elementwise(rewriter, op.getLoc(), result, adaptor.getOperand(),
                        map, [](OpBuilder &, Location, ValueRange args) {
                          return args[0];
                        }));
    return success();
  }
};

// Positive steps are a tensor.extract_slice (a strided view once
// bufferized); a negative step reads the operand at start + step * i.
struct SliceToTensor : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = typeOf(op.getResult());
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    Location loc = op.getLoc();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (int64_t d = 0; d < result.getRank(); ++d) {
        offsets.push_back(rewriter.getIndexAttr(starts[d]));
        sizes.push_back(rewriter.getIndexAttr(result.getDimSize(d)));
        strides.push_back(rewriter.getIndexAttr(steps[d]));
      }
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, result, adaptor.getOperand(), offsets, sizes, strides);
      return success();
    }
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < result.getRank(); ++d)
      exprs.push_back(rewriter.getAffineDimExpr(unsigned(d)) * steps[d] +
                      starts[d]);
    AffineMap map = AffineMap::get(unsigned(result.getRank()), 0, exprs,
                                   rewriter.getContext());
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, result, adaptor.getOperand(), map,
                        [](OpBuilder &, Location, ValueRange args) {
                          return args[0];
                        }));
    return success();
  }
};

// Inserts `x` into `into` at `offsets` (unit strides).
Value insertAt(OpBuilder &b, Location loc, Value x, Value into,
               ArrayRef<int64_t> offsets) {
  auto t = typeOf(x);
  SmallVector<OpFoldResult> offs, sizes, strides;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    offs.push_back(b.getIndexAttr(offsets[d]));
    sizes.push_back(b.getIndexAttr(t.getDimSize(d)));
    strides.push_back(b.getIndexAttr(1));
  }
  return tensor::InsertSliceOp::create(b, loc, x, into, offs, sizes, strides);
}

struct ConcatToTensor : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = typeOf(op.getResult());
    Location loc = op.getLoc();
    int64_t axis = int64_t(op.getAxis());
    Value acc = emptyLike(rewriter, loc, result);
    SmallVector<int64_t> offsets(result.getRank(), 0);
    for (Value x : adaptor.getInputs()) {
      acc = insertAt(rewriter, loc, x, acc, offsets);
      offsets[axis] += typeOf(x).getDimSize(axis);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
};

struct PadToTensor : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto result = typeOf(op.getResult());
    Location loc = op.getLoc();
    Value init = filled(
        rewriter, loc, result,
        scalarAttr(result.getElementType(), op.getValue().convertToDouble()));
    rewriter.replaceOp(
        op, insertAt(rewriter, loc, adaptor.getOperand(), init, op.getLow()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// The accumulator element of a reduction: wide for sums and products.
Type accumulatorType(StringRef name, Type element) {
  if (name == "reduce_max" || name == "reduce_min")
    return element;
  Builder b(element.getContext());
  return isFloatElement(element) ? Type(b.getF64Type()) : Type(b.getI64Type());
}

TypedAttr reductionInit(StringRef name, Type acc) {
  if (name == "reduce_max" || name == "reduce_min") {
    bool max = name == "reduce_max";
    if (isFloatElement(acc))
      return FloatAttr::get(acc, max ? -std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::infinity());
    unsigned bits = acc.getIntOrFloatBitWidth();
    return IntegerAttr::get(acc, max ? APInt::getSignedMinValue(bits)
                                     : APInt::getSignedMaxValue(bits));
  }
  return scalarAttr(acc, name == "reduce_prod" ? 1 : 0);
}

template <class OpTy> struct ReduceToGeneric : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getOperand();
    auto in = typeOf(x), out = typeOf(op.getResult());
    Type element = in.getElementType();
    StringRef name = op->getName().stripDialect();
    Type accType = accumulatorType(name, element);
    ArrayRef<int64_t> axes = op.getAxes();
    int64_t rank = in.getRank();
    SmallVector<utils::IteratorType> iterators;
    SmallVector<AffineExpr> keptExprs;
    SmallVector<int64_t> kept;
    int64_t count = 1;
    for (int64_t d = 0; d < rank; ++d) {
      bool reduced = axes.empty() || llvm::is_contained(axes, d);
      iterators.push_back(reduced ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
      if (reduced) {
        count *= in.getDimSize(d);
      } else {
        keptExprs.push_back(getAffineDimExpr(unsigned(d), ctx));
        kept.push_back(in.getDimSize(d));
      }
    }
    auto accTensor = RankedTensorType::get(kept, accType);
    Value init = filled(rewriter, loc, accTensor, reductionInit(name, accType));
    bool isFloat = isFloatElement(element);
    // Sums and products may reassociate: they are accumulated in float64,
    // and it lets LLVM vectorize the loop.
    auto reassoc =
        arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::reassoc);
    auto nsz = arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::nsz);
    Value acc =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{accTensor}, ValueRange{x},
            ValueRange{init},
            {AffineMap::getMultiDimIdentityMap(unsigned(rank), ctx),
             AffineMap::get(unsigned(rank), 0, keptExprs, ctx)},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = convertScalar(b, l, args[0], accType), a = args[1], r;
              if (rank == 0)
                // One element, and no reduction loop: the generic must not
                // read its init, or elementwise fusion, which sees only
                // parallel loops, would run the accumulation once per
                // element of the consumer it fuses into.
                r = v;
              else if (name == "reduce_sum" || name == "reduce_mean")
                r = isFloat ? Value(arith::AddFOp::create(b, l, a, v, reassoc))
                            : Value(arith::AddIOp::create(b, l, a, v));
              else if (name == "reduce_prod")
                r = isFloat ? Value(arith::MulFOp::create(b, l, a, v, reassoc))
                            : Value(arith::MulIOp::create(b, l, a, v));
              else if (isFloat)
                // NaN-propagating, as the kernels' fold of Maximum::f(acc,
                // v) is; unlike that compare-and-select chain, LLVM
                // vectorizes it. Only the sign of a zero result may
                // differ, when +0 and -0 tie, as it does between orders
                // of that fold: so the signs of zeros are left to the
                // code (nsz), which spares x86 three of the six
                // instructions per vector that order them.
                r = name == "reduce_max"
                        ? Value(arith::MaximumFOp::create(b, l, a, v, nsz))
                        : Value(arith::MinimumFOp::create(b, l, a, v, nsz));
              else
                r = buildScalarMath(
                    b, l, name == "reduce_max" ? "maximum" : "minimum",
                    ValueRange{a, v}, accType);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    auto keptType = RankedTensorType::get(kept, element);
    if (name == "reduce_mean" || accType != element) {
      // The result: the mean as double(acc) * (1 / count), or the
      // accumulator rounded once to the element type.
      int64_t rankKept = int64_t(kept.size());
      AffineMap id = AffineMap::getMultiDimIdentityMap(unsigned(rankKept), ctx);
      bool mean = name == "reduce_mean";
      double inv = 1.0 / double(count);
      acc = elementwise(rewriter, loc, keptType, acc, id,
                        [&](OpBuilder &b, Location l, ValueRange args) {
                          Value v = args[0];
                          if (mean)
                            v = arith::MulFOp::create(
                                b, l, v, constantOf(b, l, accType, inv));
                          return convertScalar(b, l, v, element);
                        });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, acc, out));
    return success();
  }
};

// argmax / argmin along one axis: a generic with two accumulators (the best
// value and its index), updated as the interpreter's loop does: the first
// NaN wins and ends the search, ties keep the first index.
template <class OpTy, bool Max>
struct ArgReduceToGeneric : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getOperand();
    auto in = typeOf(x), out = typeOf(op.getResult());
    Type element = in.getElementType();
    int64_t axis = int64_t(op.getAxis()), rank = in.getRank();
    SmallVector<utils::IteratorType> iterators;
    SmallVector<AffineExpr> keptExprs;
    for (int64_t d = 0; d < rank; ++d) {
      iterators.push_back(d == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (d != axis)
        keptExprs.push_back(getAffineDimExpr(unsigned(d), ctx));
    }
    auto valueType = RankedTensorType::get(out.getShape(), element);
    Value best =
        filled(rewriter, loc, valueType,
               reductionInit(Max ? "reduce_max" : "reduce_min", element));
    Value index =
        filled(rewriter, loc, out, IntegerAttr::get(out.getElementType(), 0));
    AffineMap keptMap = AffineMap::get(unsigned(rank), 0, keptExprs, ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, out}, ValueRange{x},
        ValueRange{best, index},
        {AffineMap::getMultiDimIdentityMap(unsigned(rank), ctx), keptMap,
         keptMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value c = args[0], bv = args[1], bi = args[2];
          Value j = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          Value better;
          if (isFloatElement(element)) {
            Value cmp = arith::CmpFOp::create(b, l,
                                              Max ? arith::CmpFPredicate::OGT
                                                  : arith::CmpFPredicate::OLT,
                                              c, bv);
            Value cNaN =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, c, c);
            Value bvNumber =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::ORD, bv, bv);
            better = arith::AndIOp::create(
                b, l, bvNumber, arith::OrIOp::create(b, l, cmp, cNaN));
          } else {
            better = arith::CmpIOp::create(b, l,
                                           Max ? arith::CmpIPredicate::sgt
                                               : arith::CmpIPredicate::slt,
                                           c, bv);
          }
          // The first element always sets the accumulators (an integer
          // extreme equal to the initial value too).
          Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, j,
                                              constantOf(b, l, j.getType(), 0));
          better = arith::OrIOp::create(b, l, better, first);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, c, bv),
                         arith::SelectOp::create(b, l, better, j, bi)});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

// `x` with its leading batch axes broadcast to `batch` (a copy), or `x`.
Value broadcastBatch(OpBuilder &b, Location loc, Value x,
                     ArrayRef<int64_t> batch) {
  auto t = typeOf(x);
  SmallVector<int64_t> shape(batch);
  shape.append(t.getShape().take_back(2).begin(),
               t.getShape().take_back(2).end());
  if (ArrayRef<int64_t>(shape) == t.getShape())
    return x;
  auto result = RankedTensorType::get(shape, t.getElementType());
  return elementwise(b, loc, result, x, broadcastMap(b.getContext(), t, shape),
                     [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

// (..., n, k) x (..., k, m): a plain linalg.matmul when the right operand has
// no batch (the left one's batch axes fold into its rows), else the batch
// axes are broadcast, flattened into one, and a linalg.batch_matmul runs.
struct MatMulToLinalg : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = adaptor.getLhs(), b = adaptor.getRhs();
    auto ta = typeOf(a), tb = typeOf(b), out = typeOf(op.getResult());
    Type element = out.getElementType();
    int64_t n = ta.getDimSize(ta.getRank() - 2),
            k = ta.getDimSize(ta.getRank() - 1),
            m = tb.getDimSize(tb.getRank() - 1);
    ArrayRef<int64_t> batch = out.getShape().drop_back(2);
    int64_t batchCount = 1;
    for (int64_t d : batch)
      batchCount *= d;
    auto zero = scalarAttr(element, 0);
    Value result;
    bool rhsUnbatched = tb.getNumElements() == k * m;
    if (rhsUnbatched) {
      Value a2 =
          reshapeTo(rewriter, loc, broadcastBatch(rewriter, loc, a, batch),
                    RankedTensorType::get({batchCount * n, k}, element));
      Value b2 =
          reshapeTo(rewriter, loc, b, RankedTensorType::get({k, m}, element));
      auto t2 = RankedTensorType::get({batchCount * n, m}, element);
      result = linalg::MatmulOp::create(
                   rewriter, loc, TypeRange{t2}, ValueRange{a2, b2},
                   ValueRange{filled(rewriter, loc, t2, zero)})
                   .getResult(0);
    } else {
      Value a3 =
          reshapeTo(rewriter, loc, broadcastBatch(rewriter, loc, a, batch),
                    RankedTensorType::get({batchCount, n, k}, element));
      Value b3 =
          reshapeTo(rewriter, loc, broadcastBatch(rewriter, loc, b, batch),
                    RankedTensorType::get({batchCount, k, m}, element));
      auto t3 = RankedTensorType::get({batchCount, n, m}, element);
      result = linalg::BatchMatmulOp::create(
                   rewriter, loc, TypeRange{t3}, ValueRange{a3, b3},
                   ValueRange{filled(rewriter, loc, t3, zero)})
                   .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, out));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

// ej types are builtin tensors: the converter accepts the ranked static
// ones (as themselves) and rejects the rest, variables included.
struct EjTypeConverter : TypeConverter {
  EjTypeConverter() {
    addConversion([](Type t) -> std::optional<Type> {
      if (isa<TensorType>(t) || isa<VariableType>(t))
        return std::nullopt;
      return t;
    });
    addConversion([](RankedTensorType t) -> std::optional<Type> {
      if (t.hasStaticShape())
        return Type(t);
      return std::nullopt;
    });
  }
};

// Moves the bodies of ej.fusion regions into their blocks: as values, a
// fusion is its body.
void inlineFusions(Operation *root) {
  SmallVector<FusionOp> fusions;
  root->walk([&](FusionOp f) { fusions.push_back(f); });
  IRRewriter rewriter(root->getContext());
  for (FusionOp f : fusions) {
    Block &body = f.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    SmallVector<Value> results(yield.getValues());
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(&body, f, f.getInputs());
    rewriter.replaceOp(f, results);
  }
}

struct ConvertEjToLinalgPass
    : mlir::ej::impl::ConvertEjToLinalgBase<ConvertEjToLinalgPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Unsupported ops first, each with its own error: the caller (the JIT)
    // keeps such a function on the interpreter.
    bool unsupported = false;
    func.walk([&](Operation *op) {
      if (!isa<EjDialect>(op->getDialect()) || isa<FusionOp, YieldOp>(op) ||
          isLowerableToLinalg(op))
        return;
      op->emitOpError("cannot be lowered to linalg (convert-ej-to-linalg "
                      "handles elementwise ops, reductions, matmul and "
                      "shape ops on tensors)");
      unsupported = true;
    });
    if (unsupported)
      return signalPassFailure();
    inlineFusions(func);

    EjTypeConverter converter;
    ConversionTarget target(getContext());
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect>();
    target.addIllegalDialect<EjDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    RewritePatternSet patterns(&getContext());
    populateEjToLinalgConversionPatterns(patterns, converter);
    if (failed(applyPartialConversion(func, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::ej::populateEjToLinalgConversionPatterns(
    RewritePatternSet &patterns, const TypeConverter &converter) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwiseToGeneric>(converter, ctx);
  patterns.add<
      FillToLinalg, ConstantToArith, Forward<CopyOp>, Forward<StopGradientOp>,
      ReshapeToTensor, TransposeToGeneric, SliceToTensor, ConcatToTensor,
      PadToTensor, ReduceToGeneric<ReduceSumOp>, ReduceToGeneric<ReduceMeanOp>,
      ReduceToGeneric<ReduceMaxOp>, ReduceToGeneric<ReduceMinOp>,
      ReduceToGeneric<ReduceProdOp>, ArgReduceToGeneric<ArgMaxOp, true>,
      ArgReduceToGeneric<ArgMinOp, false>, MatMulToLinalg>(converter, ctx);
}

void mlir::ej::populateEjToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  // Never destroyed: a region's compile may still run while the process
  // exits.
  static const auto *converter = new EjTypeConverter;
  populateEjToLinalgConversionPatterns(patterns, *converter);
}

bool mlir::ej::isLowerableToLinalg(Operation *op) {
  if (!isa_and_nonnull<EjDialect>(op->getDialect()) || op->getNumResults() != 1)
    return false;
  if (auto c = dyn_cast<ConstantOp>(op))
    return isa<DenseElementsAttr>(c.getValue());
  // The interpreter refuses extremes over an empty axis: no identity.
  auto emptyAxis = [&](ArrayRef<int64_t> axes) {
    auto t = typeOf(op->getOperand(0));
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (t.getDimSize(d) == 0 && (axes.empty() || llvm::is_contained(axes, d)))
        return true;
    return false;
  };
  if (isa<ArgMaxOp, ArgMinOp>(op))
    return !emptyAxis(op->getAttrOfType<IntegerAttr>("axis").getInt());
  if (isa<ReduceMaxOp, ReduceMinOp>(op))
    return !emptyAxis(
        op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef());
  // A concat of many pieces (a batch stacked from single elements) would be
  // one loop nest per piece: LLVM takes seconds on it, the interpreter's
  // copy kernel microseconds.
  if (auto concat = dyn_cast<ConcatOp>(op))
    return concat.getInputs().size() <= 16;
  return hasScalarMath(op->getName().stripDialect()) ||
         isa<FillOp, CopyOp, StopGradientOp, ReshapeOp, TransposeOp, SliceOp,
             ConcatOp, PadOp, ReduceSumOp, ReduceMeanOp, ReduceMaxOp,
             ReduceMinOp, ReduceProdOp, MatMulOp>(op);
}
