//===- TorchTrainBench.cpp - TrainStep.h's steps in libtorch --------------===//
//
// The same models, batch and Adam step through libtorch's C++ API
// (autograd on, as training needs; NCHW, libtorch's layout).
//
//===----------------------------------------------------------------------===//
#include "TrainStep.h"

#include <benchmark/benchmark.h>
#include <torch/torch.h>

namespace {

using namespace train_step;

void run_steps(benchmark::State &state, torch::nn::Sequential &model,
               const torch::Tensor &x, const torch::Tensor &labels,
               int64_t batch) {
  model->train();
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(kLearningRate));
  auto step = [&] {
    optimizer.zero_grad();
    torch::Tensor loss =
        torch::nn::functional::cross_entropy(model->forward(x), labels);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.item<float>());
  };
  for (int i = 0; i < 3; ++i)
    step();
  for (auto _ : state)
    step();
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_Torch_TrainStepMlp(benchmark::State &state) {
  torch::manual_seed(1);
  torch::nn::Sequential model(
      torch::nn::Linear(kMlpIn, kMlpHidden), torch::nn::ReLU(),
      torch::nn::Linear(kMlpHidden, kMlpHidden), torch::nn::ReLU(),
      torch::nn::Linear(kMlpHidden, kClasses));
  torch::Tensor x = torch::rand({kMlpBatch, kMlpIn});
  torch::Tensor labels = torch::randint(0, kClasses, {kMlpBatch});
  run_steps(state, model, x, labels, kMlpBatch);
}
BENCHMARK(BM_Torch_TrainStepMlp)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Torch_TrainStepCnn(benchmark::State &state) {
  torch::manual_seed(1);
  namespace tnn = torch::nn;
  tnn::Sequential model(tnn::Conv2d(tnn::Conv2dOptions(1, 32, 5).padding(2)),
                        tnn::ReLU(), tnn::MaxPool2d(tnn::MaxPool2dOptions(2)),
                        tnn::Conv2d(tnn::Conv2dOptions(32, 64, 5).padding(2)),
                        tnn::ReLU(), tnn::MaxPool2d(tnn::MaxPool2dOptions(2)),
                        tnn::Flatten(), tnn::Linear(64 * 7 * 7, 1024),
                        tnn::ReLU(), tnn::Dropout(0.5),
                        tnn::Linear(1024, kClasses));
  torch::Tensor x = torch::rand({kCnnBatch, 1, kImage, kImage});
  torch::Tensor labels = torch::randint(0, kClasses, {kCnnBatch});
  run_steps(state, model, x, labels, kCnnBatch);
}
BENCHMARK(BM_Torch_TrainStepCnn)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
