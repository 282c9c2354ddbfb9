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

#include <utility>

namespace {

using ej::Tensor;
namespace nn = ej::nn;
using namespace train_step;

// One training step of `model` on (x, labels): the forward pass, the loss,
// the gradients and an Adam update in one ej::Step, the loss observed.
class StepOf {
public:
  StepOf(nn::Model &model, Tensor x, Tensor labels)
      : model_(model), x_(std::move(x)), labels_(std::move(labels)),
        optimizer_(kLearningRate) {}
  void operator()() {
    auto loss_fn = [this](const Tensor &images, const Tensor &targets) {
      return ej::reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(
          targets, model_(images, /*training=*/true)));
    };
    Tensor loss;
    {
      ej::Step region;
      auto [value, grads] =
          ej::implicit_value_and_gradients(loss_fn)(x_, labels_);
      optimizer_.apply_gradients(grads);
      loss = value;
    }
    benchmark::DoNotOptimize(loss.item<float>());
  }

private:
  nn::Model &model_;
  Tensor x_, labels_;
  ej::optim::Adam optimizer_;
};

void run_steps(benchmark::State &state, nn::Model &model, const Tensor &x,
               const Tensor &labels, int64_t batch) {
  JitMode mode(state.range(0) != 0);
  StepOf step(model, x, labels);
  step(); // builds the model
  warm_up(state.range(0) != 0, [&] { step(); });
  ej::jit::Stats before = ej::jit::stats();
  for (auto _ : state)
    step();
  set_compiled_share(state, before);
  state.SetItemsProcessed(state.iterations() * batch);
}

Tensor random_labels(int64_t n) {
  return ej::cast(ej::random_uniform({n}, ej::float32, 0, kClasses), ej::int32);
}

nn::Sequential mlp() {
  return nn::Sequential(nn::Dense(kMlpHidden, nn::relu),
                        nn::Dense(kMlpHidden, nn::relu), nn::Dense(kClasses));
}

// Arg 1: the JIT on; 0: off.
void BM_Ej_TrainStepMlp(benchmark::State &state) {
  ej::set_seed(1);
  nn::Sequential model = mlp();
  Tensor x = ej::random_uniform({kMlpBatch, kMlpIn});
  run_steps(state, model, x, random_labels(kMlpBatch), kMlpBatch);
}
BENCHMARK(BM_Ej_TrainStepMlp)
    ->ArgName("jit")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The time to compile the MLP step's regions from an empty region cache,
// the step waiting for them (nothing else runs): with an empty disk cache
// (0: cold, every kernel compiled) and with the step's kernels on disk (1:
// warm, as in a second process that runs the same program); see
// time_compiles for the counters.
void BM_Ej_CompileTrainStepMlp(benchmark::State &state) {
  bool warm = state.range(0) != 0;
  JitMode mode(true);
  ej::set_seed(1);
  nn::Sequential model = mlp();
  StepOf step(model, ej::random_uniform({kMlpBatch, kMlpIn}),
              random_labels(kMlpBatch));
  step(); // builds the model
  TempDiskCache disk("ej-bench-cache-mlp");
  time_compiles(state, warm, disk, [&] {
    // Seen twice, each region is hot (EJ_JIT_THRESHOLD's default).
    step();
    step();
    ej::jit::wait_for_compiles();
    return ej::jit::stats();
  });
}
BENCHMARK(BM_Ej_CompileTrainStepMlp)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond);

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
