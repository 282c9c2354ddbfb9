//===- ReduceKernels.cpp - Reductions, argmax and argmin -----------------===//
//
// A reduction walks the input once with an accumulator view that has the
// result's strides on kept axes and stride 0 on reduced ones. When the
// innermost axis is reduced, each row folds into a register first; when it
// is kept, whole rows accumulate into the accumulator vector (both
// vectorise). float32 sums and products accumulate in float64 (a sum's
// unit-stride rows in float32 lanes of 16 elements first), integer ones in
// int64, and round once at the end.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Kernels.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace ej::runtime {
using detail::OpCode;
using detail::Record;
using detail::TensorImpl;

namespace {

template <class T>
using Wide = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

struct SumOp {
  template <class T> using Acc = Wide<T>;
  template <class A> static A init() { return A(0); }
  template <class A> static A combine(A a, A b) { return a + b; }
};
struct ProdOp {
  template <class T> using Acc = Wide<T>;
  template <class A> static A init() { return A(1); }
  template <class A> static A combine(A a, A b) { return a * b; }
};
struct MaxOp {
  template <class T> using Acc = T;
  template <class A> static A init() {
    if constexpr (std::is_floating_point_v<A>)
      return -std::numeric_limits<A>::infinity();
    else
      return std::numeric_limits<A>::lowest();
  }
  template <class A> static A combine(A a, A b) {
    return math::Maximum::f(a, b);
  }
};
struct MinOp {
  template <class T> using Acc = T;
  template <class A> static A init() {
    if constexpr (std::is_floating_point_v<A>)
      return std::numeric_limits<A>::infinity();
    else
      return std::numeric_limits<A>::max();
  }
  template <class A> static A combine(A a, A b) {
    return math::Minimum::f(a, b);
  }
};

// Folds a strided row into one value. A unit-stride row goes through 16
// independent lanes in the element type, flushed into the wide accumulator
// every 16 steps: the lanes vectorise, and float32 sums still gather in
// float64 after every 256 elements. Products and integer sums stay in the
// accumulator type throughout (a lane could overflow there).
template <class Op, class A, class T>
A fold_row(const T *x, int64_t sx, int64_t n) {
  A acc = Op::template init<A>();
  int64_t i = 0;
  constexpr bool kLanes =
      std::is_floating_point_v<T> && !std::is_same_v<Op, ProdOp>;
  if constexpr (kLanes) {
    if (sx == 1) {
      constexpr int kW = 16, kSteps = 16;
      for (; i + kW * kSteps <= n; i += kW * kSteps) {
        T lane[kW];
        for (int l = 0; l < kW; ++l)
          lane[l] = x[i + l];
        for (int s = 1; s < kSteps; ++s)
          for (int l = 0; l < kW; ++l)
            lane[l] = Op::combine(lane[l], x[i + s * kW + l]);
        for (int l = 0; l < kW; ++l)
          acc = Op::combine(acc, A(lane[l]));
      }
    }
  }
  A c0 = Op::template init<A>(), c1 = c0, c2 = c0, c3 = c0;
  if (sx == 1) {
    for (; i + 4 <= n; i += 4) {
      c0 = Op::combine(c0, A(x[i]));
      c1 = Op::combine(c1, A(x[i + 1]));
      c2 = Op::combine(c2, A(x[i + 2]));
      c3 = Op::combine(c3, A(x[i + 3]));
    }
  }
  for (; i < n; ++i)
    c0 = Op::combine(c0, A(x[i * sx]));
  return Op::combine(acc,
                     Op::combine(Op::combine(c0, c1), Op::combine(c2, c3)));
}

template <class Op> void reduce(Record &r, bool mean) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  bool reduced[detail::kMaxRank] = {};
  int64_t count = 1;
  for (int64_t a : r.attrs.int_list()) {
    reduced[a] = true;
    count *= x->shape[a];
  }
  const DType in_t = x->dtype;
  dispatch<math::kNumbers>(in_t, detail::op_name(r.op), [&](auto tag) {
    using T = decltype(tag);
    using A = typename Op::template Acc<T>;
    // The accumulator: the result itself when it has the accumulator's
    // type, else a scratch buffer of the result's size.
    Storage *scratch = nullptr;
    A *acc;
    bool direct = out->dtype == dtype_of<A>();
    if (direct) {
      acc = out->data_as<A>();
    } else {
      scratch = allocate_storage(size_t(out->numel) * sizeof(A));
      acc = static_cast<A *>(scratch->data);
    }
    for (int64_t i = 0; i < out->numel; ++i)
      acc[i] = Op::template init<A>();
    // Accumulator strides over x's axes: the result's row-major strides on
    // kept axes, 0 on reduced ones.
    int64_t acc_strides[detail::kMaxRank];
    int64_t step = 1;
    for (int d = x->rank - 1; d >= 0; --d) {
      acc_strides[d] = reduced[d] ? 0 : step;
      if (!reduced[d])
        step *= x->shape[d];
    }
    Operand acc_op{reinterpret_cast<char *>(acc), int64_t(sizeof(A)), x->rank,
                   x->shape, acc_strides};
    // A zero stride on a kept axis of size 1 is harmless: Loop drops it.
    Loop<2> loop(x->rank, x->shape, {acc_op, operand(x)});
    auto body = [](char **p, const int64_t *s, int64_t n) {
      A *a = reinterpret_cast<A *>(p[0]);
      const T *v = reinterpret_cast<const T *>(p[1]);
      int64_t sv = s[1] / int64_t(sizeof(T));
      if (s[0] == 0) {
        *a = Op::combine(*a, fold_row<Op, A>(v, sv, n));
      } else {
        int64_t sa = s[0] / int64_t(sizeof(A));
        for (int64_t i = 0; i < n; ++i)
          a[i * sa] = Op::combine(a[i * sa], A(v[i * sv]));
      }
    };
    constexpr int64_t kGrain = kParallelGrain;
    if (loop.numel < 2 * kGrain || loop.rank == 0) {
      loop.run_range(0, loop.numel, body);
    } else if (loop.strides[0][0] != 0) {
      // The outermost axis is kept: its slices accumulate into disjoint
      // parts of the accumulator, so they can run in parallel.
      int64_t per = loop.numel / loop.shape[0];
      parallel_for(loop.shape[0], std::max<int64_t>(1, kGrain / per),
                   [&](int64_t b, int64_t e) {
                     loop.run_range(b * per, e * per, body);
                   });
    } else if (out->numel == 1) {
      // A reduction to one value: partial results per piece, combined in
      // piece order.
      int64_t pieces = std::min<int64_t>(num_threads(), loop.numel / kGrain);
      std::vector<A> partial(size_t(pieces), Op::template init<A>());
      parallel_for(pieces, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          Loop<2> mine = loop;
          mine.base[0] = reinterpret_cast<char *>(&partial[size_t(i)]);
          mine.run_range(loop.numel * i / pieces, loop.numel * (i + 1) / pieces,
                         body);
        }
      });
      for (A v : partial)
        acc[0] = Op::combine(acc[0], v);
    } else {
      loop.run_range(0, loop.numel, body);
    }
    if (mean) {
      double inv = 1.0 / double(count);
      dispatch<math::kFloats>(out->dtype, "reduce_mean", [&](auto otag) {
        using O = decltype(otag);
        O *o = out->data_as<O>();
        for (int64_t i = 0; i < out->numel; ++i)
          o[i] = O(double(acc[i]) * inv);
      });
    } else if (!direct) {
      dispatch<math::kNumbers>(out->dtype, detail::op_name(r.op),
                               [&](auto otag) {
                                 using O = decltype(otag);
                                 O *o = out->data_as<O>();
                                 for (int64_t i = 0; i < out->numel; ++i)
                                   o[i] = O(acc[i]);
                               });
    }
    if (scratch)
      release(scratch);
  });
}

