//===- Cublas.h - float32/float64 GEMMs through cuBLAS ----------*- C++ -*-===//
//
// cuBLAS is opened with dlopen on first use (libcublas.so.13, then
// libcublas.so, then the toolkit's copy), never linked: the library starts
// on machines without it. One handle per device, bound to the device's
// stream (runtime/cuda/Runtime.h), so cuBLAS calls are ordered with the
// interpreter's kernels. matmul and the convolutions call it. float32
// products are exact fp32 unless ej::set_gpu_tf32(true) lets cuBLAS use
// TF32 tensor cores.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_CUBLAS_H
#define EJ_RUNTIME_CUDA_CUBLAS_H

#include "ej/DType.h"

namespace ej::cuda {

/// One column-major operand of gemm_strided_batched: element (i, j) of
/// matrix b at data + b * stride + (trans ? i * ld + j : j * ld + i).
struct GemmOperand {
  const void *data;
  bool trans;
  int ld;
  long long stride;
};

/// c[b] = op(a[b]) * op(b[b]) for b < batch, column-major as
/// cublas{S,D}gemmStridedBatched computes it: op(a) is m x k, op(b) is
/// k x n, c is m x n with leading dimension ldc and batch stride stride_c;
/// with `accumulate`, c[b] += the product. `dtype` is float32 or float64.
/// A failing call throws ej::Error naming it.
void gemm_strided_batched(int device, DType dtype, int m, int n, int k,
                          const GemmOperand &a, const GemmOperand &b, void *c,
                          int ldc, long long stride_c, int batch,
                          bool accumulate = false);

} // namespace ej::cuda

#endif // EJ_RUNTIME_CUDA_CUBLAS_H
