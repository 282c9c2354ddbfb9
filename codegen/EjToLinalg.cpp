//===- EjToLinalg.cpp - Fusible ej ops to linalg on tensors ---------------===//
//
// Every elementwise op becomes a linalg.generic whose indexing maps do the
// broadcasting and whose body is the op's scalar math, written to match the
// interpreter's functors (runtime/cpu/Math.h). Reductions become generics
// with reduction iterators over a filled init. The element types are the
// ej ones: f32, f64, i1, i32, i64.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

namespace mlir::ej {
#define GEN_PASS_DEF_CONVERTEJTOLINALG
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;
using namespace mlir::ej;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

bool isFloat(Type t) { return isa<FloatType>(t); }

// The scalar body of an elementwise op: operands already of the op's
// element types; returns the result element.
using ScalarFn =
    std::function<Value(OpBuilder &, Location, ValueRange, Type result)>;

Value constantLike(OpBuilder &b, Location loc, Type t, double v) {
  if (isFloat(t))
    return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
  return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, int64_t(v)));
}

Value isNaN(OpBuilder &b, Location loc, Value x) {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
}

// x converted to element type `to`, as ej.cast does.
Value convert(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) { // anything to bool is != 0
    Value zero = constantLike(b, loc, from, 0);
    if (isFloat(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (from.isInteger(1)) // bools are 0 or 1
    return isFloat(to) ? Value(arith::UIToFPOp::create(b, loc, to, x))
                       : Value(arith::ExtUIOp::create(b, loc, to, x));
  if (isFloat(from) && isFloat(to))
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? Value(arith::ExtFOp::create(b, loc, to, x))
               : Value(arith::TruncFOp::create(b, loc, to, x));
  if (isFloat(to))
    return arith::SIToFPOp::create(b, loc, to, x);
  if (!isFloat(from)) // integer widths
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? Value(arith::ExtSIOp::create(b, loc, to, x))
               : Value(arith::TruncIOp::create(b, loc, to, x));
  // Float to integer: truncate toward zero, saturate, NaN gives 0.
  unsigned bits = to.getIntOrFloatBitWidth();
  double lo = -std::ldexp(1.0, int(bits) - 1);
  double hi = std::ldexp(1.0, int(bits) - 1);
  Value t = math::TruncOp::create(b, loc, x);
  Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, t,
                                      constantLike(b, loc, from, lo));
  Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, t,
                                      constantLike(b, loc, from, hi));
  Value safe = arith::SelectOp::create(
      b, loc, arith::OrIOp::create(b, loc, below, above),
      constantLike(b, loc, from, 0), t);
  safe = arith::SelectOp::create(b, loc, isNaN(b, loc, x),
                                 constantLike(b, loc, from, 0), safe);
  Value i = arith::FPToSIOp::create(b, loc, to, safe);
  auto intAttr = [&](bool max) {
    return arith::ConstantOp::create(
        b, loc, to,
        b.getIntegerAttr(to, max ? llvm::APInt::getSignedMaxValue(bits)
                                 : llvm::APInt::getSignedMinValue(bits)));
  };
  i = arith::SelectOp::create(b, loc, below, intAttr(false), i);
  return arith::SelectOp::create(b, loc, above, intAttr(true), i);
}

