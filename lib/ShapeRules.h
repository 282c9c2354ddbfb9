//===- ShapeRules.h - Shape rules shared by the API and the dialect -*- C++
//-*-===//
//
// The eager API (which throws ej::Error) and the ej dialect (which emits
// diagnostics) infer result shapes with these same functions, so an op that
// the API accepts is an op the dialect verifies, and the other way round.
// Header-only and exception-free: the dialect builds without exceptions.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_SHAPERULES_H
#define EJ_LIB_SHAPERULES_H

#include <cstddef>
#include <cstdint>

namespace ej::rules {

/// The NumPy broadcast of shapes a and b, written to out[0, max(na, nb)).
/// Returns false when some axis differs and neither side is 1.
inline bool broadcast(const int64_t *a, size_t na, const int64_t *b, size_t nb,
                      int64_t *out) {
  size_t r = na > nb ? na : nb;
  for (size_t d = 0; d < r; ++d) {
    int64_t x = d + na >= r ? a[d + na - r] : 1;
    int64_t y = d + nb >= r ? b[d + nb - r] : 1;
    if (x != y && x != 1 && y != 1)
      return false;
    out[d] = x == 1 ? y : x;
  }
  return true;
}

/// What is wrong with a list of axes, and which entry.
struct AxesCheck {
  enum Kind { Ok, OutOfRange, Duplicate } kind = Ok;
  int64_t axis = 0; // the offending entry, as given
};

/// Sets reduced[d] for every axis in `axes` (every axis when there are none);
/// negative axes count from the end.
inline AxesCheck reduced_axes(const int64_t *axes, size_t n, int64_t rank,
                              bool *reduced) {
  for (int64_t d = 0; d < rank; ++d)
    reduced[d] = n == 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t a = axes[i], d = a < 0 ? a + rank : a;
    if (d < 0 || d >= rank)
      return {AxesCheck::OutOfRange, a};
    if (reduced[d])
      return {AxesCheck::Duplicate, a};
    reduced[d] = true;
  }
  return {};
}

/// How many of `from`, `from + step`, ... come before `to` (Python's
/// range(from, to, step); step != 0). Counted in unsigned arithmetic: near
/// int64's limits the span, a step's negation and the value after the last
/// would overflow.
inline uint64_t strided_count(int64_t from, int64_t to, int64_t step) {
  uint64_t span = step > 0 ? (to > from ? uint64_t(to) - uint64_t(from) : 0)
                           : (from > to ? uint64_t(from) - uint64_t(to) : 0);
  uint64_t stride = step > 0 ? uint64_t(step) : 0 - uint64_t(step);
  return span ? (span - 1) / stride + 1 : 0;
}

/// The shape a reduction leaves: reduced axes dropped, or kept as 1.
/// Returns the result's rank.
inline size_t reduce_shape(const int64_t *shape, int64_t rank,
                           const bool *reduced, bool keepdims, int64_t *out) {
  size_t n = 0;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d])
      out[n++] = shape[d];
    else if (keepdims)
      out[n++] = 1;
  return n;
}

/// What is wrong with a matmul's operands.
enum class MatMulCheck { Ok, Rank, Inner, Batch };

/// (..., n, k) x (..., k, m) -> (..., n, m) with broadcast batch axes:
/// writes the result's shape to out (room for max(na, nb) entries) and its
/// rank to out_rank.
inline MatMulCheck matmul_shape(const int64_t *a, size_t na, const int64_t *b,
                                size_t nb, int64_t *out, size_t &out_rank) {
  if (na < 2 || nb < 2)
    return MatMulCheck::Rank;
  if (a[na - 1] != b[nb - 2])
    return MatMulCheck::Inner;
  if (!broadcast(a, na - 2, b, nb - 2, out))
    return MatMulCheck::Batch;
  out_rank = (na > nb ? na : nb);
  out[out_rank - 2] = a[na - 2];
  out[out_rank - 1] = b[nb - 1];
  return MatMulCheck::Ok;
}

/// Whether `perm` is a permutation of [0, rank) (entries may be negative,
/// counting from the end); writes the normalised permutation to out.
inline bool permutation(const int64_t *perm, size_t n, int64_t rank,
                        int64_t *out) {
  if (int64_t(n) != rank)
    return false;
  uint64_t seen = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t d = perm[i] < 0 ? perm[i] + rank : perm[i];
    if (d < 0 || d >= rank || (seen >> d & 1))
      return false;
    seen |= uint64_t(1) << d;
    out[i] = d;
  }
  return true;
}

