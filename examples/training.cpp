//===- training.cpp - Seed 002: training models on Fashion-MNIST ----------===//
//
// "Building and training models": an MLP (784-128-10) and the seed's CNN
// (conv 32 5x5 -> max pool; conv 64 5x5 -> max pool; dense 1024 -> dropout;
// dense 10), built from ej::nn layers and trained with Adam on batches from
// an ej::data pipeline. Progress lines show the loss, the speed and how much
// of the work ran in compiled regions; the loss and accuracy are kept in
// ej::metrics, written as CSV and SVG curves, and the MLP's weights and
// optimizer state are saved as a checkpoint.
//
//===----------------------------------------------------------------------===//
#include "Examples.h"

#include <chrono>
#include <cstdio>
#include <ej/ej.h>
#include <filesystem>
#include <iostream>

namespace {

namespace nn = ej::nn;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One model's training run.
struct Run {
  std::string title; // "784-128-10 MLP"
  std::string file;  // output file stem: "fashion_mnist_mlp"
  nn::Model &model;
  ej::Tensor train_images, test_images; // shaped for the model
  int64_t batch_size;
  int64_t steps;
  double learning_rate; // cosine decay from here to 5% of it
  int64_t print_every;
};

// The share of ops since `from` that ran inside compiled regions, in %.
double compiled_percent(const ej::jit::Stats &from) {
  ej::jit::Stats now = ej::jit::stats();
  double compiled = double(now.ops_compiled - from.ops_compiled);
  double cold = double(now.ops_cold - from.ops_cold);
  return compiled + cold > 0 ? 100 * compiled / (compiled + cold) : 0;
}

// Trains, prints progress and the test accuracy, writes the curves; returns
// the test accuracy.
double train_and_evaluate(const Run &run, const ej::data::Mnist &data,
                          const examples::TrainingOptions &options,
                          ej::optim::Adam &optimizer) {
  nn::Model &model = run.model;
  auto loss_fn = [&](const ej::Tensor &images, const ej::Tensor &labels) {
    return ej::reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(
        labels, model(images, /*training=*/true)));
  };
  auto loss_and_grads = ej::implicit_value_and_gradients(loss_fn);
  ej::data::Dataset train = ej::data::Dataset::from_tensor_slices(
                                {run.train_images, data.train_labels})
                                .shuffle(10000, /*seed=*/1)
                                .batch(run.batch_size, /*drop_remainder=*/true)
                                .prefetch(2);

  std::string csv_path = options.out_dir + "/" + run.file + ".csv";
  ej::metrics::CsvWriter csv(
      csv_path, {"loss", "accuracy", "examples_per_s", "compiled_percent"});
  ej::metrics::Series loss_curve{"training loss", {}, {}};
  ej::metrics::Series accuracy_curve{"training accuracy", {}, {}};
  ej::metrics::Mean mean_loss("loss");
  ej::metrics::Accuracy accuracy;

  const int64_t per_epoch = data.train_images.dim(0) / run.batch_size;
  std::printf("Training the %s for %lld steps of %lld (%.1f epochs), Adam "
              "with cosine decay from %g\n",
              run.title.c_str(), (long long)run.steps,
              (long long)run.batch_size, double(run.steps) / double(per_epoch),
              run.learning_rate);
  int64_t step = 0;
  auto window = Clock::now();
  auto train_start = window;
  ej::jit::Stats window_stats = ej::jit::stats();
  while (step < run.steps) {
    for (const ej::data::Element &batch : train) {
      {
        ej::Step region; // one training step is one JIT region
        auto [loss, grads] = loss_and_grads(batch[0], batch[1]);
        optimizer.apply_gradients(grads);
        mean_loss.update_state(loss);
      }
      ++step;
      if (step % run.print_every == 0 || step == run.steps) {
        double percent = compiled_percent(window_stats);
        int64_t done =
            step % run.print_every ? step % run.print_every : run.print_every;
        double rate = double(done * run.batch_size) / seconds_since(window);
        // The accuracy of the updated model on this batch.
        accuracy.update_state(batch[1], model(batch[0]));
        double l = mean_loss.result().item<double>();
        double a = accuracy.result().item<double>();
        std::printf("step %5lld  loss %.4f  batch accuracy %.3f  %6.0f "
                    "examples/s  %3.0f%% of ops compiled\n",
                    (long long)step, l, a, rate, percent);
        std::fflush(stdout);
        csv.write(step, {l, a, rate, percent});
        loss_curve.x.push_back(double(step));
        loss_curve.y.push_back(l);
        accuracy_curve.x.push_back(double(step));
        accuracy_curve.y.push_back(a);
        mean_loss.reset_state();
        accuracy.reset_state();
        window = Clock::now();
        window_stats = ej::jit::stats();
      }
      if (step == run.steps)
        break;
    }
  }
  double train_s = seconds_since(train_start);
  std::printf("Trained %lld steps in %.1f s: %.0f examples/s on average\n",
              (long long)step, train_s,
              double(step * run.batch_size) / train_s);

