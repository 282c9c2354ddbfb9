//===- Reductions.cpp - reduce_*, argmax/argmin, global_norm -------------===//
//
// Sums and products keep the input's dtype (bool counts as int64), max and
// min keep it too, mean is floating (integers give float32).
//
//===----------------------------------------------------------------------===//
#include "ej/ops.h"
#include "lib/OpSupport.h"
#include "lib/ShapeRules.h"

namespace ej {
using namespace detail;

namespace {

Tensor reduce(OpCode op, const Tensor &x, IntList axes, bool keepdims) {
  const char *name = op_name(op);
  TensorImpl *t = need(x, name, "x");
  bool reduced[kMaxRank];
  rules::AxesCheck check =
      rules::reduced_axes(axes.data(), axes.size(), t->rank, reduced);
  if (check.kind == rules::AxesCheck::OutOfRange)
    normalize_axis(name, check.axis, t->rank); // throws with the details
  if (check.kind == rules::AxesCheck::Duplicate)
    fail(name, "axis " + std::to_string(check.axis) + " is given twice");
  DType in = t->dtype;
  bool is_max_min = op == OpCode::ReduceMax || op == OpCode::ReduceMin;
  if (op == OpCode::ReduceMean && !is_floating(in))
    in = float32;
  else if (in == bool_ && is_max_min)
    fail(name, "bool input is not supported; cast it to a number first");
  else if (in == bool_)
    in = int64;
  Record r(op);
  for (int d = 0; d < t->rank; ++d) {
    if (!reduced[d])
      continue;
    if (is_max_min && t->shape[d] == 0)
      fail(name, "cannot reduce axis " + std::to_string(d) +
                     " of size 0 (shape " + shape_of(t) + ")");
    r.attrs.push(d);
  }
  Dims shape;
  shape.n =
      int(rules::reduce_shape(t->shape, t->rank, reduced, keepdims, shape.d));
  r.attrs.keepdims = keepdims;
  Tensor made;
  r.add_input(coerce(x, in, made));
  return run(r, in, shape.list());
}

Tensor arg_reduce(OpCode op, const Tensor &x, int64_t axis) {
  const char *name = op_name(op);
  TensorImpl *t = need(x, name, "x");
  if (t->dtype == bool_)
    fail(name, "bool input is not supported; cast it to a number first");
  int64_t a = normalize_axis(name, axis, t->rank);
  if (t->shape[a] == 0)
    fail(name, "cannot take the " + std::string(name) + " of an empty axis " +
                   std::to_string(a) + " (shape " + shape_of(t) + ")");
  Dims shape;
  for (int d = 0; d < t->rank; ++d)
    if (d != a)
      shape.push(t->shape[d]);
  Record r(op);
  r.attrs.push(a);
  r.add_input(t);
  return run(r, int64, shape.list());
}

} // namespace

Tensor reduce_sum(const Tensor &x, IntList axes, bool keepdims) {
  return reduce(OpCode::ReduceSum, x, axes, keepdims);
}
Tensor reduce_mean(const Tensor &x, IntList axes, bool keepdims) {
  return reduce(OpCode::ReduceMean, x, axes, keepdims);
}
Tensor reduce_max(const Tensor &x, IntList axes, bool keepdims) {
  return reduce(OpCode::ReduceMax, x, axes, keepdims);
}
Tensor reduce_min(const Tensor &x, IntList axes, bool keepdims) {
  return reduce(OpCode::ReduceMin, x, axes, keepdims);
}
Tensor reduce_prod(const Tensor &x, IntList axes, bool keepdims) {
  return reduce(OpCode::ReduceProd, x, axes, keepdims);
}
Tensor argmax(const Tensor &x, int64_t axis) {
  return arg_reduce(OpCode::ArgMax, x, axis);
}
Tensor argmin(const Tensor &x, int64_t axis) {
  return arg_reduce(OpCode::ArgMin, x, axis);
}

Tensor global_norm(const std::vector<Tensor> &tensors) {
  if (tensors.empty())
    fail("global_norm", "expected at least one tensor");
  Tensor total;
  for (size_t i = 0; i < tensors.size(); ++i) {
    TensorImpl *t = need(tensors[i], "global_norm", "tensors");
    if (t->dtype == bool_)
      fail("global_norm", "tensor " + std::to_string(i) + " is bool");
    Tensor part = reduce_sum(
        square(cast(tensors[i], is_floating(t->dtype) ? t->dtype : float32)));
    total = total.defined() ? total + part : part;
  }
  return sqrt(total);
}

} // namespace ej
