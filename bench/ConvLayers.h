//===- ConvLayers.h - The convolutions the kernel benchmarks run --*- C++
//-*-===//
//
// The two convolutions of the Fashion-MNIST CNN at batch 64, 5x5 filters,
// SAME padding, stride 1: conv1 28x28x1 -> 32, conv2 14x14x32 -> 64. Each
// is run forward, backward to the input and backward to the filter, by
// EagerJIT's im2col + BLAS kernels (ConvBench.cpp) and by oneDNN
// (DnnlBench.cpp), on NHWC activations and HWIO filters.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_BENCH_CONVLAYERS_H
#define EJ_BENCH_CONVLAYERS_H

#include <benchmark/benchmark.h>

#include <cstdint>

namespace conv_layers {

struct Layer {
  int64_t n, h, w, c, o, k;
};
inline constexpr Layer kLayers[] = {{64, 28, 28, 1, 32, 5},
                                    {64, 14, 14, 32, 64, 5}};

/// Arg 0: the layer; arg 1: 0 forward, 1 backward to the input, 2 backward
/// to the filter.
inline void layer_args(benchmark::internal::Benchmark *b) {
  b->ArgNames({"layer", "pass"});
  for (int64_t layer : {0, 1})
    for (int64_t pass : {0, 1, 2})
      b->Args({layer, pass});
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

/// Multiply-adds of one pass, as FLOPs (each pass has the same count).
inline double flops(const Layer &l) {
  return 2.0 * double(l.n * l.h * l.w * l.o * l.k * l.k * l.c);
}

} // namespace conv_layers

#endif // EJ_BENCH_CONVLAYERS_H
