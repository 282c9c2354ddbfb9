//===- ShapeRules.h - Shape rules shared by the API and the dialect -*- C++ -*-===//
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

} // namespace ej::rules

#endif // EJ_LIB_SHAPERULES_H