/// gather: params.shape[:axis] + indices.shape + params.shape[axis+1:].
/// `axis` must be in [0, np). Returns the result's rank.
inline size_t gather_shape(const int64_t *params, size_t np,
                           const int64_t *indices, size_t ni, int64_t axis,
                           int64_t *out) {
  size_t n = 0;
  for (int64_t d = 0; d < axis; ++d)
    out[n++] = params[d];
  for (size_t d = 0; d < ni; ++d)
    out[n++] = indices[d];
  for (size_t d = size_t(axis) + 1; d < np; ++d)
    out[n++] = params[d];
  return n;
}

/// Whether `shape` can join `first` in a concat along `axis`: equal ranks
/// and equal sizes on every other axis.
inline bool concat_compatible(const int64_t *first, size_t nf,
                              const int64_t *shape, size_t n, int64_t axis) {
  if (n != nf)
    return false;
  for (size_t d = 0; d < n; ++d)
    if (int64_t(d) != axis && shape[d] != first[d])
      return false;
  return true;
}

/// The geometry of a 2-d window (convolution kernel or pooling window) on
/// NHWC tensors: window extent, strides and zero padding (top, bottom,
/// left, right) as the ops' attributes carry them.
struct Window2D {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;
  int64_t pt = 0, pb = 0, pl = 0, pr = 0;
};

/// The number of window positions along an axis of extent `in`, or -1 when
/// the window is larger than the padded axis.
inline int64_t window_count(int64_t in, int64_t k, int64_t s, int64_t lo,
                            int64_t hi) {
  int64_t span = in + lo + hi - k;
  return span < 0 ? -1 : span / s + 1;
}

/// TensorFlow's SAME padding along one axis: ceil(in / s) positions, the
/// odd element of padding after.
inline void same_padding(int64_t in, int64_t k, int64_t s, int64_t &lo,
                         int64_t &hi) {
  int64_t out = in > 0 ? (in - 1) / s + 1 : 0; // (in + s - 1) may overflow
  int64_t total = (out - 1) * s + k - in;
  if (total < 0)
    total = 0;
  lo = total / 2;
  hi = total - lo;
}

/// What is wrong with a convolution's or a pooling's operands.
enum class WindowCheck {
  Ok,
  Rank,     // input (or filter) is not 4-d
  Channels, // the filter's input channels differ from the input's
  Strides,  // a stride < 1
  Padding,  // a padding < 0 (or, for pooling, >= the window)
  Window,   // a window extent < 1, or larger than the padded input
};

/// conv2d: input (N, H, W, C) and filter (KH, KW, C, O) give
/// (N, OH, OW, O); w.kh and w.kw are taken from the filter.
inline WindowCheck conv2d_shape(const int64_t *x, size_t nx, const int64_t *f,
                                size_t nf, Window2D &w, int64_t *out) {
  if (nx != 4 || nf != 4)
    return WindowCheck::Rank;
  if (f[2] != x[3])
    return WindowCheck::Channels;
  w.kh = f[0];
  w.kw = f[1];
  if (w.sh < 1 || w.sw < 1)
    return WindowCheck::Strides;
  if (w.pt < 0 || w.pb < 0 || w.pl < 0 || w.pr < 0)
    return WindowCheck::Padding;
  int64_t oh = window_count(x[1], w.kh, w.sh, w.pt, w.pb);
  int64_t ow = window_count(x[2], w.kw, w.sw, w.pl, w.pr);
  if (w.kh < 1 || w.kw < 1 || oh < 0 || ow < 0)
    return WindowCheck::Window;
  out[0] = x[0];
  out[1] = oh;
  out[2] = ow;
  out[3] = f[3];
  return WindowCheck::Ok;
}

/// max_pool, avg_pool: input (N, H, W, C) gives (N, OH, OW, C). Padding
/// must be smaller than the window, so that every window holds at least
/// one element of the input.
inline WindowCheck pool2d_shape(const int64_t *x, size_t nx, const Window2D &w,
                                int64_t *out) {
  if (nx != 4)
    return WindowCheck::Rank;
  if (w.sh < 1 || w.sw < 1)
    return WindowCheck::Strides;
  if (w.kh < 1 || w.kw < 1)
    return WindowCheck::Window;
  if (w.pt < 0 || w.pb < 0 || w.pl < 0 || w.pr < 0 || w.pt >= w.kh ||
      w.pb >= w.kh || w.pl >= w.kw || w.pr >= w.kw)
    return WindowCheck::Padding;
  int64_t oh = window_count(x[1], w.kh, w.sh, w.pt, w.pb);
  int64_t ow = window_count(x[2], w.kw, w.sw, w.pl, w.pr);
  if (oh < 0 || ow < 0)
    return WindowCheck::Window;
  out[0] = x[0];
  out[1] = oh;
  out[2] = ow;
  out[3] = x[3];
  return WindowCheck::Ok;
}

} // namespace ej::rules

#endif // EJ_LIB_SHAPERULES_H
