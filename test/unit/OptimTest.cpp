//===- OptimTest.cpp - Optimizers and schedules against float64 loops -----===//
//
// Each optimizer runs several steps on float64 variables with random
// gradients; a plain loop over doubles that implements the same published
// update is the reference.
//
//===----------------------------------------------------------------------===//
#include "test/unit/Reference.h"

#include <ej/optim.h>

#include <cmath>

namespace {

using ej::Tensor;
using ej::Variable;
using Vec = std::vector<double>;

constexpr int kSteps = 5;
const ref::Shape kShape{3, 4};

// Runs `opt` for kSteps steps on a float64 variable with random gradients
// and `reference` (which updates x in place from g at 1-based step t) on
// the same numbers; compares after every step. Returns the variable.
Variable check_against_reference(
    ej::optim::Optimizer &opt,
    const std::function<void(Vec &x, const Vec &g, int t)> &reference,
    ej::DType dtype = ej::float64) {
  int64_t n = ref::numel(kShape);
  Vec x = ref::uniform(n, -1, 1, 11, 0.05);
  Variable var(ref::tensor(x, kShape, dtype), "w");
  if (dtype == ej::float32)
    x = ref::values(var.read()); // the reference starts where var does
  for (int t = 1; t <= kSteps; ++t) {
    Vec g = ref::uniform(n, -2, 2, 100 + unsigned(t), 0.05);
    if (dtype == ej::float32)
      g = ref::values(ref::tensor(g, kShape, ej::float32));
    opt.apply_gradients({{ref::tensor(g, kShape, dtype), var}});
    reference(x, g, t);
    ref::expect_close(ref::values(var.read()), x,
                      dtype == ej::float64 ? 1e-12 : 2e-5, 1e-12);
    EXPECT_EQ(opt.iterations().read().item<int64_t>(), t);
  }
  return var;
}

TEST(Optim, GradientDescentMatchesReference) {
  ej::optim::GradientDescent opt(0.1);
  check_against_reference(opt, [](Vec &x, const Vec &g, int) {
    for (size_t i = 0; i < x.size(); ++i)
      x[i] -= 0.1 * g[i];
  });
}

TEST(Optim, MomentumMatchesReference) {
  for (bool nesterov : {false, true}) {
    ej::optim::Momentum opt(0.05, 0.8, nesterov);
    Vec a(size_t(ref::numel(kShape)), 0.0);
    check_against_reference(opt, [&](Vec &x, const Vec &g, int) {
      for (size_t i = 0; i < x.size(); ++i) {
        a[i] = 0.8 * a[i] + g[i];
        x[i] -= nesterov ? 0.05 * (g[i] + 0.8 * a[i]) : 0.05 * a[i];
      }
    });
  }
}

void adam_reference(Vec &x, const Vec &g, int t, Vec &m, Vec &v, double lr,
                    double b1, double b2, double eps, double wd) {
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] -= lr * wd * x[i];
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    double lr_t = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    x[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
  }
}

TEST(Optim, AdamMatchesReference) {
  ej::optim::Adam opt(0.01, 0.85, 0.99, 1e-6);
  Vec m(size_t(ref::numel(kShape))), v(m.size());
  Variable w = check_against_reference(opt, [&](Vec &x, const Vec &g, int t) {
    adam_reference(x, g, t, m, v, 0.01, 0.85, 0.99, 1e-6, 0);
  });
  ref::expect_close(ref::values(opt.slot(w, "m").read()), m, 1e-12);
  ref::expect_close(ref::values(opt.slot(w, "v").read()), v, 1e-12);
}

TEST(Optim, AdamInFloat32MatchesReference) {
  ej::optim::Adam opt(0.01);
  Vec m(size_t(ref::numel(kShape))), v(m.size());
  check_against_reference(
      opt,
      [&](Vec &x, const Vec &g, int t) {
        adam_reference(x, g, t, m, v, 0.01, 0.9, 0.999, 1e-7, 0);
      },
      ej::float32);
}

TEST(Optim, AdamWMatchesReference) {
  ej::optim::AdamW opt(0.02, 0.1, 0.9, 0.95, 1e-7);
  Vec m(size_t(ref::numel(kShape))), v(m.size());
  check_against_reference(opt, [&](Vec &x, const Vec &g, int t) {
    adam_reference(x, g, t, m, v, 0.02, 0.9, 0.95, 1e-7, 0.1);
  });
}

