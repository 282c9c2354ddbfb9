//===- gradients.cpp - Seeds 000, 002, 003: automatic differentiation -----===//
#include "Examples.h"

#include <cstdio>
#include <cstdlib>
#include <ej/ej.h>
#include <iostream>

namespace {

// The seed's `assert`s, kept in release builds.
void require(bool ok, const char *what) {
  if (!ok) {
    std::cerr << "assertion failed: " << what << "\n";
    std::exit(1);
  }
}

// Seed 002's Model: a linear regression over two Variables.
struct Model {
  ej::Variable W{5.f, "weight"};
  ej::Variable B{10.f, "bias"};
  ej::Tensor predict(const ej::Tensor &inputs) const { return inputs * W + B; }
};

ej::Tensor loss(const Model &model, const ej::Tensor &inputs,
                const ej::Tensor &targets) {
  ej::Tensor error = model.predict(inputs) - targets;
  return ej::reduce_mean(ej::square(error));
}

// tf.train.GradientDescentOptimizer(learning_rate).apply_gradients(grads).
void apply_gradients(
    const std::vector<std::pair<ej::Tensor, ej::Variable>> &grads,
    float learning_rate) {
  for (const auto &[g, v] : grads) {
    ej::Variable var = v;
    var.assign_sub(g * learning_rate);
  }
}

} // namespace

void examples::gradients() {
  // Seed 000: the gradient of exp is exp.
  ej::set_seed(0);
  ej::Variable x(ej::random_uniform({1, 3}, ej::float64), "x");
  {
    ej::GradientTape tape;
    ej::Tensor y = ej::exp(x);
    ej::Tensor dy = tape.gradient(y, std::vector<ej::Variable>{x})[0];
    std::cout << "y = exp(x):  " << y << "\ndy/dx:       " << dy << "\n";
  }

  // Seed 002: derivatives of all orders.
  auto f = [](ej::Tensor x) { return ej::mul(x, x); };
  auto df = ej::gradients_function(f);
  auto d2f = ej::gradients_function([&](ej::Tensor x) { return df(x)[0]; });
  auto d3f = ej::gradients_function([&](ej::Tensor x) { return d2f(x)[0]; });
  require(f(ej::constant(3.f)).item<float>() == 9, "f(3) == 9");
  require(df(3.f)[0].item<float>() == 6, "df(3) == 6");
  require(d2f(3.f)[0].item<float>() == 2, "d2f(3) == 2");
  require(d3f(3.f)[0].item<float>() == 0, "d3f(3) == 0");
  std::cout << "f(3) = " << f(ej::constant(3.f)).item<float>()
            << ", f'(3) = " << df(3.f)[0].item<float>()
            << ", f''(3) = " << d2f(3.f)[0].item<float>()
            << ", f'''(3) = " << d3f(3.f)[0].item<float>() << "\n";

  // Seed 003: implicit gradients over the Variables a function reads.
  ej::Variable w(2.f, "w");
  auto square_loss = [&](ej::Tensor y) {
    return ej::square(y - ej::pow(w, 2.f));
  };
  auto implicit = ej::implicit_gradients(square_loss);
  std::cout << "loss(7) = " << square_loss(ej::constant(7.f)) << ", d loss / d "
            << implicit(ej::constant(7.f))[0].second.name() << " = "
            << implicit(ej::constant(7.f))[0].first << "\n";

  // Seed 002: linear regression, first with gradients_function ...
  ej::set_seed(2);
  const int kExamples = 1000;
  ej::Tensor training_inputs = ej::random_normal({kExamples});
  ej::Tensor noise = ej::random_normal({kExamples});
  ej::Tensor training_outputs = training_inputs * 3 + 2 + noise;
  auto mse = [&](ej::Tensor weight, ej::Tensor bias) {
    ej::Tensor error = training_inputs * weight + bias - training_outputs;
    return ej::reduce_mean(ej::square(error));
  };
  auto grad = ej::gradients_function(mse);
  ej::Tensor W = ej::constant(5.f), B = ej::constant(10.f);
  const float learning_rate = 0.01f;
  std::printf("Initial loss: %f\n", mse(W, B).item<float>());
  for (int i = 0; i < 200; ++i) {
    std::vector<ej::Tensor> dWdB = grad(W, B);
    W = W - dWdB[0] * learning_rate;
    B = B - dWdB[1] * learning_rate;
    if (i % 20 == 0)
      std::printf("Loss at step %d: %f\n", i, mse(W, B).item<float>());
  }
  std::printf("Final loss: %f\n", mse(W, B).item<float>());
  std::printf("W, B = %f, %f\n", W.item<float>(), B.item<float>());

  // ... then with Variables, implicit_gradients and gradient descent.
  Model model;
  auto model_grad = ej::implicit_gradients(loss);
  std::printf("Initial loss: %f\n",
              loss(model, training_inputs, training_outputs).item<float>());
  for (int i = 0; i < 201; ++i) {
    apply_gradients(model_grad(model, training_inputs, training_outputs),
                    learning_rate);
    if (i % 20 == 0)
      std::printf("Loss at step %d: %f\n", i,
                  loss(model, training_inputs, training_outputs).item<float>());
  }
  std::printf("Final loss: %f\n",
              loss(model, training_inputs, training_outputs).item<float>());
  std::cout << "W, B = " << model.W.read().item<float>() << ", "
            << model.B.read().item<float>() << "\n";

  // Seed 003: mini-batch gradient descent on y = x w + b with
  // implicit_value_and_gradients.
  ej::Tensor true_w = ej::constant({{-2.0f}, {4.0f}, {1.0f}});
  ej::Tensor true_b = ej::constant({0.5f});
  ej::Variable lw(ej::zeros({3, 1}), "w"), lb(ej::zeros({1}), "b");
  auto batch_loss = [&](const ej::Tensor &xs, const ej::Tensor &ys) {
    return ej::reduce_mean(ej::square(ej::matmul(xs, lw) + lb - ys));
  };
  auto loss_and_grads = ej::implicit_value_and_gradients(batch_loss);
  for (int i = 0; i < 20; ++i) {
    ej::Tensor xs = ej::random_normal({64, 3});
    ej::Tensor ys =
        ej::matmul(xs, true_w) + true_b + 0.01f * ej::random_normal({});
    auto [value, grads] = loss_and_grads(xs, ys);
    std::printf("Iteration %d: loss = %f\n", i, value.item<float>());
    apply_gradients(grads, 0.1f);
  }
  std::cout << "After training: w=" << lw.read()
            << "\nAfter training: b=" << lb.read() << "\n";
}