  ej::metrics::Accuracy test_accuracy("test_accuracy");
  ej::metrics::Mean test_loss("test_loss");
  for (const ej::data::Element &batch : ej::data::Dataset::from_tensor_slices(
                                            {run.test_images, data.test_labels})
                                            .batch(500)) {
    ej::Tensor logits = model(batch[0]);
    test_loss.update_state(
        nn::sparse_softmax_cross_entropy_with_logits(batch[1], logits));
    test_accuracy.update_state(batch[1], logits);
  }
  double accuracy_value = test_accuracy.result().item<double>();
  std::printf("%s: test loss %.4f, test accuracy %.2f%%\n", run.title.c_str(),
              test_loss.result().item<double>(), 100 * accuracy_value);

  std::string svg_path = options.out_dir + "/" + run.file + ".svg";
  ej::metrics::PlotOptions plot;
  plot.title = "Fashion-MNIST, " + run.title + ", Adam";
  ej::metrics::write_line_plot_svg(svg_path, {loss_curve, accuracy_curve},
                                   plot);
  std::cout << "Wrote " << csv_path << " and " << svg_path << "\n";
  return accuracy_value;
}

// The seed's MNISTModel, channels last (the faster layout on CPUs).
nn::Sequential make_cnn() {
  const auto same = ej::Padding::Same;
  const auto last = ej::DataFormat::ChannelsLast;
  return nn::Sequential(nn::Conv2D(32, {5, 5}, {1, 1}, same, last, nn::relu),
                        nn::MaxPooling2D({2, 2}, {2, 2}, same, last),
                        nn::Conv2D(64, {5, 5}, {1, 1}, same, last, nn::relu),
                        nn::MaxPooling2D({2, 2}, {2, 2}, same, last),
                        nn::Flatten(), nn::Dense(1024, nn::relu),
                        nn::Dropout(0.5), nn::Dense(10));
}

} // namespace

void examples::training(const TrainingOptions &options) {
  if (!ej::data::mnist_available()) {
    std::cout << "Fashion-MNIST is not installed (expected in "
              << ej::data::kFashionMnistDir
              << "; apt-get install dataset-fashion-mnist): skipping.\n";
    return;
  }
  auto start = Clock::now();
  ej::data::Mnist data = ej::data::load_mnist();
  const int64_t n_train = data.train_images.dim(0);
  const int64_t n_test = data.test_images.dim(0);
  std::printf("Loaded Fashion-MNIST: %lld training and %lld test images of "
              "28x28 in %.2f s\n",
              (long long)n_train, (long long)n_test, seconds_since(start));
  std::filesystem::create_directories(options.out_dir);

  // The MLP: one epoch (ten with --full) of batches of 128.
  ej::set_seed(42);
  nn::Sequential mlp(nn::Flatten(), nn::Dense(128, nn::relu), nn::Dense(10));
  const int64_t mlp_steps = (options.full ? 10 : 1) * (n_train / 128);
  ej::optim::Adam mlp_optimizer(
      ej::optim::cosine_decay(2e-3, mlp_steps, /*alpha=*/0.05));
  train_and_evaluate({"784-128-10 MLP", "fashion_mnist_training", mlp,
                      data.train_images, data.test_images, 128, mlp_steps, 2e-3,
                      50},
                     data, options, mlp_optimizer);
  std::string ckpt_path = options.out_dir + "/fashion_mnist_mlp.npz";
  ej::NamedVariables vars = mlp.named_variables();
  ej::NamedVariables state = mlp_optimizer.named_variables(vars);
  vars.insert(vars.end(), state.begin(), state.end());
  ej::save_checkpoint(ckpt_path, vars);
  std::cout << "Wrote " << ckpt_path << " (" << vars.size()
            << " variables)\n\n";

  // The CNN. The short schedule is one epoch of batches of 64 at a larger
  // rate than the seed's; --full runs the seed's 20000 steps of 50 at 1e-4.
  ej::set_seed(42);
  nn::Sequential cnn = make_cnn();
  const int64_t cnn_batch = options.full ? 50 : 64;
  const int64_t cnn_steps = options.full ? 20000 : n_train / cnn_batch;
  const double cnn_rate = options.full ? 1e-4 : 1e-3;
  ej::optim::Adam cnn_optimizer(
      ej::optim::cosine_decay(cnn_rate, cnn_steps, /*alpha=*/0.05));
  train_and_evaluate(
      {"CNN (conv 32 5x5, pool, conv 64 5x5, pool, dense 1024, dropout, "
       "dense 10)",
       "fashion_mnist_cnn", cnn,
       ej::reshape(data.train_images, {n_train, 28, 28, 1}),
       ej::reshape(data.test_images, {n_test, 28, 28, 1}), cnn_batch, cnn_steps,
       cnn_rate, 50},
      data, options, cnn_optimizer);
}
