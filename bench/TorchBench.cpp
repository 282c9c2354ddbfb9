//===- TorchBench.cpp - The same ops through libtorch's C++ API ----------===//
//
// Built only when libtorch is installed (scripts/setup --bench). Inference
// mode turns off autograd bookkeeping: the fairest eager baseline.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"

#include <torch/torch.h>

static void BM_Torch_AddOneElement(benchmark::State &state) {
  c10::InferenceMode guard;
  torch::Tensor a = torch::ones({1}), b = torch::ones({1});
  for (auto _ : state) {
    torch::Tensor c = torch::add(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
}
BENCHMARK(BM_Torch_AddOneElement);

// A binary op on two contiguous n-element float32 tensors.
template <class Op> static void binary(benchmark::State &state, Op op) {
  c10::InferenceMode guard;
  int64_t n = state.range(0);
  torch::Tensor a = torch::rand({n}), b = torch::rand({n});
  for (auto _ : state) {
    torch::Tensor c = op(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  set_traffic(state, n, 3);
}
static void BM_Torch_Add(benchmark::State &state) {
  binary(state,
         [](const torch::Tensor &a, const torch::Tensor &b) { return a + b; });
}
static void BM_Torch_Mul(benchmark::State &state) {
  binary(state,
         [](const torch::Tensor &a, const torch::Tensor &b) { return a * b; });
}
BENCHMARK(BM_Torch_Add)->Apply(elementwise_sizes);
BENCHMARK(BM_Torch_Mul)->Apply(elementwise_sizes);

static void BM_Torch_Exp(benchmark::State &state) {
  c10::InferenceMode guard;
  int64_t n = state.range(0);
  torch::Tensor a = torch::rand({n});
  for (auto _ : state) {
    torch::Tensor c = torch::exp(a);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  set_traffic(state, n, 2);
}
BENCHMARK(BM_Torch_Exp)->Apply(elementwise_sizes);

static void BM_Torch_BroadcastAdd(benchmark::State &state) {
  c10::InferenceMode guard;
  int64_t n = state.range(0);
  torch::Tensor a = torch::rand({n / 1024, 1024}), b = torch::rand({1024});
  for (auto _ : state) {
    torch::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
  set_traffic(state, n, 2);
}
BENCHMARK(BM_Torch_BroadcastAdd)->Apply(elementwise_sizes);

static void BM_Torch_MatMul(benchmark::State &state) {
  c10::InferenceMode guard;
  int64_t n = state.range(0);
  torch::Tensor a = torch::rand({n, n}), b = torch::rand({n, n});
  for (auto _ : state) {
    torch::Tensor c = torch::matmul(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
}
BENCHMARK(BM_Torch_MatMul)
    ->Arg(64)
    ->Arg(512)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

static void BM_Torch_ReduceSumAll(benchmark::State &state) {
  c10::InferenceMode guard;
  torch::Tensor a = torch::rand({int64_t(1) << 22});
  for (auto _ : state) {
    torch::Tensor s = a.sum();
    benchmark::DoNotOptimize(s.data_ptr());
  }
  set_traffic(state, int64_t(1) << 22, 1);
}
BENCHMARK(BM_Torch_ReduceSumAll)->Unit(benchmark::kMicrosecond)->UseRealTime();

static void BM_Torch_ReduceSumRows(benchmark::State &state) {
  c10::InferenceMode guard;
  torch::Tensor a = torch::rand({4096, 1024});
  for (auto _ : state) {
    torch::Tensor s = a.sum(1);
    benchmark::DoNotOptimize(s.data_ptr());
  }
  set_traffic(state, int64_t(1) << 22, 1);
}
BENCHMARK(BM_Torch_ReduceSumRows)->Unit(benchmark::kMicrosecond)->UseRealTime();
