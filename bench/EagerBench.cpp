//===- EagerBench.cpp - EagerJIT's eager ops -----------------------------===//
#include "Sizes.h"

#include <ej/ej.h>

// The per-op cost of the eager path: validate, infer, record, run the
// kernel, allocate the result (from the caching allocator). Every benchmark
// here runs with the tracing JIT off: these are the interpreter's figures.
static void BM_Ej_AddOneElement(benchmark::State &state) {
  JitMode eager(false);
  ej::Tensor a = ej::ones({1}), b = ej::ones({1});
  for (auto _ : state) {
    ej::Tensor c = ej::add(a, b);
    benchmark::DoNotOptimize(c.impl());
  }
}
BENCHMARK(BM_Ej_AddOneElement);

// A binary op on two contiguous n-element float32 tensors.
template <ej::Tensor (*Op)(const ej::Tensor &, const ej::Tensor &)>
static void binary(benchmark::State &state) {
  JitMode eager(false);
  int64_t n = state.range(0);
  ej::Tensor a = ej::random_uniform({n}), b = ej::random_uniform({n});
  for (auto _ : state) {
    ej::Tensor c = Op(a, b);
    benchmark::DoNotOptimize(c.impl());
  }
  set_traffic(state, n, 3);
}
static void BM_Ej_Add(benchmark::State &state) { binary<ej::add>(state); }
static void BM_Ej_Mul(benchmark::State &state) { binary<ej::mul>(state); }
BENCHMARK(BM_Ej_Add)->Apply(elementwise_sizes);
BENCHMARK(BM_Ej_Mul)->Apply(elementwise_sizes);

static void BM_Ej_Exp(benchmark::State &state) {
  JitMode eager(false);
  int64_t n = state.range(0);
  ej::Tensor a = ej::random_uniform({n});
  for (auto _ : state) {
    ej::Tensor c = ej::exp(a);
    benchmark::DoNotOptimize(c.impl());
  }
  set_traffic(state, n, 2);
}
BENCHMARK(BM_Ej_Exp)->Apply(elementwise_sizes);

static void BM_Ej_BroadcastAdd(benchmark::State &state) {
  JitMode eager(false);
  int64_t n = state.range(0);
  ej::Tensor a = ej::random_uniform({n / 1024, 1024}),
             b = ej::random_uniform({1024});
  for (auto _ : state) {
    ej::Tensor c = a + b;
    benchmark::DoNotOptimize(c.impl());
  }
  set_traffic(state, n, 2);
}
BENCHMARK(BM_Ej_BroadcastAdd)->Apply(elementwise_sizes);

static void BM_Ej_MatMul(benchmark::State &state) {
  JitMode eager(false);
  int64_t n = state.range(0);
  ej::Tensor a = ej::random_uniform({n, n}), b = ej::random_uniform({n, n});
  for (auto _ : state) {
    ej::Tensor c = ej::matmul(a, b);
    benchmark::DoNotOptimize(c.impl());
  }
}
BENCHMARK(BM_Ej_MatMul)
    ->Arg(64)
    ->Arg(512)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

static void BM_Ej_ReduceSumAll(benchmark::State &state) {
  JitMode eager(false);
  ej::Tensor a = ej::random_uniform({int64_t(1) << 22});
  for (auto _ : state)
    benchmark::DoNotOptimize(ej::reduce_sum(a).impl());
  set_traffic(state, int64_t(1) << 22, 1);
}
BENCHMARK(BM_Ej_ReduceSumAll)->Unit(benchmark::kMicrosecond)->UseRealTime();

static void BM_Ej_ReduceSumRows(benchmark::State &state) {
  JitMode eager(false);
  ej::Tensor a = ej::random_uniform({4096, 1024});
  for (auto _ : state)
    benchmark::DoNotOptimize(ej::reduce_sum(a, {1}).impl());
  set_traffic(state, int64_t(1) << 22, 1);
}
BENCHMARK(BM_Ej_ReduceSumRows)->Unit(benchmark::kMicrosecond)->UseRealTime();