template <bool Max> void arg_reduce(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  int axis = int(r.attrs.ints[0]);
  int64_t len = x->shape[axis], axis_stride = x->strides[axis];
  // x without the reduced axis, lined up with the result.
  int64_t shape[detail::kMaxRank], strides[detail::kMaxRank];
  int k = 0;
  for (int d = 0; d < x->rank; ++d)
    if (d != axis) {
      shape[k] = x->shape[d];
      strides[k++] = x->strides[d];
    }
  dispatch<math::kNumbers>(x->dtype, Max ? "argmax" : "argmin", [&](auto tag) {
    using T = decltype(tag);
    Operand xs{x->data(), int64_t(sizeof(T)), k, shape, strides};
    Loop<2> loop(out->rank, out->shape, {operand(out), xs});
    loop.run([&](char **p, const int64_t *s, int64_t n) {
      int64_t *o = reinterpret_cast<int64_t *>(p[0]);
      const T *v = reinterpret_cast<const T *>(p[1]);
      int64_t sv = s[1] / int64_t(sizeof(T));
      for (int64_t i = 0; i < n; ++i) {
        const T *row = v + i * sv;
        int64_t best = 0;
        T bv = row[0];
        for (int64_t j = 1; j < len && !math::is_nan(bv); ++j) {
          T c = row[j * axis_stride];
          if (math::is_nan(c) || (Max ? c > bv : c < bv)) {
            bv = c;
            best = j;
          }
        }
        o[i] = best;
      }
    });
  });
}

} // namespace

void kernel_ReduceSum(Record &r) { reduce<SumOp>(r, false); }
void kernel_ReduceMean(Record &r) { reduce<SumOp>(r, true); }
void kernel_ReduceProd(Record &r) { reduce<ProdOp>(r, false); }
void kernel_ReduceMax(Record &r) { reduce<MaxOp>(r, false); }
void kernel_ReduceMin(Record &r) { reduce<MinOp>(r, false); }
void kernel_ArgMax(Record &r) { arg_reduce<true>(r); }
void kernel_ArgMin(Record &r) { arg_reduce<false>(r); }

} // namespace ej::runtime
