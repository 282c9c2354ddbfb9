//===- AutodiffBench.cpp - Gradients of an MLP loss against its forward ---===//
//
// BM_Ej_MlpForward runs the loss alone; BM_Ej_MlpValueAndGradients runs
// value_and_gradients_function of it (forward under a tape, then the cached
// gradient program). The ratio of the two is the cost of the backward pass.
// Counters: the residual memory the tape held and the part the gradient
// program read.
//
//===----------------------------------------------------------------------===//
#include "Mlp.h"

#include <benchmark/benchmark.h>
#include <ej/ej.h>

namespace {

using ej::Tensor;

struct Data {
  Tensor x, labels, w1, b1, w2, b2;
  Data() {
    using namespace mlp;
    ej::set_seed(1);
    x = ej::random_normal({kBatch, kIn});
    labels = ej::one_hot(
        ej::cast(ej::random_uniform({kBatch}, ej::float32, 0, kClasses),
                 ej::int32),
        kClasses);
    w1 = ej::random_normal({kIn, kHidden}) * 0.05f;
    b1 = ej::zeros({kHidden});
    w2 = ej::random_normal({kHidden, kClasses}) * 0.05f;
    b2 = ej::zeros({kClasses});
  }
};

Tensor loss(const Tensor &x, const Tensor &labels, const Tensor &w1,
            const Tensor &b1, const Tensor &w2, const Tensor &b2) {
  Tensor h = ej::relu(ej::matmul(x, w1) + b1);
  Tensor logits = ej::matmul(h, w2) + b2;
  Tensor m = ej::reduce_max(logits, {1}, true);
  Tensor lse = ej::log(ej::reduce_sum(ej::exp(logits - m), {1}, true)) + m;
  return ej::reduce_mean(ej::reduce_sum((lse - logits) * labels, {1}));
}

void BM_Ej_MlpForward(benchmark::State &state) {
  Data d;
  for (auto _ : state) {
    Tensor l = loss(d.x, d.labels, d.w1, d.b1, d.w2, d.b2);
    benchmark::DoNotOptimize(l.item<float>());
  }
}
BENCHMARK(BM_Ej_MlpForward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Ej_MlpValueAndGradients(benchmark::State &state) {
  Data d;
  auto vg = ej::value_and_gradients_function(
      [&](Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return loss(d.x, d.labels, w1, b1, w2, b2);
      });
  for (auto _ : state) {
    auto [value, grads] = vg(d.w1, d.b1, d.w2, d.b2);
    // Each result is observed in place (the forward's value through
    // item()): the time is the computation's, not a copy to a vector.
    benchmark::DoNotOptimize(value.item<float>());
    for (const Tensor &g : grads)
      benchmark::DoNotOptimize(g.data<float>());
  }
}
BENCHMARK(BM_Ej_MlpValueAndGradients)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_Ej_MlpTapeMemory(benchmark::State &state) {
  Data d;
  ej::GradientTape::Memory m;
  for (auto _ : state) {
    ej::GradientTape tape;
    tape.watch(d.w1);
    tape.watch(d.w2);
    Tensor l = loss(d.x, d.labels, d.w1, d.b1, d.w2, d.b2);
    std::vector<Tensor> g = tape.gradient(l, {d.w1, d.w2});
    benchmark::DoNotOptimize(g[0].to_vector<float>().data());
    m = tape.last_gradient_memory();
  }
  state.counters["held_KiB"] = double(m.held_bytes) / 1024;
  state.counters["read_KiB"] = double(m.read_bytes) / 1024;
}
BENCHMARK(BM_Ej_MlpTapeMemory)->Unit(benchmark::kMicrosecond)->UseRealTime();

} // namespace
