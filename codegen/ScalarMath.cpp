//===- ScalarMath.cpp - The scalar math of the elementwise ej ops ---------===//
//
// One builder per functor of runtime/cpu/Math.h, kept in the same order.
// Float ops follow the C++ expressions of the functors literally (the
// comparison predicates are the ordered ones C++ uses, `!=` the unordered
// one), so that NaNs and signed zeros come out as in the interpreter.
//
//===----------------------------------------------------------------------===//
#include "codegen/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace mlir::ej;

namespace {

using Builder = std::function<Value(OpBuilder &, Location, ValueRange, Type)>;

Value constant(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, t, scalarAttr(t, v));
}

Value isNaN(OpBuilder &b, Location loc, Value x) {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
}

// Integer comparisons: bools compare as unsigned 0 < 1, the others signed.
arith::CmpIPredicate intPredicate(arith::CmpIPredicate signedPred, Type t) {
  if (!t.isInteger(1))
    return signedPred;
  switch (signedPred) {
  case arith::CmpIPredicate::slt:
    return arith::CmpIPredicate::ult;
  case arith::CmpIPredicate::sle:
    return arith::CmpIPredicate::ule;
  case arith::CmpIPredicate::sgt:
    return arith::CmpIPredicate::ugt;
  case arith::CmpIPredicate::sge:
    return arith::CmpIPredicate::uge;
  default:
    return signedPred;
  }
}

Value compare(OpBuilder &b, Location loc, arith::CmpFPredicate f,
              arith::CmpIPredicate i, Value x, Value y) {
  if (isFloatElement(x.getType()))
    return arith::CmpFOp::create(b, loc, f, x, y);
  return arith::CmpIOp::create(b, loc, intPredicate(i, x.getType()), x, y);
}

// Math.h's Pow for integers: by squaring over the exponent's bits; a
// negative exponent gives 1 for a base of 1, +-1 for -1 and 0 otherwise.
Value integerPow(OpBuilder &b, Location loc, Value a, Value e) {
  Type t = a.getType();
  unsigned bits = t.getIntOrFloatBitWidth();
  Value zero = constant(b, loc, t, 0), one = constant(b, loc, t, 1),
        minusOne = constant(b, loc, t, -1);
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, bits - 1);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, ValueRange{one, a, e},
      [&](OpBuilder &nb, Location l, Value, ValueRange it) {
        Value r = it[0], base = it[1], rest = it[2];
        Value odd = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::ne,
            arith::AndIOp::create(nb, l, rest, one), zero);
        r = arith::SelectOp::create(nb, l, odd,
                                    arith::MulIOp::create(nb, l, r, base), r);
        base = arith::MulIOp::create(nb, l, base, base);
        rest = arith::ShRUIOp::create(nb, l, rest, one);
        scf::YieldOp::create(nb, l, ValueRange{r, base, rest});
      });
  Value positive = loop.getResult(0);
  Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, one);
  Value isMinusOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, minusOne);
  Value oddExp =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                            arith::AndIOp::create(b, loc, e, one), zero);
  Value negative = arith::SelectOp::create(
      b, loc, isOne, one,
      arith::SelectOp::create(
          b, loc, isMinusOne,
          arith::SelectOp::create(b, loc, oddExp, minusOne, one), zero));
  Value isNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, e, zero);
  return arith::SelectOp::create(b, loc, isNegative, negative, positive);
}

