//===- Loops.h - Strided n-d iteration for the CPU kernels --------*- C++
//-*-===//
//
// A Loop walks N operands over one iteration shape. Operand 0 is usually the
// (row-major) result; the others are views broadcast to the same shape (zero
// strides). Axes of size 1 are dropped and neighbouring axes that are
// contiguous for every operand merge, so most elementwise work ends up as one
// flat inner loop that the compiler vectorises. Kernels hand an inner function
// f(ptrs, strides, n) to `run`, which calls it once per innermost row.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_LOOPS_H
#define EJ_RUNTIME_CPU_LOOPS_H

#include "runtime/cpu/Parallel.h"

#include <cstdint>
#include <cstring>

namespace ej::runtime {

inline constexpr int kMaxLoopRank = 8;

/// An operand as a kernel sees it: data, element size, and shape/strides (in
/// elements) right-aligned against the loop's shape.
struct Operand {
  char *data;
  int64_t elsize;
  int rank;
  const int64_t *shape;
  const int64_t *strides;
};

template <int N> struct Loop {
  int rank = 0; // after simplification; 0 means one element
  int64_t shape[kMaxLoopRank];
  int64_t strides[N][kMaxLoopRank]; // bytes
  char *base[N];
  int64_t numel = 1;

  Loop(int out_rank, const int64_t *out_shape, const Operand (&ops)[N]) {
    int r = out_rank;
    for (int d = 0; d < r; ++d)
      shape[d] = out_shape[d];
    for (int k = 0; k < N; ++k) {
      base[k] = ops[k].data;
      int lead = r - ops[k].rank;
      for (int d = 0; d < r; ++d) {
        int od = d - lead;
        strides[k][d] = (od < 0 || ops[k].shape[od] == 1)
                            ? 0
                            : ops[k].strides[od] * ops[k].elsize;
      }
    }
    simplify(r);
  }

  // Drops size-1 axes, then merges axis d into d+1 where every operand
  // steps over d exactly as far as over a whole row of d+1.
  void simplify(int r) {
    int w = 0;
    for (int d = 0; d < r; ++d) {
      numel *= shape[d];
      if (shape[d] == 1)
        continue;
      shape[w] = shape[d];
      for (int k = 0; k < N; ++k)
        strides[k][w] = strides[k][d];
      ++w;
    }
    rank = 0;
    for (int d = 0; d < w; ++d) {
      if (rank > 0) {
        int p = rank - 1;
        bool merge = true;
        for (int k = 0; k < N; ++k)
          merge &= strides[k][p] == strides[k][d] * shape[d];
        if (merge) {
          shape[p] *= shape[d];
          for (int k = 0; k < N; ++k)
            strides[k][p] = strides[k][d];
          continue;
        }
      }
      shape[rank] = shape[d];
      for (int k = 0; k < N; ++k)
        strides[k][rank] = strides[k][d];
      ++rank;
    }
  }

  /// Calls f(ptrs, inner_strides, n) for the rows of the flat range
  /// [begin, end) of the iteration space.
  template <class F> void run_range(int64_t begin, int64_t end, F &&f) const {
    if (begin >= end)
      return;
    if (rank == 0) {
      char *p[N];
      int64_t s[N];
      for (int k = 0; k < N; ++k) {
        p[k] = base[k];
        s[k] = 0;
      }
      f(p, s, int64_t(1));
      return;
    }
    int64_t idx[kMaxLoopRank];
    int64_t rem = begin;
    for (int d = rank - 1; d >= 0; --d) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
    }
    char *p[N];
    int64_t inner[N];
    for (int k = 0; k < N; ++k) {
      p[k] = base[k];
      for (int d = 0; d < rank; ++d)
        p[k] += idx[d] * strides[k][d];
      inner[k] = strides[k][rank - 1];
    }
    int last = rank - 1;
    int64_t pos = begin;
    while (pos < end) {
      int64_t n = shape[last] - idx[last];
      if (n > end - pos)
        n = end - pos;
      f(p, inner, n);
      pos += n;
      if (pos >= end)
        break;
      // Back to the start of this row, then one step along the outer axes.
      for (int k = 0; k < N; ++k)
        p[k] -= idx[last] * inner[k];
      idx[last] = 0;
      int d = last - 1;
      for (; d >= 0; --d) {
        for (int k = 0; k < N; ++k)
          p[k] += strides[k][d];
        if (++idx[d] < shape[d])
          break;
        for (int k = 0; k < N; ++k)
          p[k] -= shape[d] * strides[k][d];
        idx[d] = 0;
      }
    }
  }

  /// Runs the whole space, split across threads when it is large.
  template <class F> void run(F &&f, int64_t grain = kParallelGrain) const {
    parallel_for(numel, grain,
                 [&](int64_t b, int64_t e) { run_range(b, e, f); });
  }
};

} // namespace ej::runtime

#endif // EJ_RUNTIME_CPU_LOOPS_H
