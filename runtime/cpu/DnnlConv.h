//===- DnnlConv.h - float32 convolutions through oneDNN -----------*- C++
//-*-===//
//
// The float32 conv2d kernels call oneDNN on the tensors as they are (NHWC
// activations, HWIO filters: no reorder); bench/RESULTS.md measured it at
// about twice the speed of im2col + OpenBLAS on the CNN's layers. float64
// (which oneDNN does not convolve) stays on im2col + BLAS.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_DNNLCONV_H
#define EJ_RUNTIME_CPU_DNNLCONV_H

#include <cstdint>

namespace ej::runtime::dnnl_conv {

/// Input (n, h, w, c), filter (kh, kw, c, o), output (n, oh, ow, o), and
/// the window's strides and padding (top, bottom, left, right).
struct Shape {
  int64_t n, h, w, c, o, oh, ow, kh, kw, sh, sw, pt, pb, pl, pr;
};

enum class Pass {
  Forward,         // writes y from x and f
  BackwardData,    // writes x (the input's cotangent) from y and f
  BackwardWeights, // writes f (the filter's cotangent) from x and y
};

/// Whether the float32 conv kernels use oneDNN (the default) or im2col +
/// BLAS; the benchmarks and tests switch to compare the two.
bool enabled();
void set_enabled(bool on);

/// Runs one pass on row-major buffers. Not for empty tensors.
void run(Pass pass, const Shape &s, float *x, float *f, float *y);

} // namespace ej::runtime::dnnl_conv

#endif // EJ_RUNTIME_CPU_DNNLCONV_H
