//===- GpuBench.cpp - The GPU figures: eager, compiled, the copy floor ---===//
//
// Issue figures on a CUDA device, each iteration ending with
// ej::synchronize() so that the GPU's work is inside the time: the
// device-to-device copy bandwidth (the floor the fused workloads are
// measured against), the eager launch overhead per op, the 8-op chain on
// 2^24 floats, softmax and layernorm on 4096 x 4096, an Adam step over 10
// tensors, and an MLP training step. Each reports its kernel launches,
// graph launches and copies to or on the device per step, and the share
// of its ops run compiled, as counters. Arg `jit`: 0 runs
// the interpreter's kernels alone, 1 the compiled regions after warm-up.
// Without a GPU every benchmark reports "no CUDA device".
// bench/torch_gpu.py measures PyTorch eager and torch.compile on the same
// workloads.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"
#include "TrainStep.h"

#include "lib/TensorImpl.h"
#include "runtime/cuda/Runtime.h"

#include <ej/ej.h>

namespace {

using ej::Tensor;
namespace nn = ej::nn;

bool need_gpu(benchmark::State &state) {
  if (ej::num_gpus() > 0)
    return true;
  state.SkipWithError("no CUDA device");
  return false;
}

// Runs `step` (with the JIT as `jit` says, warmed up) and times it to the
// GPU's end; `bytes` moved per step give the bandwidth. The tensor a step
// returns is held until the next step's returns: a result that no handle
// holds when its region ends is never computed (the JIT drops dead
// values). The compiled workloads mark their step with an ej::Step, as
// torch.compile is given a function: without one, a body that repeats an
// op (the chain's two muls) is cut where the op comes again, and values
// cross the cut through memory.
void run(benchmark::State &state, bool jit, const std::function<Tensor()> &step,
         int64_t bytes) {
  JitMode mode(jit);
  Tensor kept;
  auto keep = [&] { kept = step(); };
  warm_up(jit, keep);
  keep();
  ej::synchronize();
  ej::jit::reset_stats();
  uint64_t launches = ej::cuda::launches(), graphs = ej::cuda::graph_launches(),
           copies = ej::cuda::copies();
  for (auto _ : state) {
    keep();
    ej::synchronize();
  }
  auto per_step = [&](uint64_t n) {
    return benchmark::Counter(double(n), benchmark::Counter::kAvgIterations);
  };
  state.counters["launches"] = per_step(ej::cuda::launches() - launches);
  state.counters["graphs"] = per_step(ej::cuda::graph_launches() - graphs);
  state.counters["copies"] = per_step(ej::cuda::copies() - copies);
  state.SetBytesProcessed(state.iterations() * bytes);
  set_compiled_share(state);
}

// cuMemcpyDtoDAsync of 2^24 floats: the copy bandwidth (bytes read and
// written).
void BM_Gpu_CopyBandwidth(benchmark::State &state) {
  if (!need_gpu(state))
    return;
  const int64_t n = int64_t(1) << 24;
  Tensor x = ej::random_uniform({n}).gpu(), y = ej::zeros({n}).gpu();
  const void *src = x.impl()->data();
  void *dst = y.impl()->data();
  size_t bytes = size_t(n) * sizeof(float);
  run(
      state, false,
      [&] {
        ej::cuda::copy_on_device(0, dst, src, bytes);
        return Tensor();
      },
      2 * int64_t(bytes));
}
BENCHMARK(BM_Gpu_CopyBandwidth)->Unit(benchmark::kMicrosecond)->UseRealTime();

// One add on one-element tensors, eager: the launch overhead per op (the
// iteration is 100 adds and one synchronization).
void BM_Gpu_EagerAddOneElement(benchmark::State &state) {
  if (!need_gpu(state))
    return;
  Tensor x = ej::ones({1}).gpu(), y = ej::fill({1}, 0.5).gpu();
  run(
      state, false,
      [&] {
        Tensor a = x;
        for (int i = 0; i < 100; ++i)
          a = a + y;
        return a;
      },
      0);
  // Seconds per op: printed with its SI prefix ("4.2us").
  state.counters["time_per_op"] =
      benchmark::Counter(100, benchmark::Counter::kIsIterationInvariantRate |
                                  benchmark::Counter::kInvert);
}
BENCHMARK(BM_Gpu_EagerAddOneElement)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_Gpu_Chain8(benchmark::State &state) {
  if (!need_gpu(state))
    return;
  const int64_t n = int64_t(1) << 24;
  Tensor x = ej::random_uniform({n}, ej::float32, -1, 1).gpu();
  Tensor y = ej::random_uniform({n}, ej::float32, 0, 1).gpu();
  run(
      state, state.range(0) != 0,
      [&] {
        ej::Step region;
        return ej::tanh(ej::exp(((x * y + 1) * x - y) / (y + 2)));
      },
      3 * n * int64_t(sizeof(float)));
}
BENCHMARK(BM_Gpu_Chain8)
    ->ArgName("jit")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_Gpu_Softmax(benchmark::State &state) {
  if (!need_gpu(state))
    return;
  Tensor x = ej::random_normal({4096, 4096}).gpu();
  run(
      state, state.range(0) != 0, [&] { return nn::softmax(x); },
      2 * 4096 * 4096 * int64_t(sizeof(float)));
}
BENCHMARK(BM_Gpu_Softmax)
    ->ArgName("jit")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_Gpu_LayerNorm(benchmark::State &state) {
  if (!need_gpu(state))
    return;
  Tensor x = ej::random_normal({4096, 4096}).gpu();
  Tensor gamma = ej::random_normal({4096}).gpu();
  Tensor beta = ej::random_normal({4096}).gpu();
  run(
      state, state.range(0) != 0,
      [&] {
        ej::Step region;
        return nn::layer_norm(x, gamma, beta);
      },
      2 * 4096 * 4096 * int64_t(sizeof(float)));
}
BENCHMARK(BM_Gpu_LayerNorm)
    ->ArgName("jit")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Ten tensors of 2^21 floats: each step reads a parameter, its gradient and
// both moments and writes the three back (7 arrays).
void BM_Gpu_AdamStep(benchmark::State &state) {
  if (!need_gpu(state))
    return;
  const int params = 10;
  const int64_t n = int64_t(1) << 21;
  std::vector<ej::Variable> vars;
  ej::optim::GradsAndVars grads;
  for (int i = 0; i < params; ++i) {
    vars.emplace_back(ej::random_normal({n}).gpu(), "p" + std::to_string(i));
    grads.emplace_back((ej::random_normal({n}) * 0.01f).gpu(), vars.back());
  }
  ej::optim::Adam adam(0.001);
  run(
      state, state.range(0) != 0,
      [&] {
        ej::Step s;
        adam.apply_gradients(grads);
        return Tensor();
      },
      7 * params * n * int64_t(sizeof(float)));
}
BENCHMARK(BM_Gpu_AdamStep)
    ->ArgName("jit")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The MLP of TrainStepBench (784-512-512-10, batch 128, Adam) on the GPU.
void BM_Gpu_TrainStepMlp(benchmark::State &state) {
  if (!need_gpu(state))
    return;
  using namespace train_step;
  ej::set_seed(1);
  ej::DeviceScope on("gpu:0");
  nn::Sequential model(nn::Dense(kMlpHidden, nn::relu),
                       nn::Dense(kMlpHidden, nn::relu), nn::Dense(kClasses));
  Tensor x = ej::random_uniform({kMlpBatch, kMlpIn});
  Tensor labels = ej::cast(
      ej::random_uniform({kMlpBatch}, ej::float32, 0, kClasses), ej::int32);
  ej::optim::Adam optimizer(kLearningRate);
  auto loss_fn = [&](const Tensor &images, const Tensor &targets) {
    return ej::reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(
        targets, model(images, /*training=*/true)));
  };
  auto loss_and_grads = ej::implicit_value_and_gradients(loss_fn);
  run(
      state, state.range(0) != 0,
      [&] {
        ej::Step region;
        auto [value, grads] = loss_and_grads(x, labels);
        optimizer.apply_gradients(grads);
        return value;
      },
      0);
}
BENCHMARK(BM_Gpu_TrainStepMlp)
    ->ArgName("jit")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

} // namespace
