//===- Map.cuh - Elementwise kernels of the interpreter -------------------===//
//
// CUDA C templates for every elementwise op (unary, binary, comparisons,
// where, cast, copy). F is the op's functor, generated per op and dtypes
// from the scalar math the CPU code generator uses: F::f(A0, A1, A2) -> R
// for F::N inputs; the unused argument types are char and their values are
// ignored.
//
//===----------------------------------------------------------------------===//

namespace ej::cuda {

/// Elements per pack: 16 bytes of the widest operand type.
template <class F> __host__ __device__ constexpr int map_width() {
  constexpr int a = sizeof(typename F::A0) > sizeof(typename F::A1)
                        ? sizeof(typename F::A0)
                        : sizeof(typename F::A1);
  constexpr int b = sizeof(typename F::A2) > sizeof(typename F::R)
                        ? sizeof(typename F::A2)
                        : sizeof(typename F::R);
  return 16 / (a > b ? a : b);
}

template <class T, int V>
__device__ __forceinline__ Pack<T, V> load_pack(const MapArgs &p, int k,
                                                long long i) {
  const T *x = static_cast<const T *>(p.in[k]);
  Pack<T, V> r;
  if (p.scalar[k]) {
    const T v = x[0];
#pragma unroll
    for (int j = 0; j < V; ++j)
      r.v[j] = v;
  } else {
    r = *reinterpret_cast<const Pack<T, V> *>(x + i);
  }
  return r;
}

// Elements i .. i + V - 1 of a linear map.
template <class F, int V>
__device__ __forceinline__ void map_pack(const MapArgs &p, long long i) {
  Pack<typename F::A0, V> x0 = load_pack<typename F::A0, V>(p, 0, i);
  Pack<typename F::A1, V> x1 = {};
  Pack<typename F::A2, V> x2 = {};
  if constexpr (F::N > 1)
    x1 = load_pack<typename F::A1, V>(p, 1, i);
  if constexpr (F::N > 2)
    x2 = load_pack<typename F::A2, V>(p, 2, i);
  Pack<typename F::R, V> r;
#pragma unroll
  for (int j = 0; j < V; ++j)
    r.v[j] = F::f(x0.v[j], x1.v[j], x2.v[j]);
  *reinterpret_cast<Pack<typename F::R, V> *>(
      static_cast<typename F::R *>(p.out) + i) = r;
}

/// Operands contiguous over the result's elements, or one element: whole
/// packs when the host found every pointer aligned, then single elements.
template <class F> __device__ void map_linear(const MapArgs &p) {
  constexpr int V = map_width<F>();
  const long long first = first_index<long long>(),
                  step = grid_step<long long>();
  long long done = 0;
  if (V > 1 && p.vector) {
    const long long packs = p.n / V;
    for (long long q = first; q < packs; q += step)
      map_pack<F, V>(p, q * V);
    done = packs * V;
  }
  for (long long i = done + first; i < p.n; i += step)
    map_pack<F, 1>(p, i);
}

template <class T, class I>
__device__ __forceinline__ T load_at(const void *base, I offset) {
  return static_cast<const T *>(base)[offset];
}

/// Any strides, for every operand and the result (a view being written).
template <class F, class I> __device__ void map_strided(const MapArgs &p) {
  for (I i = first_index<I>(); i < I(p.n); i += grid_step<I>()) {
    I off[4] = {0, 0, 0, 0};
    I rest = i;
#pragma unroll
    for (int d = kArgRank - 1; d >= 0; --d) {
      if (d < p.rank) {
        const I index = d > 0 ? rest % I(p.shape[d]) : rest;
        rest = d > 0 ? rest / I(p.shape[d]) : I(0);
#pragma unroll
        for (int k = 0; k <= F::N; ++k)
          off[k] += index * I(p.strides[k][d]);
      }
    }
    typename F::A1 x1 = {};
    typename F::A2 x2 = {};
    if constexpr (F::N > 1)
      x1 = load_at<typename F::A1>(p.in[1], off[2]);
    if constexpr (F::N > 2)
      x2 = load_at<typename F::A2>(p.in[2], off[3]);
    static_cast<typename F::R *>(p.out)[off[0]] =
        F::f(load_at<typename F::A0>(p.in[0], off[1]), x1, x2);
  }
}

} // namespace ej::cuda