// The scalar math of each elementwise op, by mnemonic.
const llvm::StringMap<ScalarFn> &scalarFns() {
  static const llvm::StringMap<ScalarFn> fns = [] {
    llvm::StringMap<ScalarFn> m;
    auto unaryF = [&](StringRef name, auto make) {
      m[name] = [make](OpBuilder &b, Location loc, ValueRange a, Type) {
        return Value(make(b, loc, a[0]));
      };
    };
    unaryF("exp", [](OpBuilder &b, Location l, Value x) {
      return math::ExpOp::create(b, l, x);
    });
    unaryF("log", [](OpBuilder &b, Location l, Value x) {
      return math::LogOp::create(b, l, x);
    });
    unaryF("sqrt", [](OpBuilder &b, Location l, Value x) {
      return math::SqrtOp::create(b, l, x);
    });
    unaryF("rsqrt", [](OpBuilder &b, Location l, Value x) {
      return arith::DivFOp::create(b, l, constantLike(b, l, x.getType(), 1),
                                   math::SqrtOp::create(b, l, x));
    });
    unaryF("tanh", [](OpBuilder &b, Location l, Value x) {
      return math::TanhOp::create(b, l, x);
    });
    unaryF("sin", [](OpBuilder &b, Location l, Value x) {
      return math::SinOp::create(b, l, x);
    });
    unaryF("cos", [](OpBuilder &b, Location l, Value x) {
      return math::CosOp::create(b, l, x);
    });
    unaryF("floor", [](OpBuilder &b, Location l, Value x) {
      return math::FloorOp::create(b, l, x);
    });
    unaryF("ceil", [](OpBuilder &b, Location l, Value x) {
      return math::CeilOp::create(b, l, x);
    });
    unaryF("sigmoid", [](OpBuilder &b, Location l, Value x) {
      // e = exp(-|x|); x >= 0 ? 1 / (1 + e) : e / (1 + e), as the kernel.
      Type t = x.getType();
      Value e = math::ExpOp::create(
          b, l, arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x)));
      Value d = arith::AddFOp::create(b, l, constantLike(b, l, t, 1), e);
      Value pos = arith::DivFOp::create(b, l, constantLike(b, l, t, 1), d);
      Value neg = arith::DivFOp::create(b, l, e, d);
      Value ge = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, x,
                                       constantLike(b, l, t, 0));
      return arith::SelectOp::create(b, l, ge, pos, neg);
    });
    m["neg"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      if (isFloat(t))
        return arith::NegFOp::create(b, l, a[0]);
      return arith::SubIOp::create(b, l, constantLike(b, l, t, 0), a[0]);
    };
    m["abs"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      if (isFloat(t))
        return math::AbsFOp::create(b, l, a[0]);
      return math::AbsIOp::create(b, l, a[0]);
    };
    m["square"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      if (isFloat(t))
        return arith::MulFOp::create(b, l, a[0], a[0]);
      return arith::MulIOp::create(b, l, a[0], a[0]);
    };
    m["relu"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      Value zero = constantLike(b, l, t, 0);
      if (isFloat(t)) { // x > 0 || isnan(x) ? x : 0
        Value keep =
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::UGT, a[0], zero);
        return arith::SelectOp::create(b, l, keep, a[0], zero);
      }
      Value keep =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, a[0], zero);
      return arith::SelectOp::create(b, l, keep, a[0], zero);
    };
    m["sign"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      Value zero = constantLike(b, l, t, 0), one = constantLike(b, l, t, 1),
            minus = constantLike(b, l, t, -1);
      Value gt, lt;
      if (isFloat(t)) {
        gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, a[0], zero);
        lt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, a[0], zero);
      } else {
        gt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, a[0], zero);
        lt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a[0], zero);
      }
      Value s = arith::SelectOp::create(
          b, l, gt, one, arith::SelectOp::create(b, l, lt, minus, zero));
      if (isFloat(t)) // NaN stays NaN
        s = arith::SelectOp::create(b, l, isNaN(b, l, a[0]), a[0], s);
      return s;
    };
    m["logical_not"] = [](OpBuilder &b, Location l, ValueRange a,
                          Type t) -> Value {
      return arith::XOrIOp::create(b, l, a[0], constantLike(b, l, t, 1));
    };
    auto arithmetic = [&](StringRef name, auto f, auto i) {
      m[name] = [f, i](OpBuilder &b, Location l, ValueRange a,
                       Type t) -> Value {
        if (isFloat(t))
          return f(b, l, a[0], a[1]);
        return i(b, l, a[0], a[1]);
      };
    };
    arithmetic(
        "add",
        [](OpBuilder &b, Location l, Value x, Value y) {
          return Value(arith::AddFOp::create(b, l, x, y));
        },
        [](OpBuilder &b, Location l, Value x, Value y) {
          return Value(arith::AddIOp::create(b, l, x, y));
        });
    arithmetic(
        "sub",
        [](OpBuilder &b, Location l, Value x, Value y) {
          return Value(arith::SubFOp::create(b, l, x, y));
        },
        [](OpBuilder &b, Location l, Value x, Value y) {
          return Value(arith::SubIOp::create(b, l, x, y));
        });
    arithmetic(
        "mul",
        [](OpBuilder &b, Location l, Value x, Value y) {
          return Value(arith::MulFOp::create(b, l, x, y));
        },
        [](OpBuilder &b, Location l, Value x, Value y) {
          return Value(arith::MulIOp::create(b, l, x, y));
        });
    m["div"] = [](OpBuilder &b, Location l, ValueRange a, Type) -> Value {
      return arith::DivFOp::create(b, l, a[0], a[1]);
    };
    m["pow"] = [](OpBuilder &b, Location l, ValueRange a, Type) -> Value {
      return math::PowFOp::create(b, l, a[0], a[1]);
    };
    // (a > b || isnan(a)) ? a : b, and the same with <.
    auto pick = [&](StringRef name, arith::CmpFPredicate f,
                    arith::CmpIPredicate i) {
      m[name] = [f, i](OpBuilder &b, Location l, ValueRange a,
                       Type t) -> Value {
        Value take;
        if (isFloat(t))
          take = arith::OrIOp::create(
              b, l, arith::CmpFOp::create(b, l, f, a[0], a[1]),
              isNaN(b, l, a[0]));
        else
          take = arith::CmpIOp::create(b, l, i, a[0], a[1]);
        return arith::SelectOp::create(b, l, take, a[0], a[1]);
      };
    };
    pick("maximum", arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
    pick("minimum", arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
    m["logical_and"] = [](OpBuilder &b, Location l, ValueRange a,
                          Type) -> Value {
      return arith::AndIOp::create(b, l, a[0], a[1]);
    };
    m["logical_or"] = [](OpBuilder &b, Location l, ValueRange a,
                         Type) -> Value {
      return arith::OrIOp::create(b, l, a[0], a[1]);
    };
    auto compare = [&](StringRef name, arith::CmpFPredicate f,
                       arith::CmpIPredicate i) {
      m[name] = [f, i](OpBuilder &b, Location l, ValueRange a, Type) -> Value {
        if (isFloat(a[0].getType()))
          return arith::CmpFOp::create(b, l, f, a[0], a[1]);
        return arith::CmpIOp::create(b, l, i, a[0], a[1]);
      };
    };
    compare("equal", arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
    compare("not_equal", arith::CmpFPredicate::UNE, arith::CmpIPredicate::ne);
    compare("less", arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
    compare("less_equal", arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle);
    compare("greater", arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
    compare("greater_equal", arith::CmpFPredicate::OGE,
            arith::CmpIPredicate::sge);
    m["where"] = [](OpBuilder &b, Location l, ValueRange a, Type) -> Value {
      return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
    };
    m["cast"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      return convert(b, l, a[0], t);
    };
    m["broadcast_to"] = [](OpBuilder &, Location, ValueRange a, Type) {
      return a[0];
    };
    return m;
  }();
  return fns;
}

// The indexing map reading `operand` (right-aligned, size-1 axes
// broadcast) in the iteration space of `result`.
AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand,
                       RankedTensorType result) {
  int64_t r = result.getRank(), o = operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t j = 0; j < o; ++j) {
    int64_t k = j + r - o;
    if (operand.getDimSize(j) == 1 && result.getDimSize(k) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(unsigned(k), ctx));
  }
  return AffineMap::get(unsigned(r), 0, exprs, ctx);
}

struct ElementwiseToLinalg : ConversionPattern {
  ElementwiseToLinalg(MLIRContext *ctx)
      : ConversionPattern(MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (op->getDialect() == nullptr ||
        op->getDialect()->getNamespace() != "ej" || op->getNumResults() != 1)
      return failure();
    auto it = scalarFns().find(op->getName().stripDialect());
    if (it == scalarFns().end())
      return failure();
    if (op->getName().stripDialect() == "pow" &&
        !isFloat(typeOf(op->getResult(0)).getElementType()))
      return rewriter.notifyMatchFailure(op, "integer pow is not lowered");
    const ScalarFn &fn = it->second;
    Location loc = op->getLoc();
    auto result = typeOf(op->getResult(0));
    MLIRContext *ctx = op->getContext();
    SmallVector<AffineMap> maps;
    for (Value v : operands)
      maps.push_back(broadcastMap(ctx, typeOf(v), result));
    maps.push_back(
        AffineMap::getMultiDimIdentityMap(unsigned(result.getRank()), ctx));
    SmallVector<utils::IteratorType> iterators(result.getRank(),
                                               utils::IteratorType::parallel);
    Value init = tensor::EmptyOp::create(rewriter, loc, result.getShape(),
                                         result.getElementType());
    Type element = result.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{result}, operands, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = fn(b, l, args.drop_back(), element);
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct FillToLinalg : OpConversionPattern<FillOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FillOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = typeOf(op.getResult());
    Location loc = op.getLoc();
    Type element = type.getElementType();
    Value scalar = convert(rewriter, loc,
                           constantLike(rewriter, loc, rewriter.getF64Type(),
                                        op.getValue().convertToDouble()),
                           element);
    Value init =
        tensor::EmptyOp::create(rewriter, loc, type.getShape(), element);
    rewriter.replaceOp(op, linalg::FillOp::create(rewriter, loc, scalar, init));
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
      return failure();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

// Copies and stop_gradient are their operand, as values.
template <class OpTy> struct Forward : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getOperand());
    return success();
  }
};

