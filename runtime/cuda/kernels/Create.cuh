//===- Create.cuh - Creation kernels of the interpreter -------------------===//
//
// CUDA C templates for fill, arange, linspace, eye and the random ops, after
// runtime/cpu/Ranges.h and runtime/cpu/Philox.h: the element formulas are
// the CPU kernels' own, so the values are the same.
//
//===----------------------------------------------------------------------===//

namespace ej::cuda {

/// Every element the same bits (fill; pad's and one_hot's background).
template <class U> __device__ void fill(const CreateArgs &p) {
  const U v = U(p.bits);
  for (long long i = first_index<long long>(); i < p.n;
       i += grid_step<long long>())
    static_cast<U *>(p.out)[i] = v;
}

struct Arange {
  static __device__ __forceinline__ double at(const CreateArgs &p,
                                              long long i) {
    return runtime::ranges::arange(p.a, p.b, i);
  }
};
struct Linspace {
  static __device__ __forceinline__ double at(const CreateArgs &p,
                                              long long i) {
    return runtime::ranges::linspace(p.a, p.b, p.c, p.n, i);
  }
};
struct Eye {
  static __device__ __forceinline__ double at(const CreateArgs &p,
                                              long long i) {
    return runtime::ranges::eye(p.m, i);
  }
};

/// Element i is G::at(i), converted to T as the CPU's static_cast does.
template <class T, class G> __device__ void generate(const CreateArgs &p) {
  for (long long i = first_index<long long>(); i < p.n;
       i += grid_step<long long>())
    static_cast<T *>(p.out)[i] = T(G::at(p, i));
}

/// One thread per Philox block: 4 float or 2 double elements.
template <class T, bool Normal> __device__ void random(const CreateArgs &p) {
  constexpr int k = sizeof(T) == 8 ? 2 : 4;
  const long long blocks = (p.n + k - 1) / k;
  for (long long b = first_index<long long>(); b < blocks;
       b += grid_step<long long>()) {
    double u[4];
    runtime::philox::block_values<sizeof(T) == 8, Normal>(
        p.seed, p.offset, (unsigned long long)b, p.a, p.b, u);
#pragma unroll
    for (int j = 0; j < k; ++j)
      if (b * k + j < p.n)
        static_cast<T *>(p.out)[b * k + j] = T(u[j]);
  }
}

} // namespace ej::cuda
