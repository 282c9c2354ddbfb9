//===- OpSupport.cpp - Checks, broadcasting, dtype joins, the record path -===//
#include "lib/OpSupport.h"
#include "lib/Device.h"
#include "lib/ShapeRules.h"
#include "lib/Trace.h"
#include "runtime/cpu/Kernels.h"
#include "runtime/cuda/Launch.h"
#include "runtime/cuda/Runtime.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cstring>

namespace ej::detail {

namespace {

// Whether a double holds `v` exactly.
bool exact_in_double(int64_t v) {
  constexpr int64_t kExact = int64_t(1) << 53;
  return v >= -kExact && v <= kExact;
}

} // namespace

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
  // (a host record that a GPU region would have to hand back when a tape
  // keeps it). Its value goes through a double: every literal but an
  // int64 beyond 2^53 is exact there. A weak value computed from literals
  // (`abs(2.5) + 1`) is cast: its value may be deferred.
  if (x->literal && x->rank == 0 &&
      (x->dtype != int64 || exact_in_double(*x->data_as<int64_t>()))) {
    // A literal's value is there already (it is a leaf, never deferred);
    // reading it is not an observation.
    Record r(OpCode::Fill);
    runtime::dispatch<runtime::math::kAll>(x->dtype, "coerce", [&](auto tag) {
      r.attrs.f[0] = double(*x->data_as<decltype(tag)>());
    });
    r.attrs.dtype = to;
    // Where the literal is (the host), not on the current device: a GPU
    // region takes host scalars as arguments, uploaded together, while a
    // constant made on the GPU is a kernel launch every time it is made.
    return run(r, to, {}, false, x->device);
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
  copy.result->device = t->device;
  Tensor result(copy.result);
  interpret(copy);
  return result;
}

void upload(TensorImpl *to, const TensorImpl *from) {
  size_t bytes = size_t(from->numel) * dtype_size(from->dtype);
  if (from->numel == 1) {
    // A scalar (a literal, an optimizer's constant) travels as a kernel's
    // argument: staging it would wait for the copies before it.
    uint64_t bits = 0;
    std::memcpy(&bits, from->data(), bytes);
    cuda::fill_bits(to->device, from->dtype, to->data(), 1, bits);
  } else {
    cuda::copy_to_device(to->device, to->data(), from->data(), bytes);
  }
}

Tensor transfer(TensorImpl *t, int device) {
  if (!t->storage) {
    Trace::current().boundary();
    if (!t->storage)
      fail("copy", "the tensor is being computed by another thread's "
                   "deferred region");
  }
  if (t->device == device) {
    retain(t);
    return Tensor(t);
  }
  Tensor src = t->contiguous ? (retain(t), Tensor(t)) : interpreted_copy(t);
  TensorImpl *from = src.impl();
  TensorImpl *out = new_impl(t->dtype, t->dims());
  out->device = int8_t(device);
  out->weak = t->weak;
  Tensor result(out);
  allocate(out);
  size_t bytes = size_t(t->numel) * dtype_size(t->dtype);
  if (device == runtime::kHost) {
    cuda::copy_to_host(from->device, out->data(), from->data(), bytes);
  } else if (from->device == runtime::kHost) {
    upload(out, from);
  } else {
    // Between two GPUs through the host: peer access is not set up.
    Tensor staged = transfer(from, runtime::kHost);
    cuda::copy_to_device(device, out->data(), staged.impl()->data(), bytes);
  }
  return result;
}

Tensor copy_to(TensorImpl *t, int device) {
  if (t->device == device) {
    retain(t);
    return Tensor(t);
  }
  Record r(OpCode::Copy);
  r.add_input(t);
  return run(r, t->dtype, t->dims(), t->weak, device);
}

namespace {

// run()'s placement rule (see OpSupport.h); `host` tells whether every
// input is on the host.
int place(const Record &r, bool &host) {
  size_t n = r.size();
  host = true;
  if (n == 0)
    return current_device_index();
  int device = runtime::kHost, scalar_device = runtime::kHost;
  bool decided = false;
  for (size_t i = 0; i < n; ++i) {
    const TensorImpl *t = r.input(i);
    host &= t->device == runtime::kHost;
    if (t->rank == 0) {
      if (t->device != runtime::kHost)
        scalar_device = t->device;
      continue;
    }
    if (!decided) {
      device = t->device;
      decided = true;
      continue;
    }
    if (t->device != device) {
      std::string where;
      for (size_t j = 0; j < n; ++j)
        where += std::string(j ? ", " : "") + "input " + std::to_string(j) +
                 " on " + device_name(r.input(j)->device);
      fail(op_name(r.op), "inputs are on different devices (" + where +
                              "); move them to one device with .gpu() or "
                              ".cpu() first");
    }
  }
  return decided ? device : scalar_device;
}

} // namespace

Tensor run(Record &r, DType dtype, IntList shape, bool weak, int device) {
  TensorImpl *out = new_impl(dtype, shape);
  out->weak = weak;
  Tensor result(out); // owns `out` even if the kernel throws
  bool host = false;  // every input and the result on the host
  if (device == kByInputs)
    device = place(r, host);
  out->device = int8_t(device);
  host &= device == runtime::kHost;
  r.result = out;
  // Inputs from another device (a copy record each, before this one), held
  // until the record has run (a tape that captures it holds them on). A
  // copy record itself moves its input. Host ops, the common case, skip it.
  llvm::SmallVector<Tensor, 2> moved;
  if (!host && r.op != OpCode::Copy)
    for (size_t i = 0; i < r.size(); ++i)
      if (r.input(i)->device != out->device) {
        moved.push_back(copy_to(r.input(i), out->device));
        r.set_input(i, moved.back().impl());
      }
  Trace::current().run(r);
  return result;
}

} // namespace ej::detail
