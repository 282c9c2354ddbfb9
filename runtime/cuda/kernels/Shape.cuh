//===- Shape.cuh - gather and one_hot kernels of the interpreter ----------===//
//
// CUDA C templates, by element size (U: an unsigned type of that size) and
// index type I (runtime/cuda/kernels/Common.cuh). The other shape ops are
// views or copies through the elementwise copy kernel.
//
//===----------------------------------------------------------------------===//

namespace ej::cuda {

template <class U, class I> __device__ void gather(const GatherArgs &p) {
  const U *params = static_cast<const U *>(p.params);
  const I inner = I(p.inner), count = I(p.count);
  for (I i = first_index<I>(); i < I(p.n); i += grid_step<I>()) {
    const I q = i % inner, j = (i / inner) % count, o = i / inner / count;
    const I from =
        offset_of<I>(o, p.outer_rank, p.outer_shape, p.outer_strides) +
        I(p.indices[j]) * I(p.axis_stride) +
        offset_of<I>(q, p.inner_rank, p.inner_shape, p.inner_strides);
    static_cast<U *>(p.out)[i] = params[from];
  }
}

/// Indices outside [0, depth) match no column, as on the CPU.
template <class U, class Index, class I>
__device__ void one_hot(const OneHotArgs &p) {
  const Index *indices = static_cast<const Index *>(p.indices);
  const I depth = I(p.depth);
  const U on = U(p.on), off = U(p.off);
  for (I i = first_index<I>(); i < I(p.n); i += grid_step<I>()) {
    const I row = i / depth, column = i % depth;
    const long long v = indices[offset_of<I>(row, p.rank, p.shape, p.strides)];
    static_cast<U *>(p.out)[i] = v == (long long)column ? on : off;
  }
}

} // namespace ej::cuda
