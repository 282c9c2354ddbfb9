//===- FusionBench.cpp - Row reductions, GELU and Adam, eager and compiled
//-===//
//
// The bandwidth-bound workloads. Each takes an argument: 0 runs the
// interpreter alone, 1 the tracing JIT after warm-up. The bytes reported
// are the ones that must move (inputs read once, results written once):
// divided by BM_Base_Memcpy's bandwidth in the same run, they give the
// fraction of the memory-bandwidth floor reached.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"

#include <ej/ej.h>

#include <vector>

namespace {

using ej::Tensor;

// layernorm over rows of 1024: (x - mean) / sqrt(var + eps) * gamma + beta.
void BM_Ej_LayerNorm(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  const int64_t rows = 1024, cols = 1024;
  Tensor x = ej::random_normal({rows, cols});
  Tensor gamma = ej::random_normal({cols}), beta = ej::random_normal({cols});
  auto step = [&] {
    Tensor mean = ej::reduce_mean(x, {1}, true);
    Tensor d = x - mean;
    Tensor var = ej::reduce_mean(ej::square(d), {1}, true);
    Tensor r = d * ej::rsqrt(var + 1e-5f) * gamma + beta;
    benchmark::DoNotOptimize(r.data<float>());
  };
  warm_up(jit, step);
  for (auto _ : state)
    step();
  set_traffic(state, rows * cols, 2);
}
BENCHMARK(BM_Ej_LayerNorm)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// GELU, the exact form (x * Phi(x), through ej::nn::erf), on 2^20 floats.
void BM_Ej_Gelu(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  const int64_t n = int64_t(1) << 20;
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
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// One Adam step over 10 parameter tensors of 2^16 floats: each reads the
// parameter, its gradient and both moments, and writes the parameter and
// the moments (7 arrays).
void BM_Ej_AdamStep(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  const int64_t n = int64_t(1) << 16;
  const int params = 10;
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
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

} // namespace
