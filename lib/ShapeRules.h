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

} // namespace ej::rules

#endif // EJ_LIB_SHAPERULES_H
