//===- Launch.h - Finding and launching the CUDA kernels --------*- C++ -*-===//
//
// What the CUDA kernels of the interpreter (runtime/cuda/*Kernels.cpp)
// share: their compiled functions by unit and variant, grid sizes, and the
// elementwise, copy and fill launches that several ops are built from.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_LAUNCH_H
#define EJ_RUNTIME_CUDA_LAUNCH_H

#include "runtime/cpu/Kernels.h"
#include "runtime/cuda/KernelSource.h"
#include "runtime/cuda/Runtime.h"
#include "runtime/cuda/kernels/Args.h"

#include <initializer_list>

namespace ej::cuda {

/// Threads per block of every kernel but the integer matmul's (their
/// __launch_bounds__).
constexpr unsigned kBlock = 256;

/// Kernel variants with 32-bit index math are used when every index and
/// offset of the launch is below this.
constexpr int64_t kIndex32Limit = int64_t(1) << 30;

/// The kernel `variant` of `spec` on `device`. The unit's source is
/// generated and compiled on first use (runtime/cuda/Runtime.h caches the
/// cubin in memory and on disk); throws ej::Error naming the op and dtype
/// when the CUDA kernels do not cover them.
Function kernel(int device, const KernelSpec &spec, Variant variant);

/// Blocks for a grid-stride loop over `work` items with `block` threads
/// each: enough to fill every multiprocessor, not more (the loops take the
/// rest), at least one.
unsigned blocks_for(int device, int64_t work, unsigned block = kBlock);

/// Launches `f` on the device's stream with `args` as its one argument.
template <class Args>
void launch_with(int device, Function f, Dim3 grid, Dim3 block,
                 const Args &args) {
  void *params[] = {const_cast<Args *>(&args)};
  launch(device, f, grid, block, 0, params);
}

/// The strides of a dense row-major array of `shape`.
void row_major_strides(int rank, const int64_t *shape, int64_t *strides);

/// The largest |offset| (in elements) of an operand of `rank` axes.
int64_t max_offset(int rank, const int64_t *shape, const int64_t *strides);

/// Axes with element strides, outermost first.
struct Axes {
  int rank = 0;
  int64_t shape[kArgRank];
  int64_t strides[kArgRank];

  void push(int64_t extent, int64_t stride) {
    shape[rank] = extent;
    strides[rank++] = stride;
  }
  int64_t numel() const;
  /// Writes the axes into a kernel argument's fields.
  void store(int &to_rank, long long *to_shape, long long *to_strides) const;
  /// The same flat (row-major) index to offset map with fewer axes: size-1
  /// axes dropped, neighbours merged where the outer one steps over the
  /// inner one's whole extent (runtime::Loop's rule).
  Axes simplified() const;
};

/// The elementwise op of `spec` over the iteration space `shape`: `out`
/// (any strides: a fresh result, or a view being written) receives the
/// functor of the inputs, which broadcast as runtime::Loop broadcasts.
void map(int device, const KernelSpec &spec, const runtime::Operand &out,
         std::initializer_list<runtime::Operand> inputs, int rank,
         const int64_t *shape);

/// Copies `src` (any strides, broadcast to `shape`) into `dst` (any
/// strides), like runtime::copy_into.
void copy(int device, DType dtype, const runtime::Operand &dst,
          const runtime::Operand &src, int rank, const int64_t *shape);

/// static_cast<T>(value) for `dtype`'s T, as bits (fill, pad, one_hot).
uint64_t value_bits(DType dtype, double value);

/// Sets the `n` elements at `data` (of `dtype`) to the value `bits`.
void fill_bits(int device, DType dtype, void *data, int64_t n, uint64_t bits);

} // namespace ej::cuda

#endif // EJ_RUNTIME_CUDA_LAUNCH_H
