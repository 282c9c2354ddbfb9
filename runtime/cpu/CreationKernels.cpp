//===- CreationKernels.cpp - Constants, fills, ranges and random draws ---===//
#include "runtime/cpu/Kernels.h"
#include "runtime/cpu/Philox.h"
#include "runtime/cpu/Ranges.h"

namespace ej::runtime {
using detail::Record;
using detail::TensorImpl;

namespace {

// Writes f(i) for every element i of the (row-major) result.
template <class F> void generate(Record &r, const char *op, F &&f) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  dispatch<math::kAll>(out->dtype, op, [&](auto tag) {
    using T = decltype(tag);
    T *o = out->data_as<T>();
    parallel_for(out->numel, kParallelGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        o[i] = static_cast<T>(f(i));
    });
  });
}

} // namespace

void kernel_Constant(Record &r) {
  // The API staged the values, already in the result's dtype.
  TensorImpl *out = r.result;
  detail::allocate(out);
  std::memcpy(out->data(), r.attrs.host,
              size_t(out->numel) * dtype_size(out->dtype));
}

void kernel_Fill(Record &r) {
  double v = r.attrs.f[0];
  generate(r, "fill", [v](int64_t) { return v; });
}

void kernel_Arange(Record &r) {
  double start = r.attrs.f[0], step = r.attrs.f[1];
  generate(r, "arange",
           [=](int64_t i) { return ranges::arange(start, step, i); });
}

void kernel_Linspace(Record &r) {
  double start = r.attrs.f[0], stop = r.attrs.f[1];
  int64_t n = r.result->numel;
  double step = ranges::linspace_step(start, stop, n);
  generate(r, "linspace", [=](int64_t i) {
    return ranges::linspace(start, stop, step, n, i);
  });
}

void kernel_Eye(Record &r) {
  int64_t m = r.result->shape[1];
  generate(r, "eye", [m](int64_t i) { return ranges::eye(m, i); });
}

namespace {

// Element i of a random op: 32-bit elements take one word of block i / 4,
// 64-bit ones two words of block i / 2.
template <bool Normal> void random(Record &r) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  uint64_t seed = r.attrs.u[0], offset = r.attrs.u[1];
  double a = r.attrs.f[0], b = r.attrs.f[1];
  dispatch<math::kFloats>(
      out->dtype, Normal ? "random_normal" : "random_uniform", [&](auto tag) {
        using T = decltype(tag);
        T *o = out->data_as<T>();
        int64_t n = out->numel, k = philox::per_block(sizeof(T));
        int64_t blocks = (n + k - 1) / k;
        parallel_for(blocks, int64_t(1) << 12, [&](int64_t bb, int64_t be) {
          for (int64_t blk = bb; blk < be; ++blk) {
            double u[4] = {0, 0, 0, 0};
            philox::block_values<sizeof(T) == 8, Normal>(
                seed, offset, uint64_t(blk), a, b, u);
            for (int j = 0; j < k && blk * k + j < n; ++j)
              o[blk * k + j] = T(u[j]);
          }
        });
      });
}

} // namespace

void kernel_RandomUniform(Record &r) { random<false>(r); }
void kernel_RandomNormal(Record &r) { random<true>(r); }

} // namespace ej::runtime