TEST(Optim, RMSPropMatchesReferenceInEveryVariant) {
  for (double momentum : {0.0, 0.7})
    for (bool centered : {false, true}) {
      ej::optim::RMSProp opt(0.01, 0.8, momentum, 1e-6, centered);
      size_t n = size_t(ref::numel(kShape));
      Vec vel(n), mom(n), avg(n);
      check_against_reference(opt, [&](Vec &x, const Vec &g, int) {
        for (size_t i = 0; i < n; ++i) {
          vel[i] = 0.8 * vel[i] + 0.2 * g[i] * g[i];
          double denom = vel[i] + 1e-6;
          if (centered) {
            avg[i] = 0.8 * avg[i] + 0.2 * g[i];
            denom = vel[i] - avg[i] * avg[i] + 1e-6;
          }
          double inc = 0.01 * g[i] / std::sqrt(denom);
          if (momentum > 0) {
            mom[i] = momentum * mom[i] + inc;
            x[i] -= mom[i];
          } else {
            x[i] -= inc;
          }
        }
      });
      EXPECT_EQ(opt.slot_names().size(),
                1u + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0));
    }
}

TEST(Optim, ScheduledLearningRateFollowsTheStep) {
  // Piecewise constant: 0.1 for steps 0..1, then 0.01; plain SGD.
  ej::optim::GradientDescent opt(
      ej::optim::piecewise_constant({1}, {0.1, 0.01}));
  check_against_reference(opt, [](Vec &x, const Vec &g, int t) {
    double lr = t - 1 <= 1 ? 0.1 : 0.01;
    for (size_t i = 0; i < x.size(); ++i)
      x[i] -= lr * g[i];
  });
}

TEST(Optim, SchedulesMatchTheirFormulas) {
  auto exp_decay = ej::optim::exponential_decay(0.5, 10, 0.3);
  auto stair = ej::optim::exponential_decay(0.5, 10, 0.3, true);
  auto cosine = ej::optim::cosine_decay(0.2, 40, 0.1);
  auto piecewise = ej::optim::piecewise_constant({5, 9}, {1, 0.5, 0.25});
  ej::optim::Schedule constant = 0.125;
  for (int64_t s : {0, 3, 5, 6, 9, 10, 25, 40, 60}) {
    EXPECT_NEAR(exp_decay(s), 0.5 * std::pow(0.3, s / 10.0), 1e-15) << s;
    EXPECT_NEAR(stair(s), 0.5 * std::pow(0.3, double(s / 10)), 1e-15) << s;
    double c =
        0.5 * (1 + std::cos(M_PI * double(std::min<int64_t>(s, 40)) / 40.0));
    EXPECT_NEAR(cosine(s), 0.2 * (0.9 * c + 0.1), 1e-15) << s;
    EXPECT_EQ(piecewise(s), s <= 5 ? 1 : s <= 9 ? 0.5 : 0.25) << s;
    EXPECT_EQ(constant(s), 0.125);
  }
  // The tensor form is what optimizers call.
  Tensor lr = exp_decay(ej::constant(std::vector<int64_t>{20}, {}));
  EXPECT_EQ(lr.dtype(), ej::float64);
  EXPECT_NEAR(lr.item<double>(), 0.5 * 0.09, 1e-15);
}

TEST(Optim, BadSchedulesAreErrors) {
  EXPECT_THROW(ej::optim::piecewise_constant({1, 2}, {1, 2}), ej::Error);
  EXPECT_THROW(ej::optim::piecewise_constant({2, 1}, {1, 2, 3}), ej::Error);
  EXPECT_THROW(ej::optim::exponential_decay(1, 0, 0.5), ej::Error);
  EXPECT_THROW(ej::optim::cosine_decay(1, -3), ej::Error);
  const double nan = std::nan(""), inf = INFINITY;
  EXPECT_THROW(ej::optim::constant(nan), ej::Error);
  EXPECT_THROW(ej::optim::constant(inf), ej::Error);
  EXPECT_THROW(ej::optim::exponential_decay(0.1, 2, -0.5), ej::Error);
  EXPECT_THROW(ej::optim::exponential_decay(nan, 2, 0.5), ej::Error);
  EXPECT_THROW(ej::optim::piecewise_constant({1}, {0.1, nan}), ej::Error);
  EXPECT_THROW(ej::optim::cosine_decay(inf, 3), ej::Error);
  // A schedule that makes a vector is an error where the rate is read.
  ej::optim::GradientDescent vector_rate(ej::optim::Schedule(
      [](const ej::Tensor &) { return ej::ones({3}, ej::float64); }));
  EXPECT_THROW(vector_rate.learning_rate(), ej::Error);
}

// Hyperparameters out of range, NaN among them, are errors as the
// optimizer is made (they would turn every variable into NaN).
TEST(Optim, BadHyperparametersAreErrors) {
  using namespace ej::optim;
  const double nan = std::nan("");
  EXPECT_THROW(GradientDescent{nan}, ej::Error);
  EXPECT_THROW(Momentum(0.1, nan), ej::Error);
  EXPECT_THROW(Momentum(0.1, -1), ej::Error);
  EXPECT_THROW(Adam(0.1, nan), ej::Error);
  EXPECT_THROW(Adam(0.1, 0.9, 1.0), ej::Error);
  EXPECT_THROW(Adam(0.1, 0.9, 0.999, 0), ej::Error);
  EXPECT_THROW(Adam(0.1, 0.9, 0.999, -1), ej::Error);
  EXPECT_THROW(AdamW(0.1, nan), ej::Error);
  EXPECT_THROW(AdamW(0.1, -0.1), ej::Error);
  EXPECT_THROW(RMSProp(0.1, nan), ej::Error);
  EXPECT_THROW(RMSProp(0.1, 0.9, nan), ej::Error);
  EXPECT_THROW(RMSProp(0.1, 0.9, 0, 0), ej::Error);
  EXPECT_NO_THROW(Adam(0.1, 0, 0.999, 1e-8));
}

TEST(Optim, MinimizeFitsALinearRegression) {
  // Seed 002's model: y = 3x + 2 + noise, from W = 5, B = 10.
  ej::set_seed(3);
  Tensor x = ej::random_normal({200});
  Tensor y = x * 3 + 2 + ej::random_normal({200}) * 0.1f;
  Variable W(5.f, "weight"), B(10.f, "bias");
  ej::optim::Momentum opt(0.05, 0.5);
  auto loss = [&] { return ej::reduce_mean(ej::square(x * W + B - y)); };
  float first = loss().item<float>();
  Tensor last;
  for (int i = 0; i < 150; ++i)
    last = opt.minimize(loss, {W, B});
  EXPECT_LT(last.item<float>(), first / 100);
  EXPECT_NEAR(W.read().item<float>(), 3, 0.05);
  EXPECT_NEAR(B.read().item<float>(), 2, 0.05);
}

TEST(Optim, ApplyGradientsTakesImplicitGradients) {
  Variable w(ej::constant({1.f, 2.f}), "w");
  auto grad =
      ej::implicit_gradients([&](Tensor k) { return ej::reduce_sum(w * k); });
  ej::optim::GradientDescent opt(0.5);
  opt.apply_gradients(grad(ej::constant({2.f, -4.f})));
  ref::expect_close(ref::values(w.read()), {0, 4}, 0);
}

TEST(Optim, MismatchedGradientsChangeNothing) {
  Variable a(ej::constant({1.f, 2.f}), "a"), b(ej::constant({3.f}), "b");
  ej::optim::Adam opt;
  try {
    opt.apply_gradients(
        {{ej::constant({1.f, 1.f}), a}, {ej::constant({1.f, 1.f}), b}});
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("gradient of 'b' must be float32 "
                                         "(1,), got float32 (2,)"),
              std::string::npos)
        << e.what();
  }
  ref::expect_close(ref::values(a.read()), {1, 2}, 0);
  EXPECT_EQ(opt.iterations().read().item<int64_t>(), 0);
  EXPECT_THROW(opt.apply_gradients({{ej::ones({2}, ej::float64), a}}),
               ej::Error);
}

TEST(Optim, SlotsAreNamedVariables) {
  Variable w(ej::ones({2, 2}), "w");
  ej::optim::Adam opt;
  auto named = opt.named_variables({{"dense/kernel", w}});
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].first, "Adam/iterations");
  EXPECT_EQ(named[1].first, "Adam/dense/kernel/m");
  EXPECT_EQ(named[2].first, "Adam/dense/kernel/v");
  EXPECT_FALSE(named[1].second.trainable());
  EXPECT_EQ(named[1].second.shape(), w.shape());
  EXPECT_EQ(opt.slot(w, "v").id(), named[2].second.id());
  EXPECT_THROW(opt.slot(w, "accumulator"), ej::Error);
}

} // namespace
