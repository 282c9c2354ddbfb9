//===- FusionBench.cpp - Row reductions, GELU and Adam, eager and compiled
//-===//
//
// The bandwidth-bound workloads. The first argument picks the
// engine: 0 runs the interpreter alone, 1 the tracing JIT after warm-up;
// the second the size: one that the last-level cache holds, and one of
// 2^24 elements (64 MB an array), which moves through main memory. The
// bytes reported are the ones that must move (inputs read once, results
// written once): divided by BM_Base_Memcpy's bandwidth at the same size in
// the same run, they give the fraction of the memory-bandwidth floor
// reached.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"

#include <ej/ej.h>

#include <vector>

namespace {

using ej::Tensor;

// layernorm over rows of 1024: (x - mean) / sqrt(var + eps) * gamma + beta
// (ej::nn::layer_norm: the mean and the difference die inside it, so the
// compiled region writes only the result).
void BM_Ej_LayerNorm(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  const int64_t rows = state.range(1), cols = 1024;
  Tensor x = ej::random_normal({rows, cols});
  Tensor gamma = ej::random_normal({cols}), beta = ej::random_normal({cols});
  auto step = [&] {
    Tensor r = ej::nn::layer_norm(x, gamma, beta);
    benchmark::DoNotOptimize(r.data<float>());
  };
  warm_up(jit, step);
  for (auto _ : state)
    step();
  set_traffic(state, rows * cols, 2);
}
BENCHMARK(BM_Ej_LayerNorm)
    ->ArgsProduct({{0, 1}, {1024, 16384}})
    ->ArgNames({"jit", "rows"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// GELU, the exact form (x * Phi(x), through ej::erf).
void BM_Ej_Gelu(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  const int64_t n = state.range(1);
  Tensor x = ej::random_normal({n});
  auto step = [&] {
    Tensor r = ej::nn::gelu(x);
    benchmark::DoNotOptimize(r.data<float>());
  };
  warm_up(jit, step);
  for (auto _ : state)
    step();
  set_traffic(state, n, 2);
}
BENCHMARK(BM_Ej_Gelu)
    ->ArgsProduct({{0, 1}, {1 << 20, 1 << 24}})
    ->ArgNames({"jit", "n"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// One Adam step over 10 parameter tensors: each reads the parameter, its
// gradient and both moments, and writes the parameter and the moments (7
// arrays).
void BM_Ej_AdamStep(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  const int params = 10;
  const int64_t n = state.range(1) / params;
  std::vector<ej::Variable> vars;
  ej::optim::GradsAndVars grads;
  for (int i = 0; i < params; ++i) {
    vars.emplace_back(ej::random_normal({n}), "p" + std::to_string(i));
    grads.emplace_back(ej::random_normal({n}) * 0.01f, vars.back());
  }
  ej::optim::Adam adam(0.001);
  auto step = [&] {
    ej::Step s;
    adam.apply_gradients(grads);
  };
  auto observed = [&] {
    step();
    benchmark::DoNotOptimize(vars.back().read().data<float>());
  };
  warm_up(jit, observed);
  for (auto _ : state)
    observed();
  set_traffic(state, params * n, 7);
}
BENCHMARK(BM_Ej_AdamStep)
    ->ArgsProduct({{0, 1}, {10 << 16, 10 << 21}})
    ->ArgNames({"jit", "n"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

} // namespace
