//===- ShapeOps.cpp - reshape, slicing, concat, gather, pad, ... ---------===//
#include "ej/ops.h"
#include "lib/OpSupport.h"
#include "lib/ShapeRules.h"

#include <algorithm>

namespace ej {
using namespace detail;

namespace {

Tensor reshape_to(const Tensor &x, IntList shape) {
  Record r(OpCode::Reshape);
  r.add_input(x.impl());
  return run(r, x.impl()->dtype, shape);
}

} // namespace

Tensor reshape(const Tensor &x, IntList shape) {
  TensorImpl *t = need(x, "reshape", "x");
  if (shape.size() > size_t(kMaxRank))
    fail("reshape", "rank " + std::to_string(shape.size()) +
                        " exceeds the maximum rank " +
                        std::to_string(kMaxRank));
  Dims out(shape);
  int infer = -1;
  int64_t known = 1;
  for (int d = 0; d < out.n; ++d) {
    if (out.d[d] == -1) {
      if (infer >= 0)
        fail("reshape",
             "only one dimension of " + shape_str(shape) + " may be -1");
      infer = d;
    } else if (out.d[d] < 0) {
      fail("reshape", "negative dimension in shape " + shape_str(shape));
    } else {
      known *= out.d[d];
    }
  }
  if (infer >= 0) {
    if (known == 0 || t->numel % known != 0)
      fail("reshape", "cannot reshape " + shape_of(t) + " (" +
                          std::to_string(t->numel) + " elements) into " +
                          shape_str(shape));
    out.d[infer] = t->numel / known;
  } else if (known != t->numel) {
    fail("reshape", "cannot reshape " + shape_of(t) + " (" +
                        std::to_string(t->numel) + " elements) into " +
                        shape_str(shape) + " (" + std::to_string(known) +
                        " elements)");
  }
  return reshape_to(x, out.list());
}

Tensor expand_dims(const Tensor &x, int64_t axis) {
  TensorImpl *t = need(x, "expand_dims", "x");
  int64_t a = normalize_axis("expand_dims", axis, t->rank + 1);
  if (t->rank >= kMaxRank)
    fail("expand_dims", "rank " + std::to_string(t->rank + 1) +
                            " exceeds the maximum rank " +
                            std::to_string(kMaxRank));
  Dims out;
  for (int d = 0; d <= t->rank; ++d) {
    if (d == a)
      out.push(1);
    if (d < t->rank)
      out.push(t->shape[d]);
  }
  return reshape_to(x, out.list());
}

Tensor squeeze(const Tensor &x, IntList axes) {
  TensorImpl *t = need(x, "squeeze", "x");
  bool drop[kMaxRank] = {};
  for (int64_t a : axes) {
    int64_t d = normalize_axis("squeeze", a, t->rank);
    if (t->shape[d] != 1)
      fail("squeeze", "axis " + std::to_string(a) + " of shape " + shape_of(t) +
                          " has size " + std::to_string(t->shape[d]) +
                          ", not 1");
    drop[d] = true;
  }
  Dims out;
  for (int d = 0; d < t->rank; ++d)
    if (!(axes.empty() ? t->shape[d] == 1 : drop[d]))
      out.push(t->shape[d]);
  return reshape_to(x, out.list());
}

Tensor concat(const std::vector<Tensor> &tensors, int64_t axis) {
  if (tensors.empty())
    fail("concat", "expected at least one tensor");
  TensorImpl *first = need(tensors[0], "concat", "tensors");
  if (first->rank == 0)
    fail("concat", "cannot concatenate scalars; use stack");
  int64_t a = normalize_axis("concat", axis, first->rank);
  DType dt = first->dtype;
  Dims shape(first->dims());
  shape.d[a] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    TensorImpl *t = need(tensors[i], "concat", "tensors");
    if (!rules::concat_compatible(first->shape, first->rank, t->shape, t->rank,
                                  a))
      fail("concat", "tensor " + std::to_string(i) + " has shape " +
                         shape_of(t) + " but tensor 0 has " + shape_of(first) +
                         "; they may differ only on axis " + std::to_string(a));
    shape.d[a] += t->shape[a];
    dt = i ? promote_types(dt, t->dtype) : dt;
  }
  std::vector<Tensor> inputs;
  inputs.reserve(tensors.size());
  Record r(OpCode::Concat);
  r.attrs.push(a);
  for (const Tensor &t : tensors) {
    inputs.push_back(coerce(t, dt));
    r.add_input(inputs.back().impl());
  }
  return run(r, dt, shape.list());
}

Tensor stack(const std::vector<Tensor> &tensors, int64_t axis) {
  if (tensors.empty())
    fail("stack", "expected at least one tensor");
  TensorImpl *first = need(tensors[0], "stack", "tensors");
  int64_t a = normalize_axis("stack", axis, first->rank + 1);
  std::vector<Tensor> expanded;
  expanded.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    TensorImpl *t = need(tensors[i], "stack", "tensors");
    if (!std::equal(t->shape, t->shape + t->rank, first->shape,
                    first->shape + first->rank))
      fail("stack", "tensor " + std::to_string(i) + " has shape " +
                        shape_of(t) + " but tensor 0 has " + shape_of(first));
    expanded.push_back(expand_dims(tensors[i], a));
  }
  return concat(expanded, a);
}

