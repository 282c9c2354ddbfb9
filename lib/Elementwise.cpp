//===- Elementwise.cpp - Unary, binary, comparison, where, cast ----------===//
#include "ej/ops.h"
#include "lib/OpSupport.h"

namespace ej {
using namespace detail;

namespace {

enum class Kind {
  Arith,   // numbers; bool is an error
  Float,   // numbers, integers made float32 (div)
  Logical, // bool only
  Compare, // anything; result bool
};

Tensor binary(OpCode op, Kind kind, const Tensor &a, const Tensor &b) {
  const char *name = op_name(op);
  TensorImpl *x = need(a, name, "a"), *y = need(b, name, "b");
  DType ct = join(x, y);
  if (kind == Kind::Logical) {
    if (x->dtype != bool_ || y->dtype != bool_)
      fail(name, std::string("expected bool operands, got ") +
                     dtype_name(x->dtype) + " and " + dtype_name(y->dtype));
  } else if (kind != Kind::Compare && ct == bool_) {
    fail(name, "bool operands are not supported; cast them to a number first");
  }
  if (kind == Kind::Float && !is_floating(ct))
    ct = float32;
  Dims shape = broadcast_shapes(name, x->dims(), y->dims());
  Tensor ma, mb;
  Record r(op);
  r.add_input(coerce(a, ct, ma));
  r.add_input(coerce(b, ct, mb));
  return run(r, kind == Kind::Compare ? bool_ : ct, shape.list(),
             x->weak && y->weak);
}

enum class UKind {
  Number,  // int and float keep their dtype; bool is an error
  Float,   // ints and bool become float32
  Round,   // floats only; integers are already whole (returned as they are)
  Logical, // bool only
};

Tensor unary(OpCode op, UKind kind, const Tensor &x) {
  const char *name = op_name(op);
  TensorImpl *t = need(x, name, "x");
  DType dt = t->dtype;
  switch (kind) {
  case UKind::Number:
    if (dt == bool_)
      fail(name, "bool input is not supported; cast it to a number first");
    break;
  case UKind::Float:
    if (!is_floating(dt))
      dt = float32;
    break;
  case UKind::Round:
    if (dt == bool_)
      fail(name, "bool input is not supported; cast it to a number first");
    if (!is_floating(dt))
      return x;
    break;
  case UKind::Logical:
    if (dt != bool_)
      fail(name, std::string("expected a bool operand, got ") + dtype_name(dt));
    break;
  }
  Tensor made;
  Record r(op);
  r.add_input(coerce(x, dt, made));
  return run(r, dt, t->dims(), t->weak);
}

} // namespace

#define EJ_BINARY_API(fn, Op, kind)                                            \
  Tensor fn(const Tensor &a, const Tensor &b) {                                \
    return binary(OpCode::Op, Kind::kind, a, b);                               \
  }
EJ_BINARY_API(add, Add, Arith)
EJ_BINARY_API(sub, Sub, Arith)
EJ_BINARY_API(mul, Mul, Arith)
EJ_BINARY_API(div, Div, Float)
EJ_BINARY_API(pow, Pow, Arith)
EJ_BINARY_API(maximum, Maximum, Arith)
EJ_BINARY_API(minimum, Minimum, Arith)
EJ_BINARY_API(logical_and, LogicalAnd, Logical)
EJ_BINARY_API(logical_or, LogicalOr, Logical)
EJ_BINARY_API(equal, Equal, Compare)
EJ_BINARY_API(not_equal, NotEqual, Compare)
EJ_BINARY_API(less, Less, Compare)
EJ_BINARY_API(less_equal, LessEqual, Compare)
EJ_BINARY_API(greater, Greater, Compare)
EJ_BINARY_API(greater_equal, GreaterEqual, Compare)
#undef EJ_BINARY_API

#define EJ_UNARY_API(fn, Op, kind)                                             \
  Tensor fn(const Tensor &x) { return unary(OpCode::Op, UKind::kind, x); }
EJ_UNARY_API(neg, Neg, Number)
EJ_UNARY_API(abs, Abs, Number)
EJ_UNARY_API(exp, Exp, Float)
EJ_UNARY_API(log, Log, Float)
EJ_UNARY_API(sqrt, Sqrt, Float)
EJ_UNARY_API(rsqrt, Rsqrt, Float)
EJ_UNARY_API(square, Square, Number)
EJ_UNARY_API(tanh, Tanh, Float)
EJ_UNARY_API(sigmoid, Sigmoid, Float)
EJ_UNARY_API(relu, Relu, Number)
EJ_UNARY_API(sin, Sin, Float)
EJ_UNARY_API(cos, Cos, Float)
EJ_UNARY_API(erf, Erf, Float)
EJ_UNARY_API(floor, Floor, Round)
EJ_UNARY_API(ceil, Ceil, Round)
EJ_UNARY_API(sign, Sign, Number)
EJ_UNARY_API(logical_not, LogicalNot, Logical)
#undef EJ_UNARY_API

Tensor where(const Tensor &cond, const Tensor &a, const Tensor &b) {
  TensorImpl *c = need(cond, "where", "cond"), *x = need(a, "where", "a"),
             *y = need(b, "where", "b");
  if (c->dtype != bool_)
    fail("where",
         std::string("expected a bool condition, got ") + dtype_name(c->dtype));
  DType ct = join(x, y);
  Dims ab = broadcast_shapes("where", x->dims(), y->dims());
  Dims shape = broadcast_shapes("where", c->dims(), ab.list());
  Tensor ma, mb;
  Record r(OpCode::Where);
  r.add_input(c);
  r.add_input(coerce(a, ct, ma));
  r.add_input(coerce(b, ct, mb));
  return run(r, ct, shape.list(), x->weak && y->weak);
}

Tensor cast(const Tensor &x, DType dtype) {
  TensorImpl *t = need(x, "cast", "x");
  if (t->dtype == dtype && !t->weak)
    return x;
  Record r(OpCode::Cast);
  r.add_input(t);
  r.attrs.dtype = dtype;
  return run(r, dtype, t->dims());
}

Tensor operator+(const Tensor &a, const Tensor &b) { return add(a, b); }
Tensor operator-(const Tensor &a, const Tensor &b) { return sub(a, b); }
Tensor operator*(const Tensor &a, const Tensor &b) { return mul(a, b); }
Tensor operator/(const Tensor &a, const Tensor &b) { return div(a, b); }
Tensor operator-(const Tensor &x) { return neg(x); }
Tensor operator==(const Tensor &a, const Tensor &b) { return equal(a, b); }
Tensor operator!=(const Tensor &a, const Tensor &b) { return not_equal(a, b); }
Tensor operator<(const Tensor &a, const Tensor &b) { return less(a, b); }
Tensor operator<=(const Tensor &a, const Tensor &b) { return less_equal(a, b); }
Tensor operator>(const Tensor &a, const Tensor &b) { return greater(a, b); }
Tensor operator>=(const Tensor &a, const Tensor &b) {
  return greater_equal(a, b);
}
Tensor operator&&(const Tensor &a, const Tensor &b) {
  return logical_and(a, b);
}
Tensor operator||(const Tensor &a, const Tensor &b) { return logical_or(a, b); }
Tensor operator!(const Tensor &x) { return logical_not(x); }

} // namespace ej
