//===- BlasLayout.h - How BLAS reads a strided matrix -----------*- C++ -*-===//
//
// A matrix view (a transpose, a slice of rows) is handed to BLAS as a
// transpose flag and a leading dimension instead of being copied, where
// its strides allow. Used by the CPU's BLAS calls and the GPU's cuBLAS ones.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_BLASLAYOUT_H
#define EJ_RUNTIME_CPU_BLASLAYOUT_H

#include <algorithm>
#include <cstdint>

namespace ej::runtime {

/// How BLAS can read a rows x cols matrix with the given element strides
/// (row-major calls; `ok` false when it cannot).
struct BlasMatrix {
  bool ok;
  bool trans;
  int64_t ld;
};

inline BlasMatrix blas_layout(int64_t rows, int64_t cols, int64_t s0,
                              int64_t s1) {
  // A single row (column) reads its elements along the other axis only: its
  // own stride does not matter, the other must be 1.
  const bool row = rows == 1, col = cols == 1;
  if ((s1 == 1 || col) && (row || s0 >= std::max<int64_t>(cols, 1)))
    return {true, false, row ? std::max<int64_t>(cols, 1) : s0};
  if ((s0 == 1 || row) && (col || s1 >= std::max<int64_t>(rows, 1)))
    return {true, true, col ? std::max<int64_t>(rows, 1) : s1};
  return {false, false, 0};
}

} // namespace ej::runtime

#endif // EJ_RUNTIME_CPU_BLASLAYOUT_H