Tensor gather(const Tensor &params, const Tensor &indices, int64_t axis) {
  TensorImpl *p = need(params, "gather", "params"),
             *i = need(indices, "gather", "indices");
  if (!is_integer(i->dtype))
    fail("gather", std::string("indices must be int32 or int64, got ") +
                       dtype_name(i->dtype));
  int64_t a = normalize_axis("gather", axis, p->rank);
  if (a + i->rank + (p->rank - a - 1) > kMaxRank)
    fail("gather", "the result's rank exceeds the maximum rank " +
                       std::to_string(kMaxRank));
  Dims shape;
  shape.n = int(
      rules::gather_shape(p->shape, p->rank, i->shape, i->rank, a, shape.d));
  if (p->shape[a] == 0 && i->numel > 0)
    fail("gather",
         "cannot gather from axis " + std::to_string(a) + " of size 0");
  Record r(OpCode::Gather);
  r.attrs.push(a);
  r.add_input(p);
  r.add_input(i);
  return run(r, p->dtype, shape.list());
}

Tensor one_hot(const Tensor &indices, int64_t depth, double on_value,
               double off_value, DType dtype) {
  TensorImpl *i = need(indices, "one_hot", "indices");
  if (!is_integer(i->dtype))
    fail("one_hot", std::string("indices must be int32 or int64, got ") +
                        dtype_name(i->dtype));
  if (depth < 0)
    fail("one_hot", "depth must be >= 0, got " + std::to_string(depth));
  Dims shape(i->dims());
  if (shape.n >= kMaxRank)
    fail("one_hot", "the result's rank exceeds the maximum rank " +
                        std::to_string(kMaxRank));
  shape.push(depth);
  Record r(OpCode::OneHot);
  r.attrs.push(depth);
  r.attrs.f[0] = on_value;
  r.attrs.f[1] = off_value;
  r.attrs.dtype = dtype;
  r.add_input(i);
  return run(r, dtype, shape.list());
}

Tensor broadcast_to(const Tensor &x, IntList shape) {
  TensorImpl *t = need(x, "broadcast_to", "x");
  check_shape("broadcast_to", shape);
  bool ok = shape.size() >= size_t(t->rank);
  for (int d = 0; ok && d < t->rank; ++d) {
    int64_t target = shape[shape.size() - size_t(t->rank) + size_t(d)];
    ok = t->shape[d] == target || t->shape[d] == 1;
  }
  if (!ok)
    fail("broadcast_to",
         "cannot broadcast " + shape_of(t) + " to " + shape_str(shape));
  Record r(OpCode::BroadcastTo);
  r.add_input(t);
  return run(r, t->dtype, shape);
}

Tensor pad(const Tensor &x,
           const std::vector<std::pair<int64_t, int64_t>> &paddings,
           double constant_value) {
  TensorImpl *t = need(x, "pad", "x");
  if (paddings.size() != size_t(t->rank))
    fail("pad", "expected " + std::to_string(t->rank) +
                    " (before, after) pairs for shape " + shape_of(t) +
                    ", got " + std::to_string(paddings.size()));
  Dims shape;
  Record r(OpCode::Pad);
  for (int d = 0; d < t->rank; ++d) {
    auto [before, after] = paddings[size_t(d)];
    if (before < 0 || after < 0)
      fail("pad", "paddings must be >= 0, got (" + std::to_string(before) +
                      ", " + std::to_string(after) + ") for axis " +
                      std::to_string(d));
    shape.push(t->shape[d] + before + after);
    r.attrs.push(before);
  }
  r.attrs.f[0] = constant_value;
  r.add_input(t);
  return run(r, t->dtype, shape.list());
}

Tensor slice(const Tensor &x, const std::vector<Index> &indices) {
  TensorImpl *t = need(x, "slice", "x");
  if (indices.size() > size_t(t->rank))
    fail("slice", std::to_string(indices.size()) +
                      " indices for a tensor of shape " + shape_of(t));
  Record r(OpCode::Slice);
  int64_t start[kMaxRank], step[kMaxRank];
  Dims shape;
  for (int d = 0; d < t->rank; ++d) {
    int64_t n = t->shape[d];
    if (size_t(d) >= indices.size()) {
      start[d] = 0;
      step[d] = 1;
      shape.push(n);
      continue;
    }
    const Index &ix = indices[size_t(d)];
    if (!ix.is_slice) {
      if (ix.index < -n || ix.index >= n)
        fail("slice", "index " + std::to_string(ix.index) +
                          " is out of range for axis " + std::to_string(d) +
                          " of size " + std::to_string(n));
      start[d] = ix.index < 0 ? ix.index + n : ix.index;
      step[d] = 0; // drops the axis
      continue;
    }
    // Python's slice.indices().
    const Slice &s = ix.slice;
    if (s.step == 0)
      fail("slice",
           "slice step cannot be zero (axis " + std::to_string(d) + ")");
    int64_t lo = s.step > 0 ? 0 : -1, hi = s.step > 0 ? n : n - 1;
    auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
      if (!v)
        return dflt;
      int64_t i = *v < 0 ? *v + n : *v;
      return std::min(std::max(i, lo), hi);
    };
    int64_t b = clamp(s.start, s.step > 0 ? lo : hi);
    int64_t e = clamp(s.stop, s.step > 0 ? hi : lo);
    int64_t len = int64_t(rules::strided_count(b, e, s.step));
    start[d] = len ? b : 0;
    step[d] = s.step;
    shape.push(len);
  }
  for (int d = 0; d < t->rank; ++d)
    r.attrs.push(start[d]);
  for (int d = 0; d < t->rank; ++d)
    r.attrs.push(step[d]);
  r.add_input(t);
  return run(r, t->dtype, shape.list());
}

Tensor stop_gradient(const Tensor &x) {
  TensorImpl *t = need(x, "stop_gradient", "x");
  Record r(OpCode::StopGradient);
  r.add_input(t);
  return run(r, t->dtype, t->dims());
}

Tensor identity(const Tensor &x) {
  TensorImpl *t = need(x, "identity", "x");
  Record r(OpCode::Copy);
  r.add_input(t);
  return run(r, t->dtype, t->dims());
}

} // namespace ej