struct ReshapeToTensor : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = typeOf(op.getResult());
    Location loc = op.getLoc();
    auto shapeType =
        RankedTensorType::get({type.getRank()}, rewriter.getIndexType());
    SmallVector<APInt> dims;
    for (int64_t d : type.getShape())
      dims.push_back(APInt(64, uint64_t(d)));
    Value shape = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(shapeType, dims));
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, type,
                                                   adaptor.getOperand(), shape);
    return success();
  }
};

// sum, mean, max, min, prod over `axes` into a filled init.
template <class OpTy> struct ReduceToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getOperand();
    auto in = typeOf(x);
    auto out = typeOf(op.getResult());
    Type element = in.getElementType();
    int64_t rank = in.getRank();
    ArrayRef<int64_t> axes = op.getAxes();
    MLIRContext *ctx = op.getContext();
    SmallVector<utils::IteratorType> iterators;
    SmallVector<AffineExpr> outExprs;
    SmallVector<int64_t> kept;
    int64_t count = 1;
    for (int64_t d = 0; d < rank; ++d) {
      bool reduced = axes.empty() || llvm::is_contained(axes, d);
      iterators.push_back(reduced ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
      if (!reduced) {
        outExprs.push_back(getAffineDimExpr(unsigned(d), ctx));
        kept.push_back(in.getDimSize(d));
      } else {
        count *= in.getDimSize(d);
      }
    }
    StringRef name = op->getName().stripDialect();
    bool isFloatType = isFloat(element);
    double initial = 0;
    if (name == "reduce_prod")
      initial = 1;
    Value init;
    auto keptType = RankedTensorType::get(kept, element);
    Value empty = tensor::EmptyOp::create(rewriter, loc, kept, element);
    if (name == "reduce_max" || name == "reduce_min") {
      bool max = name == "reduce_max";
      Attribute a;
      if (isFloatType)
        a = rewriter.getFloatAttr(
            element, max ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity());
      else {
        unsigned bits = element.getIntOrFloatBitWidth();
        a = rewriter.getIntegerAttr(element,
                                    max ? APInt::getSignedMinValue(bits)
                                        : APInt::getSignedMaxValue(bits));
      }
      Value c = arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(a));
      init = linalg::FillOp::create(rewriter, loc, c, empty).getResult(0);
    } else {
      init = linalg::FillOp::create(
                 rewriter, loc, constantLike(rewriter, loc, element, initial),
                 empty)
                 .getResult(0);
    }
    SmallVector<AffineMap> maps{
        AffineMap::getMultiDimIdentityMap(unsigned(rank), ctx),
        AffineMap::get(unsigned(rank), 0, outExprs, ctx)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{keptType}, ValueRange{x}, ValueRange{init},
        maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = args[0], acc = args[1], r;
          if (name == "reduce_sum" || name == "reduce_mean")
            r = isFloatType ? Value(arith::AddFOp::create(b, l, acc, v))
                            : Value(arith::AddIOp::create(b, l, acc, v));
          else if (name == "reduce_prod")
            r = isFloatType ? Value(arith::MulFOp::create(b, l, acc, v))
                            : Value(arith::MulIOp::create(b, l, acc, v));
          else // the kernel's (v > acc || isnan(v)) ? v : acc
            r = scalarFns().lookup(name == "reduce_max" ? "maximum"
                                                        : "minimum")(
                b, l, ValueRange{v, acc}, element);
          linalg::YieldOp::create(b, l, r);
        });
    Value result = generic.getResult(0);
    if (name == "reduce_mean") {
      Value e2 = tensor::EmptyOp::create(rewriter, loc, kept, element);
      SmallVector<AffineMap> idMaps(
          2, AffineMap::getMultiDimIdentityMap(unsigned(kept.size()), ctx));
      SmallVector<utils::IteratorType> par(kept.size(),
                                           utils::IteratorType::parallel);
      result = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{keptType}, ValueRange{result},
                   ValueRange{e2}, idMaps, par,
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     // The sum times 1 / count, as the kernel does.
                     linalg::YieldOp::create(
                         b, l,
                         Value(arith::MulFOp::create(
                             b, l, args[0],
                             constantLike(
                                 b, l, element,
                                 1.0 / double(std::max<int64_t>(count, 1))))));
                   })
                   .getResult(0);
    }
    if (keptType != out) {
      auto shapeType =
          RankedTensorType::get({out.getRank()}, rewriter.getIndexType());
      SmallVector<APInt> dims;
      for (int64_t d : out.getShape())
        dims.push_back(APInt(64, uint64_t(d)));
      Value shape = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(shapeType, dims));
      result = tensor::ReshapeOp::create(rewriter, loc, out, result, shape);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConvertEjToLinalgPass
    : mlir::ej::impl::ConvertEjToLinalgBase<ConvertEjToLinalgPass> {
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           func::FuncDialect>();
    target.addIllegalDialect<EjDialect>();
    RewritePatternSet patterns(&getContext());
    populateEjToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::ej::populateEjToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwiseToLinalg, FillToLinalg, ConstantToArith,
               Forward<CopyOp>, Forward<StopGradientOp>, ReshapeToTensor,
               ReduceToLinalg<ReduceSumOp>, ReduceToLinalg<ReduceMeanOp>,
               ReduceToLinalg<ReduceMaxOp>, ReduceToLinalg<ReduceMinOp>,
               ReduceToLinalg<ReduceProdOp>>(ctx);
}

bool mlir::ej::isLowerableToLinalg(Operation *op) {
  if (!op->getDialect() || op->getDialect()->getNamespace() != "ej" ||
      op->getNumResults() != 1)
    return false;
  StringRef name = op->getName().stripDialect();
  if (name == "pow")
    return isFloat(typeOf(op->getResult(0)).getElementType());
  return scalarFns().count(name) ||
         isa<FillOp, ConstantOp, CopyOp, StopGradientOp, ReshapeOp, ReduceSumOp,
             ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(op);
}
