//===- BlasRuntime.cpp - The BLAS helpers compiled kernels call -----------===//
//
// The matmuls of a compiled kernel run here, in OpenBLAS, as the
// interpreter's matmul does (runtime/cpu/MatMulKernel.cpp): matmul stays a
// BLAS call on the CPU.
//
//===----------------------------------------------------------------------===//
#include "codegen/BlasRuntime.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include <algorithm>
#include <cblas.h>
#include <cstdint>
#include <cstring>

namespace {

// A rows x cols matrix: base pointer and element strides.
template <class T> struct Matrix {
  T *data;
  int64_t rows, cols, s0, s1;
};

// How BLAS reads a matrix in place: row-major with leading dimension `ld`,
// or transposed (column-major) with `ld`; `ok` false when neither.
struct Layout {
  bool ok, trans;
  int64_t ld;
};

template <class T> Layout layoutOf(const Matrix<T> &m) {
  int64_t s0 = m.rows == 1 ? std::max<int64_t>(m.cols, 1) : m.s0;
  int64_t s1 = m.cols == 1 ? 1 : m.s1;
  if (s1 == 1 && s0 >= std::max<int64_t>(m.cols, 1))
    return {true, false, s0};
  if (m.s0 == 1 && m.s1 >= std::max<int64_t>(m.rows, 1) && m.cols > 1)
    return {true, true, m.s1};
  return {false, false, 0};
}

// A row-major copy of `m` in `buf`.
template <class T> Matrix<T> pack(const Matrix<T> &m, std::vector<T> &buf) {
  buf.resize(size_t(m.rows * m.cols));
  for (int64_t i = 0; i < m.rows; ++i)
    for (int64_t j = 0; j < m.cols; ++j)
      buf[size_t(i * m.cols + j)] = m.data[i * m.s0 + j * m.s1];
  return {buf.data(), m.rows, m.cols, std::max<int64_t>(m.cols, 1), 1};
}

void gemm(bool ta, bool tb, int64_t n, int64_t m, int64_t k, const float *a,
          int64_t lda, const float *b, int64_t ldb, float beta, float *c,
          int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, int(n), int(m), int(k), 1.0f, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

void gemm(bool ta, bool tb, int64_t n, int64_t m, int64_t k, const double *a,
          int64_t lda, const double *b, int64_t ldb, double beta, double *c,
          int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, int(n), int(m), int(k), 1.0, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

// C = A * B + beta * C on strided matrices.
template <class T> void matmul(Matrix<T> a, Matrix<T> b, Matrix<T> c, T beta) {
  int64_t n = c.rows, m = c.cols, k = a.cols;
  if (n == 0 || m == 0)
    return;
  if (k == 0) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j)
        c.data[i * c.s0 + j * c.s1] *= beta;
    return;
  }
  std::vector<T> pa, pb, pc;
  Layout la = layoutOf(a), lb = layoutOf(b);
  if (!la.ok) {
    a = pack(a, pa);
    la = {true, false, std::max<int64_t>(k, 1)};
  }
  if (!lb.ok) {
    b = pack(b, pb);
    lb = {true, false, std::max<int64_t>(m, 1)};
  }
  Layout lc = layoutOf(c);
  if (lc.ok && !lc.trans) {
    gemm(la.trans, lb.trans, n, m, k, a.data, la.ld, b.data, lb.ld, beta,
         c.data, lc.ld);
    return;
  }
  // C in a layout BLAS cannot write: through a row-major copy.
  Matrix<T> tmp = pack(c, pc);
  gemm(la.trans, lb.trans, n, m, k, a.data, la.ld, b.data, lb.ld, beta,
       tmp.data, m);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      c.data[i * c.s0 + j * c.s1] = tmp.data[i * m + j];
}

template <class T> Matrix<T> matrix(StridedMemRefType<T, 2> *d) {
  return {d->data + d->offset, d->sizes[0], d->sizes[1], d->strides[0],
          d->strides[1]};
}

template <class T> Matrix<T> matrix(StridedMemRefType<T, 3> *d, int64_t batch) {
  return {d->data + d->offset + batch * d->strides[0], d->sizes[1], d->sizes[2],
          d->strides[1], d->strides[2]};
}

template <class T>
void batched(StridedMemRefType<T, 3> *a, StridedMemRefType<T, 3> *b,
             StridedMemRefType<T, 3> *c, T beta) {
  for (int64_t i = 0; i < c->sizes[0]; ++i)
    matmul(matrix(a, i), matrix(b, i), matrix(c, i), beta);
}

} // namespace

extern "C" {
void _mlir_ciface_ej_blas_sgemm(StridedMemRefType<float, 2> *a,
                                StridedMemRefType<float, 2> *b,
                                StridedMemRefType<float, 2> *c, float beta) {
  matmul(matrix(a), matrix(b), matrix(c), beta);
}
void _mlir_ciface_ej_blas_dgemm(StridedMemRefType<double, 2> *a,
                                StridedMemRefType<double, 2> *b,
                                StridedMemRefType<double, 2> *c, double beta) {
  matmul(matrix(a), matrix(b), matrix(c), beta);
}
void _mlir_ciface_ej_blas_sgemm_batched(StridedMemRefType<float, 3> *a,
                                        StridedMemRefType<float, 3> *b,
                                        StridedMemRefType<float, 3> *c,
                                        float beta) {
  batched(a, b, c, beta);
}
void _mlir_ciface_ej_blas_dgemm_batched(StridedMemRefType<double, 3> *a,
                                        StridedMemRefType<double, 3> *b,
                                        StridedMemRefType<double, 3> *c,
                                        double beta) {
  batched(a, b, c, beta);
}
}

std::vector<std::pair<const char *, void *>> mlir::ej::blasRuntimeSymbols() {
  return {
      {"_mlir_ciface_ej_blas_sgemm",
       reinterpret_cast<void *>(&_mlir_ciface_ej_blas_sgemm)},
      {"_mlir_ciface_ej_blas_dgemm",
       reinterpret_cast<void *>(&_mlir_ciface_ej_blas_dgemm)},
      {"_mlir_ciface_ej_blas_sgemm_batched",
       reinterpret_cast<void *>(&_mlir_ciface_ej_blas_sgemm_batched)},
      {"_mlir_ciface_ej_blas_dgemm_batched",
       reinterpret_cast<void *>(&_mlir_ciface_ej_blas_dgemm_batched)},
  };
}
