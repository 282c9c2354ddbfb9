//===- CudaScalar.cpp - Scalar ej math as CUDA C statements ---------------===//
//
// Prints the arith, math and scf ops that codegen/ScalarMath builds. Float
// comparisons keep their ordered/unordered meaning (`<` is ordered in C,
// the unordered predicates are negated ordered ones); math functions are
// CUDA's full-precision ones (expf, not __expf).
//
//===----------------------------------------------------------------------===//
#include "codegen/CudaScalar.h"
#include "codegen/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ej;
using namespace mlir::ej::cuda;

std::string cuda::cType(Type t) {
  if (t.isF32())
    return "float";
  if (t.isF64())
    return "double";
  if (t.isInteger(1))
    return "bool";
  if (t.isInteger(32))
    return "int";
  if (t.isInteger(64) || t.isIndex())
    return "long long";
  llvm_unreachable("not an ej element type");
}

namespace {

std::string floatLiteral(double v, bool f32) {
  if (std::isnan(v))
    return f32 ? "__int_as_float(0x7fc00000)"
               : "__longlong_as_double(0x7ff8000000000000LL)";
  if (std::isinf(v)) {
    if (f32)
      return v > 0 ? "__int_as_float(0x7f800000)"
                   : "__int_as_float(0xff800000)";
    return v > 0 ? "__longlong_as_double(0x7ff0000000000000LL)"
                 : "__longlong_as_double(0xfff0000000000000LL)";
  }
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format(f32 ? "%.9g" : "%.17g", v);
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  if (f32)
    s += "f";
  return v < 0 || std::signbit(v) ? "(" + s + ")" : s;
}

std::string intLiteral(const APInt &v, unsigned bits) {
  if (bits == 1)
    return v.isZero() ? "false" : "true";
  int64_t x = v.getSExtValue();
  std::string suffix = bits == 64 ? "LL" : "";
  if (v.isMinSignedValue())
    return "(" + std::to_string(x + 1) + suffix + " - 1)";
  std::string s = std::to_string(x) + suffix;
  return x < 0 ? "(" + s + ")" : s;
}

std::string cmpF(arith::CmpFPredicate p, const std::string &a,
                 const std::string &b) {
  using P = arith::CmpFPredicate;
  auto ordered = [&](StringRef op) {
    return "(" + a + " " + op.str() + " " + b + ")";
  };
  // Unordered: true when either is NaN, so the negation of the ordered
  // complement.
  auto unordered = [&](StringRef complement) {
    return "!(" + a + " " + complement.str() + " " + b + ")";
  };
  switch (p) {
  case P::AlwaysFalse:
    return "false";
  case P::AlwaysTrue:
    return "true";
  case P::OEQ:
    return ordered("==");
  case P::OGT:
    return ordered(">");
  case P::OGE:
    return ordered(">=");
  case P::OLT:
    return ordered("<");
  case P::OLE:
    return ordered("<=");
  case P::ONE:
    return "(" + a + " < " + b + " || " + a + " > " + b + ")";
  case P::ORD:
    return "(" + a + " == " + a + " && " + b + " == " + b + ")";
  case P::UEQ:
    return "(" + a + " != " + a + " || " + b + " != " + b + " || " + a +
           " == " + b + ")";
  case P::UGT:
    return unordered("<=");
  case P::UGE:
    return unordered("<");
  case P::ULT:
    return unordered(">=");
  case P::ULE:
    return unordered(">");
  case P::UNE:
    return ordered("!=");
  case P::UNO:
    if (a == b) // isnan
      return "(" + a + " != " + a + ")";
    return "(" + a + " != " + a + " || " + b + " != " + b + ")";
  }
  llvm_unreachable("unknown predicate");
}

std::string cmpI(arith::CmpIPredicate p, const std::string &a,
                 const std::string &b) {
  using P = arith::CmpIPredicate;
  auto bin = [&](StringRef op, bool isUnsigned) {
    if (isUnsigned)
      return "((unsigned long long)(" + a + ") " + op.str() +
             " (unsigned long long)(" + b + "))";
    return "(" + a + " " + op.str() + " " + b + ")";
  };
  switch (p) {
  case P::eq:
    return bin("==", false);
  case P::ne:
    return bin("!=", false);
  case P::slt:
    return bin("<", false);
  case P::sle:
    return bin("<=", false);
  case P::sgt:
    return bin(">", false);
  case P::sge:
    return bin(">=", false);
  case P::ult:
    return bin("<", true);
  case P::ule:
    return bin("<=", true);
  case P::ugt:
    return bin(">", true);
  case P::uge:
    return bin(">=", true);
  }
  llvm_unreachable("unknown predicate");
}

// The CUDA math function `name` for f32 (suffix f) or f64.
std::string mathCall(StringRef name, Type t, ArrayRef<std::string> args) {
  std::string s = name.str() + (t.isF32() ? "f(" : "(");
  for (auto [i, a] : llvm::enumerate(args))
    s += (i ? ", " : "") + a;
  return s + ")";
}

} // namespace

