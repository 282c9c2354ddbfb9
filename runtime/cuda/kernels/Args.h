//===- Args.h - The arguments of the interpreter's CUDA kernels -*- C++ -*-===//
//
// Each kernel takes one of these structs by value (as a __grid_constant__
// parameter). The host code includes this header, and every kernel source
// embeds it as text (runtime/cuda/KernelSource.cpp), so both sides agree on
// the layout: plain fields of the same types, laid out alike by the host
// compiler and by NVRTC (both LP64).
//
// Shapes and strides are in elements; axes are listed outermost first and
// a flat index runs over them row-major.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_KERNELS_ARGS_H
#define EJ_RUNTIME_CUDA_KERNELS_ARGS_H

namespace ej::cuda {

/// The most axes a kernel argument describes (detail::kMaxRank).
constexpr int kArgRank = 8;

/// Elementwise kernels: result = f(in[0], in[1], in[2]) over `n` elements.
struct MapArgs {
  void *out;
  const void *in[3];
  long long n;
  // Linear kernels: input k is one element, read for every index.
  int scalar[3];
  // Linear kernels: every operand that is not one element is aligned to
  // its pack (16 bytes of the widest element type).
  int vector;
  // Strided kernels: the iteration space and each operand's strides over
  // it ([0] the result, [k + 1] input k; 0 on broadcast axes).
  int rank;
  long long shape[kArgRank];
  long long strides[4][kArgRank];
};

/// Reductions: `outputs` results (the kept axes, row-major), each folding
/// `length` elements (the reduced axes) of `in`. Split reductions run
/// gridDim.y blocks of `chunk` elements per result and write partial
/// accumulators, out[split * outputs + result]; a second launch merges them.
struct ReduceArgs {
  const void *in;
  void *out;
  long long outputs;
  long long length;
  long long chunk;
  double scale; // reduce_mean: 1 / count
  int partial;
  int kept_rank, reduced_rank;
  long long kept_shape[kArgRank], kept_strides[kArgRank];
  long long reduced_shape[kArgRank], reduced_strides[kArgRank];
};

/// Creation kernels over the `n` elements of a fresh row-major result.
struct CreateArgs {
  void *out;
  long long n;
  double a, b, c; // arange: start, step; linspace: start, stop, step;
                  // random: min, max or mean, std
  long long m;    // eye: columns
  unsigned long long seed, offset; // random
  unsigned long long bits;         // fill: the value in the result's dtype
};

/// gather: result[o, j, q] = params[o, indices[j], q] over the `n` result
/// elements; `inner` elements per picked slice, `count` indices (int64,
/// already checked and non-negative).
struct GatherArgs {
  const void *params;
  const long long *indices;
  void *out;
  long long n, count, inner;
  long long axis_stride;
  int outer_rank, inner_rank;
  long long outer_shape[kArgRank], outer_strides[kArgRank];
  long long inner_shape[kArgRank], inner_strides[kArgRank];
};

/// one_hot: result[i, c] = indices[i] == c ? on : off, `depth` columns;
/// the indices have their own shape and strides.
struct OneHotArgs {
  const void *indices;
  void *out;
  long long n, depth;
  unsigned long long on, off; // the values in the result's dtype
  int rank;
  long long shape[kArgRank], strides[kArgRank];
};

/// Integer matmul: c[b] = a[b] (n x k) * b[b] (k x m), c row-major; each
/// operand's matrix strides and its strides over the batch axes.
struct MatMulArgs {
  /// The tile (and thread block) edge.
  static constexpr int kTile = 16;

  const void *a, *b;
  void *c;
  long long batch, n, k, m;
  long long a_rows, a_cols, b_rows, b_cols;
  int batch_rank;
  long long batch_shape[kArgRank], a_batch[kArgRank], b_batch[kArgRank];
};

/// Convolution patches and pooling (runtime/cpu/Window.h): `n` result
/// elements, one thread each. `x` the input (pooling, patches) or the
/// patch matrix (unpatches), `g` the output cotangent of a pooling's
/// gradient; the window's geometry as window::Geometry lays it out (for
/// patches, of the chunk of images at `x`).
struct WindowArgs {
  const void *x, *g;
  void *out;
  long long n;
  long long images, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl;
};

} // namespace ej::cuda

#endif // EJ_RUNTIME_CUDA_KERNELS_ARGS_H
