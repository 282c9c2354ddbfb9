//===- MatMul.cuh - Integer matmul of the interpreter ---------------------===//
//
// float32 and float64 go to cuBLAS (runtime/cuda/Cublas.h); integer
// matmul is this tiled kernel. Products and sums wrap around in the
// unsigned type of T's width, as the CPU's plain loop does in practice, so
// the order of the sums does not change the result.
//
//===----------------------------------------------------------------------===//

namespace ej::cuda {

template <class T, class U> __device__ void matmul_tiled(const MatMulArgs &p) {
  constexpr int tile = MatMulArgs::kTile;
  __shared__ U as[tile][tile];
  __shared__ U bs[tile][tile + 1];
  const T *a = static_cast<const T *>(p.a);
  const T *b = static_cast<const T *>(p.b);
  T *c = static_cast<T *>(p.c);
  const int tx = threadIdx.x, ty = threadIdx.y;
  const long long row_tiles = (p.n + tile - 1) / tile;
  const long long col_tiles = (p.m + tile - 1) / tile;
  // Grid-stride loops over batch elements and tiles, so that any size fits
  // the grid's limits; every thread of a block takes the same iterations.
  for (long long batch = blockIdx.z; batch < p.batch; batch += gridDim.z) {
    long long a_base = 0, b_base = 0;
    long long rest = batch;
    for (int d = p.batch_rank - 1; d >= 0; --d) {
      const long long index = rest % p.batch_shape[d];
      rest /= p.batch_shape[d];
      a_base += index * p.a_batch[d];
      b_base += index * p.b_batch[d];
    }
    for (long long ti = blockIdx.y; ti < row_tiles; ti += gridDim.y) {
      for (long long tj = blockIdx.x; tj < col_tiles; tj += gridDim.x) {
        const long long i = ti * tile + ty, j = tj * tile + tx;
        U sum = 0;
        for (long long t = 0; t < p.k; t += tile) {
          const long long ka = t + tx, kb = t + ty;
          as[ty][tx] = i < p.n && ka < p.k
                           ? U(a[a_base + i * p.a_rows + ka * p.a_cols])
                           : U(0);
          bs[ty][tx] = kb < p.k && j < p.m
                           ? U(b[b_base + kb * p.b_rows + j * p.b_cols])
                           : U(0);
          __syncthreads();
#pragma unroll
          for (int q = 0; q < tile; ++q)
            sum += as[ty][q] * bs[q][tx];
          __syncthreads();
        }
        if (i < p.n && j < p.m)
          c[(batch * p.n + i) * p.m + j] = T(sum);
      }
    }
  }
}

} // namespace ej::cuda
