//===- Reduce.cuh - Reduction kernels of the interpreter ------------------===//
//
// CUDA C templates for reduce_sum/mean/prod/max/min, argmax and argmin,
// after the block reductions of codegen/CudaReduction.h. An Op says how
// one reduction accumulates:
//   In, Acc, Out           element, accumulator and result types
//   init()                 the empty accumulator
//   load(x, r)             element x, at index r of the reduced axes, as
//                          an accumulator
//   fold(a, b)             two accumulators combined
//   block(a)               every thread's accumulator combined (whole
//                          block, result in every thread)
//   finish(a, scale)       the result of an accumulator
// The sums' Ops are generated from the scalar math (runtime/cuda/
// KernelSource.cpp); argmax and argmin's are ArgOp below.
//
//===----------------------------------------------------------------------===//

namespace ej::cuda {

/// block() for Ops that fold plain values.
template <class Op, class Acc> struct BlockFold {
  static __device__ __forceinline__ Acc block(Acc a) {
    __shared__ Acc scratch[32];
    return ej_block_reduce(
        a, [](Acc x, Acc y) { return Op::fold(x, y); }, scratch);
  }
};

template <class T> struct ArgPair {
  T v;
  long long i; // -1: empty
};

/// argmax (Max) and argmin: the first NaN, else the first extreme value,
/// as the CPU kernel and ej_arg_combine have it.
template <bool Max, class T> struct ArgOp {
  typedef T In;
  typedef ArgPair<T> Acc;
  typedef long long Out;
  static __device__ __forceinline__ Acc init() { return Acc{T(0), -1}; }
  static __device__ __forceinline__ Acc load(In x, long long r) {
    return Acc{x, r};
  }
  static __device__ __forceinline__ Acc fold(Acc a, Acc b) {
    ej_arg_combine<Max>(a.v, a.i, b.v, b.i);
    return a;
  }
  static __device__ __forceinline__ Acc block(Acc a) {
    __shared__ T values[32];
    __shared__ long long indices[32];
    ej_block_arg_reduce<Max>(a.v, a.i, values, indices);
    return a;
  }
  static __device__ __forceinline__ Out finish(Acc a, double) { return a.i; }
};

/// The second pass of a split argmax / argmin: the partial pairs.
template <bool Max, class T> struct ArgMergeOp : ArgOp<Max, T> {
  typedef ArgPair<T> In;
  static __device__ __forceinline__ ArgPair<T> load(In x, long long) {
    return x;
  }
};

template <class Op, class I>
__device__ __forceinline__ void reduce_store(const ReduceArgs &p, I o,
                                             typename Op::Acc a) {
  if (p.partial)
    static_cast<typename Op::Acc *>(p.out)[I(blockIdx.y) * I(p.outputs) + o] =
        a;
  else
    static_cast<typename Op::Out *>(p.out)[o] = Op::finish(a, p.scale);
}

/// Folds the reduced elements first, first + step, ... before `end` of the
/// result at `base` into `a`. One reduced axis (the common case, after the
/// host merged what it could) needs no division: that loop is unrolled, so
/// that several loads are in flight.
template <class Op, class I>
__device__ __forceinline__ void
fold_range(const ReduceArgs &p, const typename Op::In *x, I base, I first,
           I end, I step, typename Op::Acc &a) {
  if (p.reduced_rank <= 1) {
    const I stride = p.reduced_rank ? I(p.reduced_strides[0]) : I(0);
#pragma unroll 4
    for (I r = first; r < end; r += step)
      a = Op::fold(a, Op::load(x[base + r * stride], r));
    return;
  }
  for (I r = first; r < end; r += step)
    a = Op::fold(
        a, Op::load(x[base + offset_of<I>(r, p.reduced_rank, p.reduced_shape,
                                          p.reduced_strides)],
                    r));
}

/// One block per result: the block's threads take consecutive reduced
/// elements (the host picks this when the reduced axes are the input's
/// innermost in memory), then fold through shuffles.
template <class Op, class I> __device__ void reduce_inner(const ReduceArgs &p) {
  const typename Op::In *x = static_cast<const typename Op::In *>(p.in);
  const I begin = I(blockIdx.y) * I(p.chunk);
  const I end =
      I(p.length) - begin < I(p.chunk) ? I(p.length) : begin + I(p.chunk);
  for (I o = blockIdx.x; o < I(p.outputs); o += gridDim.x) {
    const I base = offset_of<I>(o, p.kept_rank, p.kept_shape, p.kept_strides);
    typename Op::Acc a = Op::init();
    fold_range<Op>(p, x, base, begin + I(threadIdx.x), end, I(blockDim.x), a);
    a = Op::block(a);
    if (threadIdx.x == 0)
      reduce_store<Op>(p, o, a);
  }
}

/// One thread per result: neighbouring threads take neighbouring results
/// (the host picks this when the kept axes are innermost in memory).
template <class Op, class I> __device__ void reduce_outer(const ReduceArgs &p) {
  const typename Op::In *x = static_cast<const typename Op::In *>(p.in);
  const I begin = I(blockIdx.y) * I(p.chunk);
  const I end =
      I(p.length) - begin < I(p.chunk) ? I(p.length) : begin + I(p.chunk);
  for (I o = first_index<I>(); o < I(p.outputs); o += grid_step<I>()) {
    const I base = offset_of<I>(o, p.kept_rank, p.kept_shape, p.kept_strides);
    typename Op::Acc a = Op::init();
    fold_range<Op>(p, x, base, begin, end, I(1), a);
    reduce_store<Op>(p, o, a);
  }
}

} // namespace ej::cuda
