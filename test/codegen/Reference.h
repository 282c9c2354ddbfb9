//===- Reference.h - float64 arrays for the codegen tests -------*- C++ -*-===//
//
// A tiny row-major N-d array of doubles with NumPy broadcasting, reductions,
// matmul and the shape ops: the independent reference the compiled code is
// checked against. It shares nothing with the interpreter or the code
// generator; the scalar semantics (NaN rules, casts) are spelled out in
// each test.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_CODEGEN_REFERENCE_H
#define EJ_TEST_CODEGEN_REFERENCE_H

#include <cstdint>
#include <functional>
#include <vector>

namespace ejtest {

struct Array {
  std::vector<int64_t> shape;
  std::vector<double> v;

  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  /// Row-major strides in elements.
  std::vector<int64_t> strides() const {
    std::vector<int64_t> s(shape.size(), 1);
    for (size_t d = shape.size(); d-- > 1;)
      s[d - 1] = s[d] * shape[d];
    return s;
  }
};

/// The multi-index of flat position `i` in `shape`.
inline std::vector<int64_t> unflatten(int64_t i,
                                      const std::vector<int64_t> &shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? i % shape[d] : 0;
    i = shape[d] ? i / shape[d] : 0;
  }
  return idx;
}

/// Element of `a` at the (right-aligned, broadcast) index `idx` of a
/// larger shape.
inline double at(const Array &a, const std::vector<int64_t> &idx) {
  std::vector<int64_t> s = a.strides();
  size_t off = idx.size() - a.shape.size();
  int64_t flat = 0;
  for (size_t d = 0; d < a.shape.size(); ++d)
    flat += (a.shape[d] == 1 ? 0 : idx[off + d]) * s[d];
  return a.v[size_t(flat)];
}

inline std::vector<int64_t> broadcastShape(const std::vector<Array> &xs) {
  size_t rank = 0;
  for (const Array &x : xs)
    rank = std::max(rank, x.shape.size());
  std::vector<int64_t> shape(rank, 1);
  for (const Array &x : xs)
    for (size_t d = 0; d < x.shape.size(); ++d) {
      int64_t &s = shape[rank - x.shape.size() + d];
      if (x.shape[d] != 1)
        s = x.shape[d];
    }
  return shape;
}

/// f applied elementwise with NumPy broadcasting.
inline Array map(const std::vector<Array> &xs,
                 const std::function<double(const std::vector<double> &)> &f) {
  Array r{broadcastShape(xs), {}};
  std::vector<double> args(xs.size());
  for (int64_t i = 0; i < r.size(); ++i) {
    std::vector<int64_t> idx = unflatten(i, r.shape);
    for (size_t k = 0; k < xs.size(); ++k)
      args[k] = at(xs[k], idx);
    r.v.push_back(f(args));
  }
  return r;
}

/// Folds `x` over `axes` (empty: all) from `init` with `f`, keeping size-1
/// axes under `keepdims`.
inline Array reduce(const Array &x, std::vector<int64_t> axes, bool keepdims,
                    double init,
                    const std::function<double(double, double)> &f) {
  if (axes.empty())
    for (size_t d = 0; d < x.shape.size(); ++d)
      axes.push_back(int64_t(d));
  auto reduced = [&](size_t d) {
    for (int64_t a : axes)
      if (a == int64_t(d))
        return true;
    return false;
  };
  std::vector<int64_t> kept;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (!reduced(d))
      kept.push_back(x.shape[d]);
  Array r{kept, std::vector<double>(size_t(Array{kept, {}}.size()), init)};
  std::vector<int64_t> ks = r.strides();
  for (int64_t i = 0; i < x.size(); ++i) {
    std::vector<int64_t> idx = unflatten(i, x.shape);
    int64_t flat = 0;
    size_t k = 0;
    for (size_t d = 0; d < x.shape.size(); ++d)
      if (!reduced(d))
        flat += idx[d] * ks[k++];
    r.v[size_t(flat)] = f(r.v[size_t(flat)], x.v[size_t(i)]);
  }
  if (keepdims) {
    r.shape.clear();
    for (size_t d = 0; d < x.shape.size(); ++d)
      r.shape.push_back(reduced(d) ? 1 : x.shape[d]);
  }
  return r;
}

/// (..., n, k) x (..., k, m) with broadcast batch axes.
inline Array matmul(const Array &a, const Array &b) {
  size_t ra = a.shape.size(), rb = b.shape.size();
  int64_t n = a.shape[ra - 2], k = a.shape[ra - 1], m = b.shape[rb - 1];
  Array ba{std::vector<int64_t>(a.shape.begin(), a.shape.end() - 2), {}};
  Array bb{std::vector<int64_t>(b.shape.begin(), b.shape.end() - 2), {}};
  std::vector<int64_t> batch = broadcastShape({ba, bb});
  Array r{batch, {}};
  r.shape.push_back(n);
  r.shape.push_back(m);
  int64_t nb = Array{batch, {}}.size();
  for (int64_t bi = 0; bi < nb; ++bi) {
    std::vector<int64_t> idx = unflatten(bi, batch);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) {
          std::vector<int64_t> ia = idx, ib = idx;
          ia.push_back(i);
          ia.push_back(p);
          ib.push_back(p);
          ib.push_back(j);
          s += at(a, ia) * at(b, ib);
        }
        r.v.push_back(s);
      }
  }
  return r;
}

/// Result axis i is axis perm[i] of x.
inline Array transpose(const Array &x, const std::vector<int64_t> &perm) {
  Array r{{}, {}};
  for (int64_t p : perm)
    r.shape.push_back(x.shape[size_t(p)]);
  std::vector<int64_t> xs = x.strides();
  for (int64_t i = 0; i < r.size(); ++i) {
    std::vector<int64_t> idx = unflatten(i, r.shape);
    int64_t flat = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      flat += idx[d] * xs[size_t(perm[d])];
    r.v.push_back(x.v[size_t(flat)]);
  }
  return r;
}

} // namespace ejtest

#endif // EJ_TEST_CODEGEN_REFERENCE_H
