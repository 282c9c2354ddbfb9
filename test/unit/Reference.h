//===- Reference.h - Independent float64 references for the op tests -*- C++
//-*-===//
//
// Random inputs from std::mt19937 with fixed seeds, and NumPy semantics
// (broadcasting, row-major order) computed with plain loops over doubles, so
// that the library's kernels are checked against code that shares nothing
// with them.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_UNIT_REFERENCE_H
#define EJ_TEST_UNIT_REFERENCE_H

#include <ej/ej.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace ref {

using Shape = std::vector<int64_t>;

/// What `f` throws as an ej::Error, or "(no error)".
inline std::string error_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const ej::Error &e) {
    return e.what();
  }
  return "(no error)";
}

inline int64_t numel(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

/// Uniform doubles in [lo, hi), with |x| >= min_abs when min_abs > 0.
inline std::vector<double> uniform(int64_t n, double lo, double hi,
                                   unsigned seed, double min_abs = 0) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto &x : v) {
    do
      x = dist(gen);
    while (std::fabs(x) < min_abs);
  }
  return v;
}

inline std::vector<double> integers(int64_t n, int lo, int hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto &x : v)
    x = dist(gen);
  return v;
}

/// A tensor of `dtype` holding `v` (rounded to the dtype).
inline ej::Tensor tensor(const std::vector<double> &v, const Shape &shape,
                         ej::DType dtype) {
  return ej::constant(v, shape, dtype);
}

/// The values of `t` as doubles, row-major.
inline std::vector<double> values(const ej::Tensor &t) {
  return t.to_vector<double>();
}

/// The values `v` (of shape `from`) as the input of a broadcast to `to`.
inline double at_broadcast(const std::vector<double> &v, const Shape &from,
                           const Shape &to, int64_t flat) {
  int64_t offset = 0, stride = 1;
  int64_t rem = flat;
  for (int d = int(to.size()) - 1; d >= 0; --d) {
    int64_t idx = rem % to[size_t(d)];
    rem /= to[size_t(d)];
    int fd = d - int(to.size() - from.size());
    if (fd >= 0) {
      if (from[size_t(fd)] != 1)
        offset += idx * stride;
      stride *= from[size_t(fd)];
    }
  }
  return v[size_t(offset)];
}

inline Shape broadcast(const Shape &a, const Shape &b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t d = 0; d < r; ++d) {
    int64_t x = d + a.size() >= r ? a[d + a.size() - r] : 1;
    int64_t y = d + b.size() >= r ? b[d + b.size() - r] : 1;
    out[d] = x == 1 ? y : x;
  }
  return out;
}

inline std::vector<double>
binary(const std::vector<double> &a, const Shape &sa,
       const std::vector<double> &b, const Shape &sb,
       const std::function<double(double, double)> &f,
       Shape *out_shape = nullptr) {
  Shape s = broadcast(sa, sb);
  if (out_shape)
    *out_shape = s;
  std::vector<double> out(size_t(numel(s)));
  for (int64_t i = 0; i < numel(s); ++i)
    out[size_t(i)] = f(at_broadcast(a, sa, s, i), at_broadcast(b, sb, s, i));
  return out;
}

/// Element-wise |got - want| <= atol + rtol * |want|, NaN matching NaN.
inline void expect_close(const std::vector<double> &got,
                         const std::vector<double> &want, double rtol,
                         double atol = 0) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
      continue;
    }
    if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << "at " << i;
      continue;
    }
    EXPECT_LE(std::fabs(got[i] - want[i]), atol + rtol * std::fabs(want[i]))
        << "at " << i << ": got " << got[i] << ", want " << want[i];
  }
}

/// The relative tolerance of a dtype's results against float64 math.
inline double rtol_of(ej::DType t) {
  return t == ej::float32 ? 2e-6 : t == ej::float64 ? 1e-13 : 0;
}

} // namespace ref

#endif // EJ_TEST_UNIT_REFERENCE_H
