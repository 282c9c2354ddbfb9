//===- TorchBench.cpp - The same ops through libtorch's C++ API ----------===//
//
// Built only when libtorch is installed (scripts/setup --bench). Inference
// mode turns off autograd bookkeeping: the fairest eager baseline.
//
//===----------------------------------------------------------------------===//
#include "Mlp.h"
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

// libtorch's own kernels for the workloads of JitBench.cpp and
// FusionBench.cpp (softmax over rows of 1024, layernorm, exact GELU), at
// the same sizes: hand-vectorized C++ (SLEEF's exp and erf), the eager
// library's best, beside which the compiled regions' bandwidth reads.
static void BM_Torch_Softmax(benchmark::State &state) {
  c10::InferenceMode guard;
  const int64_t rows = state.range(0);
  torch::Tensor x = torch::randn({rows, 1024});
  for (auto _ : state) {
    torch::Tensor r = torch::softmax(x, 1);
    benchmark::DoNotOptimize(r.data_ptr());
  }
  set_traffic(state, rows * 1024, 2);
}
BENCHMARK(BM_Torch_Softmax)
    ->Arg(256)
    ->Arg(16384)
    ->ArgName("rows")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

static void BM_Torch_LayerNorm(benchmark::State &state) {
  c10::InferenceMode guard;
  const int64_t rows = state.range(0), cols = 1024;
  torch::Tensor x = torch::randn({rows, cols});
  torch::Tensor gamma = torch::randn({cols}), beta = torch::randn({cols});
  for (auto _ : state) {
    torch::Tensor r = torch::layer_norm(x, {cols}, gamma, beta);
    benchmark::DoNotOptimize(r.data_ptr());
  }
  set_traffic(state, rows * cols, 2);
}
BENCHMARK(BM_Torch_LayerNorm)
    ->Arg(1024)
    ->Arg(16384)
    ->ArgName("rows")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

static void BM_Torch_Gelu(benchmark::State &state) {
  c10::InferenceMode guard;
  const int64_t n = state.range(0);
  torch::Tensor x = torch::randn({n});
  for (auto _ : state) {
    torch::Tensor r = torch::gelu(x);
    benchmark::DoNotOptimize(r.data_ptr());
  }
  set_traffic(state, n, 2);
}
BENCHMARK(BM_Torch_Gelu)
    ->Arg(1 << 20)
    ->Arg(1 << 24)
    ->ArgName("n")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The MLP of AutodiffBench.cpp: the forward alone (no autograd), and the
// forward plus backward through autograd.
namespace {
struct TorchMlp {
  torch::Tensor x, labels, w1, b1, w2, b2;
  TorchMlp() {
    using namespace mlp;
    torch::manual_seed(1);
    x = torch::randn({kBatch, kIn});
    labels = torch::one_hot(torch::randint(0, kClasses, {kBatch}), kClasses)
                 .to(torch::kFloat);
    w1 = (torch::randn({kIn, kHidden}) * 0.05).requires_grad_();
    b1 = torch::zeros({kHidden}).requires_grad_();
    w2 = (torch::randn({kHidden, kClasses}) * 0.05).requires_grad_();
    b2 = torch::zeros({kClasses}).requires_grad_();
  }
  torch::Tensor loss() const {
    torch::Tensor h = torch::relu(torch::matmul(x, w1) + b1);
    torch::Tensor logits = torch::matmul(h, w2) + b2;
    torch::Tensor m = std::get<0>(logits.max(1, true));
    torch::Tensor lse = torch::log(torch::exp(logits - m).sum(1, true)) + m;
    return ((lse - logits) * labels).sum(1).mean();
  }
};
} // namespace

static void BM_Torch_MlpForward(benchmark::State &state) {
  TorchMlp m;
  torch::NoGradGuard no_grad;
  for (auto _ : state)
    benchmark::DoNotOptimize(m.loss().item<float>());
}
BENCHMARK(BM_Torch_MlpForward)->Unit(benchmark::kMicrosecond)->UseRealTime();

static void BM_Torch_MlpValueAndGradients(benchmark::State &state) {
  TorchMlp m;
  for (auto _ : state) {
    torch::Tensor l = m.loss();
    auto grads = torch::autograd::grad({l}, {m.w1, m.b1, m.w2, m.b2});
    benchmark::DoNotOptimize(grads[0].data_ptr());
  }
}
BENCHMARK(BM_Torch_MlpValueAndGradients)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The 8-op chain of JitBench.cpp, eagerly.
static void BM_Torch_Chain8(benchmark::State &state) {
  c10::InferenceMode guard;
  int64_t n = int64_t(1) << 20;
  torch::Tensor x = torch::rand({n}) * 2 - 1, y = torch::rand({n});
  for (auto _ : state) {
    torch::Tensor r = torch::tanh(torch::exp(((x * y + 1) * x - y) / (y + 2)));
    benchmark::DoNotOptimize(r.data_ptr());
  }
  set_traffic(state, n, 3);
}
BENCHMARK(BM_Torch_Chain8)->Unit(benchmark::kMicrosecond)->UseRealTime();
