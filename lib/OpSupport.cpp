//===- OpSupport.cpp - Checks, broadcasting, dtype joins, the record path -===//
#include "lib/OpSupport.h"
#include "lib/ShapeRules.h"
#include "lib/Trace.h"
#include "runtime/cpu/Kernels.h"

#include <algorithm>

namespace ej::detail {

Dims::Dims(IntList l) {
  for (int64_t v : l)
    push(v);
}

void fail(const char *op, const std::string &msg) {
  throw Error(std::string(op) + ": " + msg);
}

TensorImpl *need(const Tensor &t, const char *op, const char *arg) {
  if (!t.defined())
    fail(op, std::string("argument '") + arg + "' is an undefined tensor");
  return t.impl();
}

TensorImpl *need_value(const Tensor &t, const char *op, const char *arg,
                       bool observe) {
  TensorImpl *impl = need(t, op, arg);
  if (observe || !impl->storage) {
    Trace::current().boundary();
    if (!impl->storage)
      fail(op, "the tensor is being computed by another thread's deferred "
               "region");
  }
  return impl;
}

int64_t normalize_axis(const char *op, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    fail(op, "axis " + std::to_string(axis) + " is out of range for rank " +
                 std::to_string(rank) +
                 (rank ? " (expected -" + std::to_string(rank) + " <= axis < " +
                             std::to_string(rank) + ")"
                       : std::string(" (a scalar has no axes)")));
  return axis < 0 ? axis + rank : axis;
}

void check_shape(const char *op, IntList shape) {
  if (shape.size() > size_t(kMaxRank))
    fail(op, "rank " + std::to_string(shape.size()) +
                 " exceeds the maximum rank " + std::to_string(kMaxRank));
  for (int64_t d : shape)
    if (d < 0)
      fail(op, "negative dimension in shape " + shape_str(shape));
}

Dims broadcast_shapes(const char *op, IntList a, IntList b) {
  Dims out;
  size_t r = std::max(a.size(), b.size());
  if (r > size_t(kMaxRank))
    fail(op, "rank " + std::to_string(r) + " exceeds the maximum rank " +
                 std::to_string(kMaxRank));
  if (!rules::broadcast(a.data(), a.size(), b.data(), b.size(), out.d))
    fail(op, "shapes " + shape_str(a) + " and " + shape_str(b) +
                 " cannot be broadcast together");
  out.n = int(r);
  return out;
}

std::string shape_of(const TensorImpl *t) { return shape_str(t->dims()); }

DType join(const TensorImpl *a, const TensorImpl *b) {
  if (a->weak == b->weak)
    return promote_types(a->dtype, b->dtype);
  const TensorImpl *w = a->weak ? a : b, *s = a->weak ? b : a;
  Category cw = category(w->dtype), cs = category(s->dtype);
  if (cw <= cs)
    return s->dtype;
  return cw == Category::Float ? float32 : int32;
}

Tensor coerce(const Tensor &t, DType to) {
  TensorImpl *x = t.impl();
  if (x->dtype == to)
    return t;
  // A C++ literal is re-made in the dtype it meets, so that a trace shows
  // `x + 1` as one constant of x's dtype rather than a constant and a cast
  // (every weak value but a large int64 is exact in a double). A weak value
  // computed from literals (`abs(2.5) + 1`) is cast: its value may be
  // deferred.
  if (x->literal && x->rank == 0 && x->dtype != int64) {
    // A literal's value is there already (it is a leaf, never deferred);
    // reading it is not an observation.
    Record r(OpCode::Fill);
    runtime::dispatch<runtime::math::kAll>(x->dtype, "coerce", [&](auto tag) {
      r.attrs.f[0] = double(*x->data_as<decltype(tag)>());
    });
    r.attrs.dtype = to;
    return run(r, to, {});
  }
  Record r(OpCode::Cast);
  r.add_input(x);
  r.attrs.dtype = to;
  return run(r, to, x->dims());
}

Tensor interpreted_copy(TensorImpl *t) {
  Record copy(OpCode::Copy);
  copy.add_input(t);
  copy.result = new_impl(t->dtype, t->dims());
  Tensor result(copy.result);
  interpret(copy);
  return result;
}

Tensor run(Record &r, DType dtype, IntList shape, bool weak) {
  TensorImpl *out = new_impl(dtype, shape);
  out->weak = weak;
  Tensor result(out); // owns `out` even if the kernel throws
  r.result = out;
  Trace::current().run(r);
  return result;
}

} // namespace ej::detail
