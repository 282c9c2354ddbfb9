//===- Common.cuh - Indexing for the interpreter's CUDA kernels -----------===//
//
// CUDA C, compiled by NVRTC as part of every kernel source
// (runtime/cuda/KernelSource.cpp), after Args.h. `I` is the index type a
// kernel variant computes offsets in: int when every index and offset of
// the launch fits in 31 bits (the host checks), else long long.
//
//===----------------------------------------------------------------------===//

namespace ej::cuda {

/// The element offset of flat index `i` of a row-major space of `rank` axes
/// with the given shape and strides. The outermost axis takes what is left
/// of `i`, so it needs no division. The loop stays a loop: unrolled, its
/// divisions make every kernel several times larger and slower to compile.
template <class I>
__device__ __forceinline__ I offset_of(I i, int rank, const long long *shape,
                                       const long long *strides) {
  I off = 0;
#pragma unroll 1
  for (int d = rank - 1; d > 0; --d) {
    const I extent = I(shape[d]);
    off += (i % extent) * I(strides[d]);
    i /= extent;
  }
  if (rank > 0)
    off += i * I(strides[0]);
  return off;
}

/// Grid-stride loops: this thread's first index and the step.
template <class I> __device__ __forceinline__ I first_index() {
  return I(blockIdx.x) * I(blockDim.x) + I(threadIdx.x);
}
template <class I> __device__ __forceinline__ I grid_step() {
  return I(gridDim.x) * I(blockDim.x);
}

/// V elements of type T moved as one aligned access (a 16-byte load or
/// store when V * sizeof(T) is 16).
template <class T, int V> struct alignas(sizeof(T) * V) Pack { T v[V]; };

} // namespace ej::cuda
