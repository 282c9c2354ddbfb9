//===- TrainStepBench.cpp - Whole training steps through ej::nn -----------===//
//
// The steps of TrainStep.h with the JIT on (the step is one region,
// compiled) and off (every op through the interpreter). Each iteration is
// one `ej::Step` and observes the loss, so all of its work is timed.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"
#include "TrainStep.h"

#include <ej/ej.h>

namespace {

using ej::Tensor;
namespace nn = ej::nn;
using namespace train_step;

void run_steps(benchmark::State &state, nn::Model &model, const Tensor &x,
               const Tensor &labels, int64_t batch) {
  JitMode mode(state.range(0) != 0);
  ej::optim::Adam optimizer(kLearningRate);
  auto loss_fn = [&](const Tensor &images, const Tensor &targets) {
    return ej::reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(
        targets, model(images, /*training=*/true)));
  };
  auto loss_and_grads = ej::implicit_value_and_gradients(loss_fn);
  auto step = [&] {
    Tensor loss;
    {
      ej::Step region;
      auto [value, grads] = loss_and_grads(x, labels);
      optimizer.apply_gradients(grads);
      loss = value;
    }
    benchmark::DoNotOptimize(loss.item<float>());
  };
  step(); // builds the model
  warm_up(state.range(0) != 0, step);
  ej::jit::Stats before = ej::jit::stats();
  for (auto _ : state)
    step();
  ej::jit::Stats after = ej::jit::stats();
  double compiled = double(after.ops_compiled - before.ops_compiled);
  double cold = double(after.ops_cold - before.ops_cold);
  state.counters["compiled_pct"] =
      compiled + cold > 0 ? 100 * compiled / (compiled + cold) : 0;
  state.SetItemsProcessed(state.iterations() * batch);
}

Tensor random_labels(int64_t n) {
  return ej::cast(ej::random_uniform({n}, ej::float32, 0, kClasses), ej::int32);
}

// Arg 1: the JIT on; 0: off.
void BM_Ej_TrainStepMlp(benchmark::State &state) {
  ej::set_seed(1);
  nn::Sequential model(nn::Dense(kMlpHidden, nn::relu),
                       nn::Dense(kMlpHidden, nn::relu), nn::Dense(kClasses));
  Tensor x = ej::random_uniform({kMlpBatch, kMlpIn});
  run_steps(state, model, x, random_labels(kMlpBatch), kMlpBatch);
}
BENCHMARK(BM_Ej_TrainStepMlp)
    ->ArgName("jit")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Ej_TrainStepCnn(benchmark::State &state) {
  ej::set_seed(1);
  const auto same = ej::Padding::Same;
  const auto last = ej::DataFormat::ChannelsLast;
  nn::Sequential model(nn::Conv2D(32, {5, 5}, {1, 1}, same, last, nn::relu),
                       nn::MaxPooling2D({2, 2}, {2, 2}, same, last),
                       nn::Conv2D(64, {5, 5}, {1, 1}, same, last, nn::relu),
                       nn::MaxPooling2D({2, 2}, {2, 2}, same, last),
                       nn::Flatten(), nn::Dense(1024, nn::relu),
                       nn::Dropout(0.5), nn::Dense(kClasses));
  Tensor x = ej::random_uniform({kCnnBatch, kImage, kImage, 1});
  run_steps(state, model, x, random_labels(kCnnBatch), kCnnBatch);
}
BENCHMARK(BM_Ej_TrainStepCnn)
    ->ArgName("jit")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace
