//===- NnTest.cpp - Activations, losses, initializers and layers ----------===//
//
// Functions against float64 loops; gradients of every function and layer
// (inputs and weights) against central differences.
//
//===----------------------------------------------------------------------===//
#include "test/unit/GradCheck.h"

#include <ej/nn.h>

#include <cmath>

namespace {

using ej::Tensor;
using ej::Variable;
using Vec = std::vector<double>;
namespace nn = ej::nn;

// The tape's gradient with respect to float64 variables against central
// differences of sum(f() * w), moving one element at a time with assign.
void check_variable_gradients(const std::function<Tensor()> &f,
                              const std::vector<Variable> &vars,
                              double tol = 1e-6, double eps = 1e-6) {
  Tensor out = f();
  Tensor w = ref::tensor(ref::uniform(ref::numel(out.shape()), 0.5, 1.5, 9),
                         out.shape(), ej::float64);
  auto objective = [&] {
    return ej::reduce_sum(ej::cast(f(), ej::float64) * w);
  };
  std::vector<Tensor> grads;
  {
    ej::GradientTape tape;
    for (const Variable &v : vars)
      tape.watch(v);
    grads = tape.gradient(objective(), vars);
  }
  for (size_t i = 0; i < vars.size(); ++i) {
    Variable v = vars[i];
    ASSERT_EQ(v.dtype(), ej::float64) << v.name();
    Vec x = ref::values(v.read()), got = ref::values(grads[i]);
    for (size_t k = 0; k < x.size(); ++k) {
      auto at = [&](double delta) {
        Vec moved = x;
        moved[k] += delta;
        v.assign(ref::tensor(moved, v.shape(), ej::float64));
        return objective().item<double>();
      };
      double numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(ref::tensor(x, v.shape(), ej::float64));
      EXPECT_NEAR(got[k], numeric, tol * (1 + std::fabs(numeric)))
          << v.name() << ", element " << k;
    }
  }
}

Vec softmax_ref(const Vec &x, int64_t rows, int64_t cols, bool log) {
  Vec out(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0;
    for (int64_t c = 0; c < cols; ++c)
      m = std::max(m, x[size_t(r * cols + c)]);
    for (int64_t c = 0; c < cols; ++c)
      s += std::exp(x[size_t(r * cols + c)] - m);
    for (int64_t c = 0; c < cols; ++c) {
      double v = x[size_t(r * cols + c)] - m;
      out[size_t(r * cols + c)] = log ? v - std::log(s) : std::exp(v) / s;
    }
  }
  return out;
}

// --- Functions ---------------------------------------------------------------

TEST(Nn, ActivationsMatchFloat64References) {
  Vec x = ref::uniform(40, -5, 5, 1);
  Tensor t = ref::tensor(x, {40}, ej::float64);
  Vec relu(x.size()), exact(x.size()), approx(x.size()), erf(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    relu[i] = std::max(x[i], 0.0);
    erf[i] = std::erf(x[i]);
    exact[i] = 0.5 * x[i] * (1 + std::erf(x[i] / std::sqrt(2.0)));
    approx[i] = 0.5 * x[i] *
                (1 + std::tanh(std::sqrt(2 / M_PI) *
                               (x[i] + 0.044715 * x[i] * x[i] * x[i])));
  }
  ref::expect_close(ref::values(nn::relu(t)), relu, 0);
  ref::expect_close(ref::values(nn::erf(t)), erf, 0, 2e-7);
  ref::expect_close(ref::values(nn::gelu(t)), exact, 0, 1e-6);
  ref::expect_close(ref::values(nn::gelu(t, true)), approx, 1e-14, 1e-15);
  // float32 keeps its dtype.
  EXPECT_EQ(nn::gelu(ej::ones({2})).dtype(), ej::float32);
}

TEST(Nn, SoftmaxAndLogSoftmaxMatchReferenceAndStayFinite) {
  Vec x = ref::uniform(4 * 6, -3, 3, 2);
  x[0] = 1000; // exp would overflow without the shift
  x[7] = -1000;
  Tensor t = ref::tensor(x, {4, 6}, ej::float64);
  ref::expect_close(ref::values(nn::softmax(t)), softmax_ref(x, 4, 6, false),
                    1e-13, 1e-300);
  ref::expect_close(ref::values(nn::log_softmax(t)), softmax_ref(x, 4, 6, true),
                    1e-13, 1e-13);
  // Along axis 0: the transpose's softmax, transposed back.
  Tensor t0 = nn::softmax(t, 0);
  ref::expect_close(ref::values(ej::transpose(t0)),
                    ref::values(nn::softmax(ej::transpose(t))), 1e-15);
  Tensor big = nn::log_softmax(ej::constant({{1000.f, 0.f}}));
  EXPECT_EQ(big.to_vector<float>()[0], 0.f);
  EXPECT_EQ(big.to_vector<float>()[1], -1000.f);
  EXPECT_THROW(nn::softmax(ej::constant(1.f)), ej::Error);
  EXPECT_THROW(nn::softmax(ej::constant({1, 2})), ej::Error);
}

TEST(Nn, CrossEntropiesMatchReferencePerExample) {
  const int64_t n = 5, k = 4;
  Vec logits = ref::uniform(n * k, -4, 4, 3);
  logits[1] = 200; // far in the tail
  Vec probs = ref::uniform(n * k, 0, 1, 4), z = ref::uniform(n * k, 0, 1, 5);
  for (int64_t r = 0; r < n; ++r) { // rows of probs sum to one
    double s = 0;
    for (int64_t c = 0; c < k; ++c)
      s += probs[size_t(r * k + c)];
    for (int64_t c = 0; c < k; ++c)
      probs[size_t(r * k + c)] /= s;
  }
  Vec labels = ref::integers(n, 0, int(k) - 1, 6);
  Vec ls = softmax_ref(logits, n, k, true);
  Vec dense(n, 0.0), sparse(n, 0.0), sigmoid(logits.size());
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = 0; c < k; ++c)
      dense[size_t(r)] -= probs[size_t(r * k + c)] * ls[size_t(r * k + c)];
    sparse[size_t(r)] = -ls[size_t(r * k + int64_t(labels[size_t(r)]))];
  }
  for (size_t i = 0; i < logits.size(); ++i) {
    double p = 1 / (1 + std::exp(-logits[i]));
    sigmoid[i] = logits[i] > 30
                     ? logits[i] * (1 - z[i]) // log(1-p) underflows
                     : -z[i] * std::log(p) - (1 - z[i]) * std::log(1 - p);
  }
  Tensor tl = ref::tensor(logits, {n, k}, ej::float64);
  Tensor d = nn::softmax_cross_entropy_with_logits(
      ref::tensor(probs, {n, k}, ej::float64), tl);
  EXPECT_EQ(d.shape(), (ref::Shape{n}));
  ref::expect_close(ref::values(d), dense, 1e-12);
  Tensor s = nn::sparse_softmax_cross_entropy_with_logits(
      ref::tensor(labels, {n}, ej::int32), tl);
  EXPECT_EQ(s.shape(), (ref::Shape{n}));
  ref::expect_close(ref::values(s), sparse, 1e-12);
  Tensor b = nn::sigmoid_cross_entropy_with_logits(
      ref::tensor(z, {n, k}, ej::float64), tl);
  EXPECT_EQ(b.shape(), (ref::Shape{n, k}));
  ref::expect_close(ref::values(b), sigmoid, 1e-10);
}

TEST(Nn, SparseLabelsOutOfRangeGiveNaNAndBadShapesAreErrors) {
  Tensor logits = ej::zeros({3, 4});
  Tensor loss = nn::sparse_softmax_cross_entropy_with_logits(
      ej::constant({0, 4, -1}), logits);
  Vec v = ref::values(loss);
  EXPECT_NEAR(v[0], std::log(4.0), 1e-6);
  EXPECT_TRUE(std::isnan(v[1]));
  EXPECT_TRUE(std::isnan(v[2]));
  try {
    nn::sparse_softmax_cross_entropy_with_logits(ej::constant({0, 1}), logits);
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("labels must have shape (3,)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(nn::sparse_softmax_cross_entropy_with_logits(
                   ej::constant({0.f, 1.f, 2.f}), logits),
               ej::Error);
  EXPECT_THROW(nn::softmax_cross_entropy_with_logits(ej::zeros({3, 3}), logits),
               ej::Error);
  EXPECT_THROW(nn::sigmoid_cross_entropy_with_logits(ej::zeros({4}), logits),
               ej::Error);
}

TEST(Nn, LayerNormMatchesFloat64Reference) {
  const int64_t rows = 5, cols = 7;
  Vec x = ref::uniform(rows * cols, -4, 4, 31);
  Vec g = ref::uniform(cols, 0.5, 2, 32), b = ref::uniform(cols, -1, 1, 33);
  Vec out(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t c = 0; c < cols; ++c)
      mean += x[size_t(r * cols + c)] / double(cols);
    for (int64_t c = 0; c < cols; ++c) {
      double d = x[size_t(r * cols + c)] - mean;
      var += d * d / double(cols);
    }
    for (int64_t c = 0; c < cols; ++c)
      out[size_t(r * cols + c)] = (x[size_t(r * cols + c)] - mean) /
                                      std::sqrt(var + 1e-3) * g[size_t(c)] +
                                  b[size_t(c)];
  }
  Tensor t = ref::tensor(x, {rows, cols}, ej::float64);
  Tensor gamma = ref::tensor(g, {cols}, ej::float64);
  Tensor beta = ref::tensor(b, {cols}, ej::float64);
  ref::expect_close(ref::values(nn::layer_norm(t, gamma, beta, -1, 1e-3)), out,
                    1e-13, 1e-13);
  // float32, along the first axis: the transpose's layer norm, transposed.
  Tensor t32 = ej::cast(ej::transpose(t), ej::float32);
  Tensor n0 = nn::layer_norm(
      t32, ej::reshape(ej::cast(gamma, ej::float32), {cols, 1}),
      ej::reshape(ej::cast(beta, ej::float32), {cols, 1}), 0, 1e-3);
  ref::expect_close(ref::values(ej::transpose(n0)), out, 1e-5, 1e-5);
  EXPECT_THROW(nn::layer_norm(ej::constant({1, 2}), gamma, beta), ej::Error);
  EXPECT_THROW(nn::layer_norm(t, gamma, beta, 2), ej::Error);
  EXPECT_THROW(nn::layer_norm(t, gamma, beta, -1, -1.0), ej::Error);
}

TEST(Nn, FunctionGradientsMatchFiniteDifferences) {
  Tensor x = gradcheck::input({3, 4}, 21, -3, 3);
  gradcheck::check([](const auto &a) { return nn::gelu(a[0]); }, {x}, 1e-5);
  gradcheck::check([](const auto &a) { return nn::gelu(a[0], true); }, {x});
  gradcheck::check([](const auto &a) { return nn::softmax(a[0]); }, {x});
  gradcheck::check(
      [](const auto &a) { return nn::layer_norm(a[0], a[1], a[2]); },
      {x, gradcheck::input({4}, 24, 0.5, 2), gradcheck::input({4}, 25)});
  gradcheck::check([](const auto &a) { return nn::log_softmax(a[0], 0); }, {x});
  Tensor probs = nn::softmax(gradcheck::input({3, 4}, 22));
  Tensor z = gradcheck::input({3, 4}, 23, 0, 1, 0);
  gradcheck::check(
      [](const auto &a) {
        return nn::softmax_cross_entropy_with_logits(a[1], a[0]);
      },
      {x, probs});
  gradcheck::check(
      [](const auto &a) {
        return nn::sigmoid_cross_entropy_with_logits(a[1], a[0]);
      },
      {x, z});
  gradcheck::check(
      [](const auto &a) {
        return nn::sparse_softmax_cross_entropy_with_logits(
            ej::constant({3, 0, 2}), a[0]);
      },
      {x});
}

// --- Initializers ------------------------------------------------------------

TEST(Nn, InitializersHaveTheirScalesAndAreReproducible) {
  ej::set_seed(5);
  Tensor g = nn::glorot_uniform()({300, 200}, ej::float32);
  ej::set_seed(5);
  Tensor g2 = nn::glorot_uniform()({300, 200}, ej::float32);
  EXPECT_EQ(g.to_vector<float>(), g2.to_vector<float>());
  double limit = std::sqrt(6.0 / 500);
  Vec v = ref::values(g);
  double lo = *std::min_element(v.begin(), v.end());
  double hi = *std::max_element(v.begin(), v.end());
  EXPECT_GE(lo, -limit);
  EXPECT_LT(hi, limit);
  EXPECT_LT(lo, -0.99 * limit);
  EXPECT_GT(hi, 0.99 * limit);

  Tensor h = nn::he_normal()({400, 100}, ej::float64);
  double mean = ej::reduce_mean(h).item<double>();
  double sd = std::sqrt(ej::reduce_mean(ej::square(h)).item<double>());
  EXPECT_NEAR(mean, 0, 0.005);
  EXPECT_NEAR(sd, std::sqrt(2.0 / 400), 0.02 * std::sqrt(2.0 / 400));
  EXPECT_EQ(nn::zeros()({2, 3}, ej::float64).to_vector<double>(), Vec(6, 0.0));
  EXPECT_EQ(nn::fans({5, 5, 3, 8}), (std::pair<int64_t, int64_t>{75, 200}));
}

// --- Layers ------------------------------------------------------------------

TEST(Nn, DenseBuildsLazilyAndMatchesReference) {
  ej::set_seed(1);
  nn::Dense dense(3, nn::relu);
  EXPECT_FALSE(dense.built());
  EXPECT_TRUE(dense.variables().empty());
  Vec x = ref::uniform(2 * 4, -1, 1, 7);
  Tensor y = dense(ref::tensor(x, {2, 4}, ej::float32));
  ASSERT_TRUE(dense.built());
  EXPECT_EQ(y.shape(), (ref::Shape{2, 3}));
  EXPECT_EQ(dense.kernel().shape(), (ref::Shape{4, 3}));
  EXPECT_EQ(dense.kernel().name(), "dense/kernel");
  Vec k = ref::values(dense.kernel().read());
  Vec b = ref::uniform(3, -1, 1, 8);
  dense.bias().assign(ref::tensor(b, {3}, ej::float32));
  y = dense(ref::tensor(x, {2, 4}, ej::float32));
  Vec want(6);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) {
      double s = float(b[size_t(c)]);
      for (int i = 0; i < 4; ++i)
        s += double(float(x[size_t(r * 4 + i)])) * k[size_t(i * 3 + c)];
      want[size_t(r * 3 + c)] = std::max(s, 0.0);
    }
  ref::expect_close(ref::values(y), want, 1e-6, 1e-6);
  // A rank-1 input is one example.
  EXPECT_EQ(dense(ej::ones({4})).shape(), (ref::Shape{3}));
  try {
    dense(ej::ones({2, 5}));
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("last axis is 4, got (2, 5)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Nn, DenseGradientsMatchFiniteDifferences) {
  nn::Dense dense(3, [](const Tensor &t) { return ej::tanh(t); });
  Tensor x = gradcheck::input({2, 4}, 31);
  dense(x); // float64 input: float64 weights
  ASSERT_EQ(dense.kernel().dtype(), ej::float64);
  dense.bias().assign(gradcheck::input({3}, 32));
  gradcheck::check([&](const auto &a) { return dense(a[0]); }, {x});
  check_variable_gradients([&] { return dense(x); }, dense.variables());
}

TEST(Nn, DropoutDropsAtItsRateOnlyInTraining) {
  nn::Dropout drop(0.25);
  Tensor x = ej::ones({100, 100});
  EXPECT_EQ(drop(x).to_vector<float>(), x.to_vector<float>());
  ej::set_seed(9);
  Tensor y = drop(x, true);
  ej::set_seed(9);
  EXPECT_EQ(drop(x, true).to_vector<float>(), y.to_vector<float>());
  int zeros = 0;
  for (float v : y.to_vector<float>()) {
    if (v == 0)
      ++zeros;
    else
      EXPECT_FLOAT_EQ(v, 1 / 0.75f);
  }
  EXPECT_NEAR(zeros / 10000.0, 0.25, 0.02);
  // The gradient is the same mask, scaled.
  Tensor xd = gradcheck::input({4, 5}, 33);
  gradcheck::check(
      [&](const auto &a) {
        ej::set_seed(10);
        return drop(a[0], true);
      },
      {xd});
  EXPECT_THROW(nn::Dropout(1.0), ej::Error);
}

TEST(Nn, FlattenKeepsTheBatchAxis) {
  nn::Flatten flat;
  Tensor x = ej::reshape(ej::arange(24), {2, 3, 4});
  Tensor y = flat(x);
  EXPECT_EQ(y.shape(), (ref::Shape{2, 12}));
  EXPECT_EQ(y.to_vector<int>(), x.to_vector<int>());
  EXPECT_EQ(flat(ej::zeros({0, 3, 4})).shape(), (ref::Shape{0, 12}));
  gradcheck::check([&](const auto &a) { return flat(a[0]); },
                   {gradcheck::input({2, 2, 3}, 34)});
}

TEST(Nn, BatchNormalizationNormalizesAndTracksMovingStatistics) {
  const int64_t n = 6, c = 3;
  Vec x = ref::uniform(n * c, -2, 5, 41);
  Tensor t = ref::tensor(x, {n, c}, ej::float64);
  nn::BatchNormalization bn(-1, 0.9, 1e-3);
  Tensor y = bn(t, /*training=*/true);
  ASSERT_EQ(bn.moving_mean().dtype(), ej::float64);
  Vec mean(c, 0.0), var(c, 0.0), want(x.size());
  for (int64_t j = 0; j < c; ++j) {
    for (int64_t i = 0; i < n; ++i)
      mean[size_t(j)] += x[size_t(i * c + j)] / n;
    for (int64_t i = 0; i < n; ++i)
      var[size_t(j)] += std::pow(x[size_t(i * c + j)] - mean[size_t(j)], 2) / n;
    for (int64_t i = 0; i < n; ++i)
      want[size_t(i * c + j)] = (x[size_t(i * c + j)] - mean[size_t(j)]) /
                                std::sqrt(var[size_t(j)] + 1e-3);
  }
  ref::expect_close(ref::values(y), want, 1e-12, 1e-12);
  Vec mm(c, 0.0), mv(c, 0.0);
  for (int64_t j = 0; j < c; ++j) {
    mm[size_t(j)] = 0.1 * mean[size_t(j)];
    mv[size_t(j)] = 0.9 + 0.1 * var[size_t(j)];
  }
  ref::expect_close(ref::values(bn.moving_mean().read()), mm, 1e-12);
  ref::expect_close(ref::values(bn.moving_variance().read()), mv, 1e-12);
  // Inference uses the moving statistics and changes nothing.
  Vec before = ref::values(bn.moving_mean().read());
  Tensor yi = bn(t);
  Vec wi(x.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j)
      wi[size_t(i * c + j)] = (x[size_t(i * c + j)] - mm[size_t(j)]) /
                              std::sqrt(mv[size_t(j)] + 1e-3);
  ref::expect_close(ref::values(yi), wi, 1e-12, 1e-12);
  EXPECT_EQ(ref::values(bn.moving_mean().read()), before);
  EXPECT_EQ(bn.trainable_variables().size(), 2u);
  EXPECT_EQ(bn.non_trainable_variables().size(), 2u);
  EXPECT_THROW(bn(ej::ones({2, 4}, ej::float64)), ej::Error);
  // Training on an empty batch is an error, and the statistics stay.
  EXPECT_THROW(bn(ej::zeros({0, 3}, ej::float64), true), ej::Error);
  EXPECT_EQ(ref::values(bn.moving_mean().read()), before);
}

TEST(Nn, ALayerCannotContainItselfNorUseAnEmptyInitializer) {
  auto outer = std::make_shared<nn::Sequential>();
  auto inner = std::make_shared<nn::Sequential>();
  outer->add_shared(inner);
  EXPECT_THROW(outer->add_shared(outer), ej::Error);
  EXPECT_THROW(inner->add_shared(outer), ej::Error);
  nn::Dense empty(3, {}, true, nn::Initializer());
  EXPECT_THROW(empty(ej::ones({2, 2})), ej::Error);
  nn::Dense nothing(3, {}, true,
                    [](std::vector<int64_t>, ej::DType) { return Tensor(); });
  EXPECT_NE(ref::error_of([&] {
              nothing(ej::ones({2, 2}));
            }).find("the initializer of 'kernel' returned an undefined tensor"),
            std::string::npos);
}

TEST(Nn, BatchNormalizationGradientsMatchFiniteDifferences) {
  nn::BatchNormalization bn(1);
  Tensor x = gradcheck::input({3, 2, 2}, 42);
  bn(x, true);
  bn.gamma().assign(gradcheck::input({2}, 43));
  bn.beta().assign(gradcheck::input({2}, 44));
  gradcheck::check([&](const auto &a) { return bn(a[0], true); }, {x}, 1e-5);
  check_variable_gradients([&] { return bn(x, true); },
                           bn.trainable_variables(), 1e-5);
  gradcheck::check([&](const auto &a) { return bn(a[0]); }, {x});
}

TEST(Nn, EmbeddingLooksUpRowsAndDifferentiates) {
  nn::Embedding emb(5, 3);
  emb.set_dtype(ej::float64);
  Tensor ids = ej::constant({{1, 4}, {1, 0}});
  Tensor y = emb(ids);
  EXPECT_EQ(y.shape(), (ref::Shape{2, 2, 3}));
  Vec table = ref::values(emb.embeddings().read());
  Vec got = ref::values(y);
  int idx[] = {1, 4, 1, 0};
  for (int e = 0; e < 4; ++e)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(got[size_t(e * 3 + j)], table[size_t(idx[e] * 3 + j)]);
  for (double v : table)
    EXPECT_LE(std::fabs(v), 0.05);
  check_variable_gradients([&] { return emb(ids); }, emb.variables());
  EXPECT_THROW(emb(ej::ones({2})), ej::Error);
}

struct Mlp : nn::Model {
  nn::Dense &hidden = add(nn::Dense(4, nn::relu));
  nn::Dropout &drop = add(nn::Dropout(0.5));
  nn::Dense &out = add(nn::Dense(2));
  Tensor call(const Tensor &x, bool training) override {
    return out(drop(hidden(x), training));
  }
};

TEST(Nn, ModelsCollectTheirLayersVariables) {
  Mlp model;
  EXPECT_TRUE(model.variables().empty());
  Tensor y = model(ej::ones({3, 5}));
  EXPECT_EQ(y.shape(), (ref::Shape{3, 2}));
  nn::NamedVariables named = model.named_variables();
  ASSERT_EQ(named.size(), 4u);
  EXPECT_EQ(named[0].first, "dense/kernel");
  EXPECT_EQ(named[2].first, "dense_1/kernel");
  EXPECT_EQ(named[3].first, "dense_1/bias");
  EXPECT_EQ(model.out.kernel().shape(), (ref::Shape{4, 2}));
  // A copy shares the layers.
  Mlp copy = model;
  EXPECT_EQ(copy.out.kernel().id(), model.out.kernel().id());

  nn::Sequential seq(nn::Flatten(), nn::Dense(8, nn::gelu),
                     nn::BatchNormalization(), nn::Dense(3));
  EXPECT_EQ(seq.size(), 4u);
  seq.build({2, 2, 3});
  EXPECT_TRUE(seq.built());
  EXPECT_EQ(seq.variables().size(), 2u + 4u + 2u);
  EXPECT_EQ(seq.trainable_variables().size(), 6u);
  EXPECT_EQ(seq.non_trainable_variables().size(), 2u);
  EXPECT_EQ(seq.named_variables()[4].first, "batch_normalization/moving_mean");
  EXPECT_EQ(seq(ej::ones({7, 2, 3}), true).shape(), (ref::Shape{7, 3}));
  // Models nest.
  nn::Sequential outer(seq, nn::Dense(1));
  outer(ej::ones({1, 2, 3}));
  EXPECT_EQ(outer.named_variables()[0].first, "sequential/dense/kernel");
  EXPECT_THROW(seq.layer(4), ej::Error);
}

TEST(Nn, SequentialGradientsMatchFiniteDifferences) {
  nn::Sequential seq(nn::Dense(3, nn::gelu), nn::Dense(2, nn::sigmoid));
  Tensor x = gradcheck::input({2, 3}, 51);
  seq(x);
  gradcheck::check([&](const auto &a) { return seq(a[0]); }, {x}, 1e-5);
  check_variable_gradients([&] { return seq(x); }, seq.trainable_variables(),
                           1e-5);
}

TEST(Nn, Conv2DBuildsItsKernelAndMatchesTheConvOp) {
  ej::set_seed(2);
  nn::Conv2D conv(4, {3, 2}, {2, 1}, ej::Padding::Same,
                  ej::DataFormat::ChannelsLast, nn::relu);
  Tensor x = gradcheck::input({2, 5, 6, 3}, 61);
  Tensor y = conv(x);
  EXPECT_EQ(conv.kernel().shape(), (ref::Shape{3, 2, 3, 4}));
  EXPECT_EQ(conv.kernel().name(), "conv2d/kernel");
  EXPECT_EQ(conv.bias().shape(), (ref::Shape{4}));
  EXPECT_EQ(y.shape(), (ref::Shape{2, 3, 6, 4}));
  conv.bias().assign(gradcheck::input({4}, 62));
  Tensor want = ej::relu(
      ej::conv2d(x, conv.kernel(), {2, 1}, ej::Padding::Same) + conv.bias());
  ref::expect_close(ref::values(conv(x)), ref::values(want), 0, 0);

  // Channels first: the same weights give the transposed result.
  nn::Conv2D first(4, {3, 2}, {2, 1}, ej::Padding::Same,
                   ej::DataFormat::ChannelsFirst, nn::relu);
  Tensor xf = ej::transpose(x, {0, 3, 1, 2});
  first.build(xf.shape(), ej::float64);
  first.kernel().assign(conv.kernel());
  first.bias().assign(conv.bias());
  ref::expect_close(ref::values(first(xf)),
                    ref::values(ej::transpose(want, {0, 3, 1, 2})), 1e-12,
                    1e-12);
  EXPECT_THROW(conv(ej::ones({2, 5, 6, 2}, ej::float64)), ej::Error);
  EXPECT_THROW(nn::Conv2D(0, {3}), ej::Error);
  EXPECT_THROW(nn::Conv2D(2, {3, 3, 3}), ej::Error);
}

TEST(Nn, Conv2DGradientsMatchFiniteDifferences) {
  nn::Conv2D conv(2, {3}, {1}, ej::Padding::Same, ej::DataFormat::ChannelsLast,
                  [](const Tensor &t) { return ej::tanh(t); });
  Tensor x = gradcheck::input({1, 4, 3, 2}, 63);
  conv(x);
  conv.bias().assign(gradcheck::input({2}, 64));
  gradcheck::check([&](const auto &a) { return conv(a[0]); }, {x});
  check_variable_gradients([&] { return conv(x); }, conv.variables());
}

TEST(Nn, PoolingLayersPoolPerChannel) {
  Tensor x = gradcheck::input({2, 4, 6, 3}, 65);
  nn::MaxPooling2D max_pool;
  nn::AveragePooling2D avg_pool({3, 3}, {2, 2}, ej::Padding::Same);
  EXPECT_EQ(max_pool(x).shape(), (ref::Shape{2, 2, 3, 3}));
  EXPECT_EQ(avg_pool(x).shape(), (ref::Shape{2, 2, 3, 3}));
  ref::expect_close(ref::values(max_pool(x)),
                    ref::values(ej::max_pool2d(x, {2, 2})), 0, 0);
  ref::expect_close(
      ref::values(avg_pool(x)),
      ref::values(ej::avg_pool2d(x, {3, 3}, {2, 2}, ej::Padding::Same)), 0, 0);
  nn::MaxPooling2D first({2, 2}, {}, ej::Padding::Valid,
                         ej::DataFormat::ChannelsFirst);
  EXPECT_EQ(first(ej::transpose(x, {0, 3, 1, 2})).shape(),
            (ref::Shape{2, 3, 2, 3}));
  EXPECT_THROW(nn::MaxPooling2D({0, 2}), ej::Error);
  EXPECT_TRUE(max_pool.variables().empty());
}

TEST(Nn, ASmallCnnLearnsWhereTheBrightQuadrantIs) {
  // Images of 6x6 with one bright 3x3 quadrant; the label is the quadrant.
  // Conv, pooling and dense layers together must fit it.
  ej::set_seed(5);
  const int64_t n = 32;
  std::vector<double> pixels = ref::uniform(n * 36, 0, 0.2, 71);
  std::vector<double> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t q = i % 4;
    labels[size_t(i)] = double(q);
    for (int64_t y = 0; y < 3; ++y)
      for (int64_t x = 0; x < 3; ++x)
        pixels[size_t(i * 36 + (y + 3 * (q / 2)) * 6 + x + 3 * (q % 2))] += 1;
  }
  Tensor images = ref::tensor(pixels, {n, 6, 6, 1}, ej::float32);
  Tensor targets = ref::tensor(labels, {n}, ej::int32);
  nn::Sequential model(nn::Conv2D(4, {3}, {1}, ej::Padding::Same,
                                  ej::DataFormat::ChannelsLast, nn::relu),
                       nn::MaxPooling2D(), nn::Flatten(), nn::Dense(4));
  auto loss_fn = [&] {
    return ej::reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(
        targets, model(images, true)));
  };
  double first = loss_fn().item<double>();
  auto grads = ej::implicit_gradients(loss_fn);
  for (int step = 0; step < 60; ++step)
    for (auto &[g, v] : grads())
      v.assign_sub(g * 0.5f);
  double last = loss_fn().item<double>();
  EXPECT_LT(last, first * 0.2) << "from " << first;
  Tensor predicted = ej::argmax(model(images), 1);
  EXPECT_EQ(predicted.to_vector<int64_t>(),
            ej::cast(targets, ej::int64).to_vector<int64_t>());
}

} // namespace
