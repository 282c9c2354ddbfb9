//===- Creation.cpp - fill, ranges, eye and random draws -----------------===//
#include "ej/ops.h"
#include "lib/Device.h"
#include "lib/OpSupport.h"
#include "runtime/cpu/Philox.h"

#include <atomic>
#include <cmath>
#include <cstdio>

namespace ej {
using namespace detail;

Tensor fill(IntList shape, double value, DType dtype) {
  check_shape("fill", shape);
  Record r(OpCode::Fill);
  r.attrs.f[0] = value;
  r.attrs.dtype = dtype;
  return run(r, dtype, shape);
}
Tensor zeros(IntList shape, DType dtype) { return fill(shape, 0, dtype); }
Tensor ones(IntList shape, DType dtype) { return fill(shape, 1, dtype); }
Tensor zeros_like(const Tensor &x) {
  TensorImpl *t = need(x, "zeros_like", "x");
  DeviceIndexScope on(t->device);
  return fill(t->dims(), 0, t->dtype);
}
Tensor ones_like(const Tensor &x) {
  TensorImpl *t = need(x, "ones_like", "x");
  DeviceIndexScope on(t->device);
  return fill(t->dims(), 1, t->dtype);
}

Tensor arange(double start, double stop, double step,
              std::optional<DType> dtype) {
  if (step == 0 || !std::isfinite(step) || !std::isfinite(start) ||
      !std::isfinite(stop))
    fail("arange", "start, stop and step must be finite and step non-zero");
  bool integral = start == std::floor(start) && stop == std::floor(stop) &&
                  step == std::floor(step);
  DType dt = dtype ? *dtype : integral ? int32 : float32;
  double count = std::ceil((stop - start) / step);
  // Checked as a double: converting a count past int64's range is undefined.
  if (!(count < 0x1p62)) {
    char many[32];
    std::snprintf(many, sizeof many, "%g", count);
    fail("arange", std::string("(stop - start) / step gives ") + many +
                       " elements, more than a tensor can hold");
  }
  int64_t n = count > 0 ? int64_t(count) : 0;
  Record r(OpCode::Arange);
  r.attrs.f[0] = start;
  r.attrs.f[1] = step;
  r.attrs.dtype = dt;
  return run(r, dt, {n});
}
Tensor arange(int64_t stop, DType dtype) {
  return arange(0, double(stop), 1, dtype);
}

Tensor linspace(double start, double stop, int64_t num, DType dtype) {
  if (num < 0)
    fail("linspace", "num must be >= 0, got " + std::to_string(num));
  Record r(OpCode::Linspace);
  r.attrs.f[0] = start;
  r.attrs.f[1] = stop;
  r.attrs.dtype = dtype;
  return run(r, dtype, {num});
}

Tensor eye(int64_t n, std::optional<int64_t> m, DType dtype) {
  int64_t cols = m ? *m : n;
  if (n < 0 || cols < 0)
    fail("eye", "sizes must be >= 0, got " + std::to_string(n) + " x " +
                    std::to_string(cols));
  Record r(OpCode::Eye);
  r.attrs.dtype = dtype;
  return run(r, dtype, {n, cols});
}

namespace {

// The process's generator state: a seed and the next unused Philox block.
// Each draw takes a fresh range of blocks, so draws never overlap and the
// sequence after set_seed(s) is the same on every run.
std::atomic<uint64_t> g_seed{0x5EED};
std::atomic<uint64_t> g_offset{0};

Tensor random(OpCode op, IntList shape, DType dtype, double a, double b) {
  const char *name = op_name(op);
  check_shape(name, shape);
  if (!is_floating(dtype))
    fail(name, std::string("dtype must be float32 or float64, got ") +
                   dtype_name(dtype));
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  int64_t k = runtime::philox::per_block(int64_t(dtype_size(dtype)));
  Record r(op);
  r.attrs.u[0] = g_seed.load();
  r.attrs.u[1] = g_offset.fetch_add(uint64_t((n + k - 1) / k));
  r.attrs.f[0] = a;
  r.attrs.f[1] = b;
  r.attrs.dtype = dtype;
  return run(r, dtype, shape);
}

} // namespace

void set_seed(uint64_t seed) {
  g_seed.store(seed);
  g_offset.store(0);
}

Tensor random_uniform(IntList shape, DType dtype, double minval,
                      double maxval) {
  if (!(minval < maxval))
    fail("random_uniform", "minval must be < maxval, got " +
                               std::to_string(minval) + " and " +
                               std::to_string(maxval));
  return random(OpCode::RandomUniform, shape, dtype, minval, maxval);
}

Tensor random_normal(IntList shape, DType dtype, double mean, double stddev) {
  if (!(stddev >= 0))
    fail("random_normal", "stddev must be >= 0, got " + std::to_string(stddev));
  return random(OpCode::RandomNormal, shape, dtype, mean, stddev);
}

} // namespace ej