std::string cuda::literal(TypedAttr value) {
  if (auto f = dyn_cast<FloatAttr>(value))
    return floatLiteral(f.getValueAsDouble(), f.getType().isF32());
  auto i = cast<IntegerAttr>(value);
  if (i.getType().isIndex())
    return std::to_string(i.getInt()) + "LL";
  return intLiteral(i.getValue(), i.getType().getIntOrFloatBitWidth());
}

ScalarPrinter::ScalarPrinter(MLIRContext *ctx, llvm::raw_ostream &os,
                             std::function<std::string()> fresh)
    : ctx(ctx), os(os), fresh(std::move(fresh)) {
  ctx->loadDialect<arith::ArithDialect, math::MathDialect, scf::SCFDialect>();
}

std::string ScalarPrinter::print(
    ArrayRef<std::string> operands, TypeRange types,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> build) {
  // A block in a scratch module: ops are built where they have a context.
  Location loc = UnknownLoc::get(ctx);
  if (!scratch)
    scratch = ModuleOp::create(loc);
  Block &block = scratch->getBodyRegion().emplaceBlock();
  for (Type t : types)
    block.addArgument(t, loc);
  OpBuilder b = OpBuilder::atBlockEnd(&block);
  Value result = build(b, loc, block.getArguments());

  llvm::DenseMap<Value, std::string> names;
  for (auto [arg, c] : llvm::zip(block.getArguments(), operands))
    names[arg] = c;
  std::string pad(indent, ' ');
  auto name = [&](Value v) { return names.lookup(v); };
  // One `const` temporary per op; scf.for loops become C for loops whose
  // carried values are mutable variables.
  std::function<void(Block &, unsigned)> emitBlock = [&](Block &body,
                                                         unsigned depth) {
    std::string p = pad + std::string(depth * 2, ' ');
    for (Operation &op : body) {
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        SmallVector<std::string> carried;
        for (auto [init, res] :
             llvm::zip(loop.getInitArgs(), loop.getResults())) {
          std::string v = fresh();
          os << p << cType(res.getType()) << " " << v << " = " << name(init)
             << ";\n";
          carried.push_back(v);
          names[res] = v;
        }
        std::string iv = fresh();
        os << p << "for (long long " << iv << " = "
           << name(loop.getLowerBound()) << "; " << iv << " < "
           << name(loop.getUpperBound()) << "; " << iv
           << " += " << name(loop.getStep()) << ") {\n";
        Block &inner = *loop.getBody();
        names[inner.getArgument(0)] = iv;
        for (auto [arg, v] : llvm::zip(loop.getRegionIterArgs(), carried))
          names[arg] = v;
        emitBlock(inner, depth + 1);
        auto yield = cast<scf::YieldOp>(inner.getTerminator());
        // Every carried value is read before any is replaced.
        SmallVector<std::string> next;
        for (Value y : yield.getOperands()) {
          std::string t = fresh();
          os << p << "  const " << cType(y.getType()) << " " << t << " = "
             << name(y) << ";\n";
          next.push_back(t);
        }
        for (auto [v, n] : llvm::zip(carried, next))
          os << p << "  " << v << " = " << n << ";\n";
        os << p << "}\n";
        continue;
      }
      if (isa<scf::YieldOp>(op))
        continue;
      Type t = op.getResult(0).getType();
      auto a = [&](unsigned i) { return name(op.getOperand(i)); };
      auto bin = [&](StringRef sym) {
        return "(" + a(0) + " " + sym.str() + " " + a(1) + ")";
      };
      auto convertTo = [&] { return "(" + cType(t) + ")(" + a(0) + ")"; };
      std::string expr =
          llvm::TypeSwitch<Operation *, std::string>(&op)
              .Case([&](arith::ConstantOp c) {
                return literal(mlir::cast<TypedAttr>(c.getValue()));
              })
              .Case<arith::AddFOp, arith::AddIOp>(
                  [&](Operation *) { return bin("+"); })
              .Case<arith::SubFOp, arith::SubIOp>(
                  [&](Operation *) { return bin("-"); })
              .Case<arith::MulFOp, arith::MulIOp>(
                  [&](Operation *) { return bin("*"); })
              .Case([&](arith::DivFOp) { return bin("/"); })
              .Case([&](arith::NegFOp) { return "(-" + a(0) + ")"; })
              .Case([&](arith::AndIOp) {
                return t.isInteger(1) ? bin("&&") : bin("&");
              })
              .Case([&](arith::OrIOp) {
                return t.isInteger(1) ? bin("||") : bin("|");
              })
              .Case([&](arith::XOrIOp) {
                return t.isInteger(1) ? bin("!=") : bin("^");
              })
              .Case([&](arith::ShRUIOp) {
                std::string u =
                    t.isInteger(32) ? "unsigned" : "unsigned long long";
                return "(" + cType(t) + ")((" + u + ")(" + a(0) + ") >> " +
                       a(1) + ")";
              })
              .Case([&](arith::CmpFOp c) {
                return cmpF(c.getPredicate(), a(0), a(1));
              })
              .Case([&](arith::CmpIOp c) {
                return cmpI(c.getPredicate(), a(0), a(1));
              })
              .Case([&](arith::SelectOp) {
                return "(" + a(0) + " ? " + a(1) + " : " + a(2) + ")";
              })
              .Case<arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp,
                    arith::UIToFPOp, arith::FPToSIOp, arith::ExtSIOp,
                    arith::ExtUIOp, arith::TruncIOp>(
                  [&](Operation *) { return convertTo(); })
              .Case([&](math::AbsFOp) { return mathCall("fabs", t, a(0)); })
              .Case([&](math::AbsIOp) {
                return "(" + a(0) + " < 0 ? -" + a(0) + " : " + a(0) + ")";
              })
              .Case([&](math::ExpOp) { return mathCall("exp", t, a(0)); })
              .Case([&](math::LogOp) { return mathCall("log", t, a(0)); })
              .Case([&](math::SqrtOp) { return mathCall("sqrt", t, a(0)); })
              .Case([&](math::TanhOp) { return mathCall("tanh", t, a(0)); })
              .Case([&](math::SinOp) { return mathCall("sin", t, a(0)); })
              .Case([&](math::CosOp) { return mathCall("cos", t, a(0)); })
              .Case([&](math::FloorOp) { return mathCall("floor", t, a(0)); })
              .Case([&](math::CeilOp) { return mathCall("ceil", t, a(0)); })
              .Case([&](math::ErfOp) { return mathCall("erf", t, a(0)); })
              .Case([&](math::PowFOp) {
                return mathCall("pow", t, {a(0), a(1)});
              })
              .Default([&](Operation *o) -> std::string {
                llvm::report_fatal_error(
                    llvm::Twine("CUDA C emitter: no C form for ") +
                    o->getName().getStringRef());
              });
      if (isa<arith::ConstantOp>(op)) {
        names[op.getResult(0)] = expr;
        continue;
      }
      std::string v = fresh();
      os << p << "const " << cType(t) << " " << v << " = " << expr << ";\n";
      names[op.getResult(0)] = v;
    }
  };
  emitBlock(block, 0);
  std::string r = name(result);
  block.dropAllDefinedValueUses();
  block.erase();
  return r;
}

std::string ScalarPrinter::op(StringRef mnemonic,
                              ArrayRef<std::string> operands, TypeRange types,
                              Type result) {
  return print(operands, types, [&](OpBuilder &b, Location l, ValueRange a) {
    return buildScalarMath(b, l, mnemonic, a, result);
  });
}

std::string ScalarPrinter::convert(const std::string &x, Type from, Type to) {
  if (from == to)
    return x;
  return print({x}, {from}, [&](OpBuilder &b, Location l, ValueRange a) {
    return convertScalar(b, l, a[0], to);
  });
}

std::string ScalarPrinter::multiply(const std::string &lhs,
                                    const std::string &rhs, Type t) {
  return print({lhs, rhs}, {t, t}, [&](OpBuilder &b, Location l, ValueRange a) {
    return buildScalarMath(b, l, "mul", a, t);
  });
}
