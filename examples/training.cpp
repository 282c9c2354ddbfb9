//===- training.cpp - Seed 002: training a model on Fashion-MNIST ---------===//
//
// "Building and training models": an MLP (784-128-10) built from ej::nn
// layers, trained with Adam on batches from an ej::data pipeline, with the
// loss and accuracy kept in ej::metrics, written as CSV and SVG curves, and
// the weights and optimizer state saved as a checkpoint.
//
//===----------------------------------------------------------------------===//
#include "Examples.h"

#include <chrono>
#include <cstdio>
#include <ej/ej.h>
#include <filesystem>
#include <iostream>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

} // namespace

void examples::training(const TrainingOptions &options) {
  namespace nn = ej::nn;
  if (!ej::data::mnist_available()) {
    std::cout << "Fashion-MNIST is not installed (expected in "
              << ej::data::kFashionMnistDir
              << "; apt-get install dataset-fashion-mnist): skipping.\n";
    return;
  }
  auto start = Clock::now();
  ej::data::Mnist data = ej::data::load_mnist();
  std::printf("Loaded Fashion-MNIST: %lld training and %lld test images of "
              "28x28 in %.2f s\n",
              (long long)data.train_images.dim(0),
              (long long)data.test_images.dim(0), seconds_since(start));

  ej::set_seed(42);
  nn::Sequential model(nn::Flatten(), nn::Dense(128, nn::relu), nn::Dense(10));
  const int64_t batch_size = 128;
  const int epochs = options.full ? 10 : 1;
  const int64_t steps_per_epoch = data.train_images.dim(0) / batch_size;
  ej::optim::Adam optimizer(
      ej::optim::cosine_decay(2e-3, epochs * steps_per_epoch, /*alpha=*/0.05));

  auto loss_fn = [&](const ej::Tensor &images, const ej::Tensor &labels) {
    return ej::reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(
        labels, model(images, /*training=*/true)));
  };
  auto loss_and_grads = ej::implicit_value_and_gradients(loss_fn);

  ej::data::Dataset train = ej::data::Dataset::from_tensor_slices(
                                {data.train_images, data.train_labels})
                                .shuffle(10000, /*seed=*/1)
                                .batch(batch_size, /*drop_remainder=*/true)
                                .prefetch(2);

  std::filesystem::create_directories(options.out_dir);
  std::string csv_path = options.out_dir + "/fashion_mnist_training.csv";
  ej::metrics::CsvWriter csv(csv_path, {"loss", "accuracy", "examples_per_s"});
  ej::metrics::Series loss_curve{"training loss", {}, {}};
  ej::metrics::Series accuracy_curve{"training accuracy", {}, {}};
  ej::metrics::Mean mean_loss("loss");
  ej::metrics::Accuracy accuracy;
  const int64_t print_every = 50;

  std::printf("Training %s for %d epoch%s (%lld steps of %lld), Adam with "
              "cosine decay from 2e-3\n",
              "784-128-10", epochs, epochs == 1 ? "" : "s",
              (long long)(epochs * steps_per_epoch), (long long)batch_size);
  int64_t step = 0;
  auto window = Clock::now();
  auto train_start = Clock::now();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (const ej::data::Element &batch : train) {
      ej::Step region; // one training step is one JIT region
      auto [loss, grads] = loss_and_grads(batch[0], batch[1]);
      optimizer.apply_gradients(grads);
      mean_loss.update_state(loss);
      ++step;
      if (step % print_every == 0) {
        // The accuracy of the updated model on this batch.
        accuracy.update_state(batch[1], model(batch[0]));
        double rate = double(print_every * batch_size) / seconds_since(window);
        double l = mean_loss.result().item<double>();
        double a = accuracy.result().item<double>();
        std::printf("step %5lld  epoch %d  loss %.4f  batch accuracy %.3f  "
                    "%.0f examples/s\n",
                    (long long)step, epoch + 1, l, a, rate);
        csv.write(step, {l, a, rate});
        loss_curve.x.push_back(double(step));
        loss_curve.y.push_back(l);
        accuracy_curve.x.push_back(double(step));
        accuracy_curve.y.push_back(a);
        mean_loss.reset_state();
        accuracy.reset_state();
        window = Clock::now();
      }
    }
  }
  double train_s = seconds_since(train_start);
  std::printf("Trained %lld steps in %.1f s: %.0f examples/s on average\n",
              (long long)step, train_s, double(step * batch_size) / train_s);

  ej::metrics::Accuracy test_accuracy("test_accuracy");
  ej::metrics::Mean test_loss("test_loss");
  for (const ej::data::Element &batch :
       ej::data::Dataset::from_tensor_slices(
           {data.test_images, data.test_labels})
           .batch(1000)) {
    ej::Tensor logits = model(batch[0]);
    test_loss.update_state(
        nn::sparse_softmax_cross_entropy_with_logits(batch[1], logits));
    test_accuracy.update_state(batch[1], logits);
  }
  std::printf("Test loss %.4f, test accuracy %.2f%%\n",
              test_loss.result().item<double>(),
              100 * test_accuracy.result().item<double>());

  std::string svg_path = options.out_dir + "/fashion_mnist_training.svg";
  ej::metrics::PlotOptions plot;
  plot.title = "Fashion-MNIST, 784-128-10 MLP, Adam";
  ej::metrics::write_line_plot_svg(svg_path, {loss_curve, accuracy_curve},
                                   plot);
  std::string ckpt_path = options.out_dir + "/fashion_mnist_mlp.npz";
  ej::NamedVariables vars = model.named_variables();
  ej::NamedVariables state = optimizer.named_variables(vars);
  vars.insert(vars.end(), state.begin(), state.end());
  ej::save_checkpoint(ckpt_path, vars);
  std::cout << "Wrote " << csv_path << ", " << svg_path << " and " << ckpt_path
            << " (" << vars.size() << " variables)\n";
}