// Never destroyed, as every table the code generators read: a region's
// compile may still run on its thread while the process exits.
const llvm::StringMap<Builder> &builders() {
  static const auto *table = new llvm::StringMap<Builder>([] {
    llvm::StringMap<Builder> m;
    auto floatUnary = [&](StringRef name, auto make) {
      m[name] = [make](OpBuilder &b, Location l, ValueRange a, Type) {
        return Value(make(b, l, a[0]));
      };
    };
    // --- Unary ---
    m["neg"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      if (isFloatElement(t))
        return arith::NegFOp::create(b, l, a[0]);
      return arith::SubIOp::create(b, l, constant(b, l, t, 0), a[0]);
    };
    m["abs"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      if (isFloatElement(t))
        return math::AbsFOp::create(b, l, a[0]);
      return math::AbsIOp::create(b, l, a[0]);
    };
    floatUnary("exp", [](OpBuilder &b, Location l, Value x) {
      return math::ExpOp::create(b, l, x);
    });
    floatUnary("log", [](OpBuilder &b, Location l, Value x) {
      return math::LogOp::create(b, l, x);
    });
    floatUnary("sqrt", [](OpBuilder &b, Location l, Value x) {
      return math::SqrtOp::create(b, l, x);
    });
    floatUnary("rsqrt", [](OpBuilder &b, Location l, Value x) {
      // T(1) / std::sqrt(x): math.rsqrt may be an estimate.
      return arith::DivFOp::create(b, l, constant(b, l, x.getType(), 1),
                                   math::SqrtOp::create(b, l, x));
    });
    m["square"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      if (isFloatElement(t))
        return arith::MulFOp::create(b, l, a[0], a[0]);
      return arith::MulIOp::create(b, l, a[0], a[0]);
    };
    floatUnary("tanh", [](OpBuilder &b, Location l, Value x) {
      return math::TanhOp::create(b, l, x);
    });
    floatUnary("sigmoid", [](OpBuilder &b, Location l, Value x) {
      // e = exp(-|x|); r = 1 / (1 + e); x >= 0 ? r : e * r.
      Type t = x.getType();
      Value e = math::ExpOp::create(
          b, l, arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x)));
      Value r = arith::DivFOp::create(
          b, l, constant(b, l, t, 1),
          arith::AddFOp::create(b, l, constant(b, l, t, 1), e));
      Value ge = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, x,
                                       constant(b, l, t, 0));
      return arith::SelectOp::create(b, l, ge, r,
                                     arith::MulFOp::create(b, l, e, r));
    });
    m["relu"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      // x > 0 || isnan(x) ? x : 0.
      Value zero = constant(b, l, t, 0);
      Value keep = isFloatElement(t)
                       ? Value(arith::CmpFOp::create(
                             b, l, arith::CmpFPredicate::UGT, a[0], zero))
                       : Value(arith::CmpIOp::create(
                             b, l, arith::CmpIPredicate::sgt, a[0], zero));
      return arith::SelectOp::create(b, l, keep, a[0], zero);
    };
    floatUnary("sin", [](OpBuilder &b, Location l, Value x) {
      return math::SinOp::create(b, l, x);
    });
    floatUnary("cos", [](OpBuilder &b, Location l, Value x) {
      return math::CosOp::create(b, l, x);
    });
    floatUnary("erf", [](OpBuilder &b, Location l, Value x) {
      return math::ErfOp::create(b, l, x);
    });
    floatUnary("floor", [](OpBuilder &b, Location l, Value x) {
      return math::FloorOp::create(b, l, x);
    });
    floatUnary("ceil", [](OpBuilder &b, Location l, Value x) {
      return math::CeilOp::create(b, l, x);
    });
    m["sign"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      // isnan(x) ? x : (x > 0) - (x < 0).
      Value zero = constant(b, l, t, 0);
      Value gt = compare(b, l, arith::CmpFPredicate::OGT,
                         arith::CmpIPredicate::sgt, a[0], zero);
      Value lt = compare(b, l, arith::CmpFPredicate::OLT,
                         arith::CmpIPredicate::slt, a[0], zero);
      Value s = arith::SelectOp::create(
          b, l, gt, constant(b, l, t, 1),
          arith::SelectOp::create(b, l, lt, constant(b, l, t, -1), zero));
      if (isFloatElement(t))
        s = arith::SelectOp::create(b, l, isNaN(b, l, a[0]), a[0], s);
      return s;
    };
    m["logical_not"] = [](OpBuilder &b, Location l, ValueRange a,
                          Type t) -> Value {
      return arith::XOrIOp::create(b, l, a[0], constant(b, l, t, 1));
    };
    m["cast"] = [](OpBuilder &b, Location l, ValueRange a, Type t) {
      return convertScalar(b, l, a[0], t);
    };
    m["broadcast_to"] = [](OpBuilder &, Location, ValueRange a, Type) {
      return a[0];
    };

    // --- Binary ---
    auto arithmetic = [&](StringRef name, auto f, auto i) {
      m[name] = [f, i](OpBuilder &b, Location l, ValueRange a,
                       Type t) -> Value {
        if (isFloatElement(t))
          return decltype(f)::create(b, l, a[0], a[1]);
        return decltype(i)::create(b, l, a[0], a[1]);
      };
    };
    arithmetic("add", arith::AddFOp(), arith::AddIOp());
    arithmetic("sub", arith::SubFOp(), arith::SubIOp());
    arithmetic("mul", arith::MulFOp(), arith::MulIOp());
    m["div"] = [](OpBuilder &b, Location l, ValueRange a, Type) -> Value {
      return arith::DivFOp::create(b, l, a[0], a[1]);
    };
    m["pow"] = [](OpBuilder &b, Location l, ValueRange a, Type t) -> Value {
      if (isFloatElement(t))
        return math::PowFOp::create(b, l, a[0], a[1]);
      return integerPow(b, l, a[0], a[1]);
    };
    // (a > b || isnan(a)) ? a : b, and the same with <.
    auto pick = [&](StringRef name, arith::CmpFPredicate f,
                    arith::CmpIPredicate i) {
      m[name] = [f, i](OpBuilder &b, Location l, ValueRange a,
                       Type t) -> Value {
        Value take = compare(b, l, f, i, a[0], a[1]);
        if (isFloatElement(t))
          take = arith::OrIOp::create(b, l, take, isNaN(b, l, a[0]));
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

    // --- Comparisons ---
    auto relation = [&](StringRef name, arith::CmpFPredicate f,
                        arith::CmpIPredicate i) {
      m[name] = [f, i](OpBuilder &b, Location l, ValueRange a, Type) {
        return compare(b, l, f, i, a[0], a[1]);
      };
    };
    relation("equal", arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
    relation("not_equal", arith::CmpFPredicate::UNE, arith::CmpIPredicate::ne);
    relation("less", arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
    relation("less_equal", arith::CmpFPredicate::OLE,
             arith::CmpIPredicate::sle);
    relation("greater", arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
    relation("greater_equal", arith::CmpFPredicate::OGE,
             arith::CmpIPredicate::sge);

    m["where"] = [](OpBuilder &b, Location l, ValueRange a, Type) -> Value {
      return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
    };
    return m;
  }());
  return *table;
}

} // namespace

bool mlir::ej::hasScalarMath(StringRef mnemonic) {
  return builders().count(mnemonic) != 0;
}

Value mlir::ej::buildScalarMath(OpBuilder &b, Location loc, StringRef mnemonic,
                                ValueRange operands, Type result) {
  return builders().lookup(mnemonic)(b, loc, operands, result);
}

TypedAttr mlir::ej::scalarAttr(Type t, double value) {
  if (isFloatElement(t))
    return FloatAttr::get(t, value);
  if (t.isInteger(1))
    return IntegerAttr::get(t, value != 0 ? 1 : 0);
  return IntegerAttr::get(t, int64_t(value));
}

Value mlir::ej::convertScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) { // anything to bool is != 0
    Value zero = constant(b, loc, from, 0);
    if (isFloatElement(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (from.isInteger(1)) // bools are 0 or 1
    return isFloatElement(to) ? Value(arith::UIToFPOp::create(b, loc, to, x))
                              : Value(arith::ExtUIOp::create(b, loc, to, x));
  unsigned fromBits = from.getIntOrFloatBitWidth(),
           toBits = to.getIntOrFloatBitWidth();
  if (isFloatElement(from) && isFloatElement(to))
    return fromBits < toBits ? Value(arith::ExtFOp::create(b, loc, to, x))
                             : Value(arith::TruncFOp::create(b, loc, to, x));
  if (isFloatElement(to))
    return arith::SIToFPOp::create(b, loc, to, x);
  if (!isFloatElement(from))
    return fromBits < toBits ? Value(arith::ExtSIOp::create(b, loc, to, x))
                             : Value(arith::TruncIOp::create(b, loc, to, x));
  // Float to integer (Math.h's saturate): NaN gives 0, v <= min gives min,
  // v >= max gives max, the rest truncates toward zero.
  double lo = -std::ldexp(1.0, int(toBits) - 1);
  double hi = std::ldexp(1.0, int(toBits) - 1) - 1;
  Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x,
                                      constant(b, loc, from, lo));
  Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x,
                                      constant(b, loc, from, hi));
  Value inRange = arith::XOrIOp::create(
      b, loc,
      arith::OrIOp::create(b, loc, arith::OrIOp::create(b, loc, below, above),
                           isNaN(b, loc, x)),
      constant(b, loc, b.getI1Type(), 1));
  Value safe =
      arith::SelectOp::create(b, loc, inRange, x, constant(b, loc, from, 0));
  Value i = arith::FPToSIOp::create(b, loc, to, safe);
  auto limit = [&](bool max) {
    return arith::ConstantOp::create(
        b, loc, to,
        b.getIntegerAttr(to, max ? llvm::APInt::getSignedMaxValue(toBits)
                                 : llvm::APInt::getSignedMinValue(toBits)));
  };
  i = arith::SelectOp::create(b, loc, below, limit(false), i);
  return arith::SelectOp::create(b, loc, above, limit(true), i);
}
