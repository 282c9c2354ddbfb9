//===- JitBench.cpp - Compiled regions against the eager interpreter -----===//
//
// Each benchmark takes an argument: 0 runs the interpreter alone (the JIT
// off), 1 runs with the tracing JIT, after warm-up (the region hot and
// compiled); CompileChain8's is the disk cache, empty or filled. Every
// iteration observes its result, so that the compiled region runs to the end.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"

#include <ej/ej.h>

#include <chrono>
#include <thread>

namespace {

using ej::Tensor;

// The 8-op chain: x*y+1, *x, -y, /(y+2), exp, tanh.
Tensor chain(const Tensor &x, const Tensor &y) {
  return ej::tanh(ej::exp(((x * y + 1) * x - y) / (y + 2)));
}

void BM_Ej_Chain8(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  int64_t n = int64_t(1) << 20;
  Tensor x = ej::random_uniform({n}, ej::float32, -1, 1);
  Tensor y = ej::random_uniform({n}, ej::float32, 0, 1);
  auto step = [&] {
    Tensor r = chain(x, y);
    benchmark::DoNotOptimize(r.data<float>());
  };
  warm_up(jit, step);
  ej::jit::reset_stats();
  for (auto _ : state)
    step();
  set_traffic(state, n, 3);
  // A plain loop with no markers: the share of its ops that run compiled.
  set_compiled_share(state);
}
BENCHMARK(BM_Ej_Chain8)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// A hot 20-op region on one-element tensors: the fixed cost of replaying a
// compiled region (recording the calls, matching, running the kernel). The
// Step makes the ten repetitions one region (with no marker, the loop body
// would be the region).
void BM_Ej_Replay20(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  JitMode mode(jit);
  Tensor x = ej::ones({1}), y = ej::fill({1}, 0.5);
  auto step = [&] {
    ej::Step s;
    Tensor a = x;
    for (int i = 0; i < 10; ++i)
      a = ej::sin(a * y);
    benchmark::DoNotOptimize(a.data<float>());
  };
  warm_up(jit, step);
  ej::jit::reset_stats();
  for (auto _ : state)
    step();
  set_compiled_share(state);
}
BENCHMARK(BM_Ej_Replay20)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Softmax over rows of 1024 (ej::nn::softmax: its exponentials die inside
// it, so the compiled region writes only the result); 256 rows, which the
// caches hold, and 16384 (64 MB), which move through main memory.
void BM_Ej_Softmax(benchmark::State &state) {
  bool jit = state.range(0) != 0;
  const int64_t rows = state.range(1);
  JitMode mode(jit);
  Tensor x = ej::random_normal({rows, 1024});
  auto step = [&] {
    Tensor r = ej::nn::softmax(x);
    benchmark::DoNotOptimize(r.data<float>());
  };
  warm_up(jit, step);
  for (auto _ : state)
    step();
  set_traffic(state, rows * 1024, 2);
}
BENCHMARK(BM_Ej_Softmax)
    ->ArgsProduct({{0, 1}, {256, 16384}})
    ->ArgNames({"jit", "rows"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The time to compile one region of the 8-op chain, from an empty region
// cache: with an empty disk cache (0: cold, every kernel compiled), and with
// the chain's kernels on disk (1: warm, every kernel loaded, as in a second
// process that runs the same program).
void BM_Ej_CompileChain8(benchmark::State &state) {
  bool warm = state.range(0) != 0;
  JitMode mode(true);
  Tensor x = ej::random_uniform({1024}), y = ej::random_uniform({1024});
  TempDiskCache disk("ej-bench-cache");
  time_compiles(state, warm, disk, [&] {
    for (int i = 0; i < 3; ++i) {
      Tensor r; // referenced at the step's end: the region's result
      ej::Step s;
      r = chain(x, y);
    }
    ej::jit::Stats st;
    while ((st = ej::jit::stats()).regions_compiled + st.regions_failed == 0)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    return st;
  });
}
BENCHMARK(BM_Ej_CompileChain8)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(15)
    ->Unit(benchmark::kMillisecond);

} // namespace
