//===- TapeTest.cpp - GradientTape, gradients_function and friends --------===//
#include "test/unit/GradCheck.h"

#include <cmath>
#include <thread>

namespace {

using T = ej::Tensor;

// Seed 002: f(x) = x * x and its first three derivatives at 3.
TEST(Tape, HigherOrderDerivativesOfTheSquareAreExact) {
  auto f = [](T x) { return ej::mul(x, x); };
  auto df = ej::gradients_function(f);
  auto d2f = ej::gradients_function([&](T x) { return df(x)[0]; });
  auto d3f = ej::gradients_function([&](T x) { return d2f(x)[0]; });
  EXPECT_EQ(f(ej::constant(3.f)).item<float>(), 9);
  EXPECT_EQ(df(3.f)[0].item<float>(), 6);
  EXPECT_EQ(d2f(3.f)[0].item<float>(), 2);
  EXPECT_EQ(d3f(3.f)[0].item<float>(), 0);
  EXPECT_EQ(df(3.f)[0].dtype(), ej::float32);
}

TEST(Tape, HigherOrderDerivativesMatchCalculus) {
  // f = sin(x) * exp(x): f' = (sin + cos) e^x, f'' = 2 cos(x) e^x.
  auto f = [](T x) { return ej::sin(x) * ej::exp(x); };
  auto df = ej::gradients_function(f);
  auto d2f = ej::gradients_function([&](T x) { return df(x)[0]; });
  for (double x : {-1.3, 0.2, 2.1}) {
    EXPECT_NEAR(df(x)[0].item<double>(),
                (std::sin(x) + std::cos(x)) * std::exp(x), 1e-12);
    EXPECT_NEAR(d2f(x)[0].item<double>(), 2 * std::cos(x) * std::exp(x), 1e-12);
  }
}

TEST(Tape, CachedGradientProgramsReadTheNewData) {
  // The second call finds the program of the first in the cache; its
  // inputs must be the new values.
  auto df = ej::gradients_function([](T x, T y) { return x * x * y; });
  for (double x : {3.0, -2.0, 0.5}) {
    std::vector<T> g = df(x, 4.0);
    EXPECT_EQ(g[0].item<double>(), 2 * x * 4);
    EXPECT_EQ(g[1].item<double>(), x * x);
  }
}

TEST(Tape, TheSameTensorPassedTwiceGetsAPartialDerivativeEach) {
  T x = ej::constant(3.0);
  std::vector<T> g =
      ej::gradients_function([](T a, T b) { return a * b * b; })(x, x);
  EXPECT_EQ(g[0].item<double>(), 9);  // b^2
  EXPECT_EQ(g[1].item<double>(), 18); // 2ab
}

TEST(Tape, ValueAndGradientsUnpack) {
  auto vg = ej::value_and_gradients_function(
      [](T w, T b) { return ej::square(w * 2.f + b); });
  auto [value, grads] = vg(1.f, 0.5f);
  EXPECT_EQ(value.item<float>(), 6.25f);
  ASSERT_EQ(grads.size(), 2u);
  EXPECT_EQ(grads[0].item<float>(), 10.f);
  EXPECT_EQ(grads[1].item<float>(), 5.f);
}

TEST(Tape, ANonScalarTargetIsSummed) {
  T x = ej::constant({1.0, 2.0, 3.0});
  ej::GradientTape tape;
  tape.watch(x);
  T g = tape.gradient(x * x, x);
  ref::expect_close(ref::values(g), {2, 4, 6}, 0, 0);
}

TEST(Tape, ASourceTheTargetDoesNotDependOnGetsZeros) {
  T x = ej::constant({1.0, 2.0}), unused = ej::constant({{1.f, 2.f}});
  ej::GradientTape tape;
  tape.watch(x);
  tape.watch(unused);
  T z = ej::ones({2, 2});
  std::vector<T> g = tape.gradient(ej::reduce_sum(x * 3), {unused, z});
  EXPECT_EQ(g[0].shape(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(g[0].dtype(), ej::float32);
  ref::expect_close(ref::values(g[0]), {0, 0}, 0, 0);
  ref::expect_close(ref::values(g[1]), {0, 0, 0, 0}, 0, 0);
}

TEST(Tape, IntermediatesAreSourcesToo) {
  T x = ej::constant(2.0);
  ej::GradientTape tape;
  tape.watch(x);
  T y = x * x;
  T z = y * y * x;
  // dz/dy with y held fixed as a variable of its own: 2 y x = 16.
  EXPECT_EQ(tape.gradient(z, y).item<double>(), 16);
}

TEST(Tape, PersistentTapesGiveSeveralGradientsAndOthersOne) {
  T x = ej::constant(3.0);
  {
    ej::GradientTape tape(/*persistent=*/true);
    tape.watch(x);
    T y = x * x, z = y * x;
    EXPECT_EQ(tape.gradient(y, x).item<double>(), 6);
    EXPECT_EQ(tape.gradient(z, x).item<double>(), 27);
    T w = z * x; // recorded after the first gradients
    EXPECT_EQ(tape.gradient(w, x).item<double>(), 108);
  }
  ej::GradientTape tape;
  tape.watch(x);
  T y = x * x;
  tape.gradient(y, x);
  EXPECT_THROW(tape.gradient(y, x), ej::Error);
}

TEST(Tape, NestedTapesBothRecord) {
  T x = ej::constant(2.0);
  ej::GradientTape outer;
  outer.watch(x);
  T dy;
  {
    ej::GradientTape inner;
    inner.watch(x);
    T y = x * x * x;
    dy = inner.gradient(y, x); // 3x^2, recorded on the outer tape
  }
  EXPECT_EQ(dy.item<double>(), 12);
  EXPECT_EQ(outer.gradient(dy, x).item<double>(), 12); // 6x
}

TEST(Tape, ClearErrorsForWhatCannotBeDifferentiated) {
  T x = ej::constant(3.0), i = ej::constant(3), unwatched = ej::constant(1.0);
  ej::GradientTape tape(/*persistent=*/true);
  tape.watch(x);
  tape.watch(i);
  T y = x * x;
  EXPECT_THROW(tape.gradient(ej::cast(y, ej::int32), x), ej::Error);
  EXPECT_THROW(tape.gradient(y, i), ej::Error);
  EXPECT_THROW(tape.gradient(y, unwatched), ej::Error);
  try {
    tape.gradient(y, i);
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos)
        << e.what();
  }
}

// A target the tape did not see made (before it, or in another thread)
// is an error, not zeros: it may well depend on the source.
TEST(Tape, ATargetNotComputedUnderTheTapeIsAnError) {
  T x = ej::constant(3.0);
  T before = x * x;
  ej::GradientTape tape(/*persistent=*/true);
  tape.watch(x);
  T elsewhere;
  std::thread([&] { elsewhere = x * x; }).join();
  for (const T &y : {before, elsewhere})
    EXPECT_NE(ref::error_of([&] {
                tape.gradient(y, x);
              }).find("the target was not computed under this tape"),
              std::string::npos);
  // The watched source itself, and values made under the tape from
  // nothing, are targets.
  EXPECT_EQ(tape.gradient(x, x).item<double>(), 1.0);
  EXPECT_EQ(tape.gradient(ej::ones({2}, ej::float64), x).item<double>(), 0.0);
}

TEST(Tape, RandomDrawsAreTheForwardOnes) {
  // d/dx sum(x * noise) is the noise drawn in the forward pass.
  T x = ej::ones({6}, ej::float32);
  T noise;
  auto df = ej::gradients_function([&](T a) {
    noise = ej::random_normal({6});
    return ej::reduce_sum(a * noise);
  });
  for (int k = 0; k < 2; ++k) {
    T g = df(x)[0];
    ref::expect_close(ref::values(g), ref::values(noise), 0, 0);
  }
}

TEST(Tape, VariablesAreWatchedAndCollectTheirReads) {
  ej::Variable w(ej::constant({1.0, 2.0}), "w");
  ej::Variable frozen(ej::constant(5.0), "frozen", /*trainable=*/false);
  auto grads = ej::implicit_gradients([&](T x) {
    return ej::reduce_sum(w * x + w * w * frozen.read());
  })(ej::constant({3.0, 4.0}));
  ASSERT_EQ(grads.size(), 1u); // frozen is not trainable
  EXPECT_EQ(grads[0].second.name(), "w");
  // d/dw (w x + 5 w^2) = x + 10 w
  ref::expect_close(ref::values(grads[0].first), {13, 24}, 0, 0);

  ej::GradientTape tape;
  tape.watch(frozen);
  T y = frozen * frozen;
  EXPECT_EQ(
      tape.gradient(y, std::vector<ej::Variable>{frozen})[0].item<double>(),
      10);
}

TEST(Tape, AnAssignedValueCarriesItsGradient) {
  ej::Variable v(ej::constant(0.0), "v");
  T x = ej::constant(2.0);
  ej::GradientTape tape;
  tape.watch(x);
  v.assign(x * 3);
  T y = v.read() * x; // the read is a leaf of its own: d/dx = v = 6
  EXPECT_EQ(tape.gradient(y, x).item<double>(), 6);
}

TEST(Tape, TheGradientProgramReadsOnlyTheResidualsItNeeds) {
  // d/dx sum(sin(x) * 2 + x): the backward needs cos(x), so x; not sin(x),
  // nor the products and sums.
  T x = ej::random_normal({1000}, ej::float64);
  ej::GradientTape tape;
  tape.watch(x);
  T y = ej::reduce_sum(ej::sin(x) * 2 + x);
  T g = tape.gradient(y, x);
  ej::GradientTape::Memory m = tape.last_gradient_memory();
  EXPECT_GE(m.held_bytes, 3 * 8000u); // x, sin(x), sin(x) * 2, ...
  EXPECT_GE(m.read_bytes, 8000u);     // x
  EXPECT_LT(m.read_bytes, 2 * 8000u);
  ref::expect_close(ref::values(g), ref::values(ej::cos(x) * 2 + 1), 1e-15,
                    1e-15);
}

// Seed 002's linear regression, with gradients_function.
TEST(Tape, LinearRegressionWithGradientsFunctionFindsTheLine) {
  ej::set_seed(2);
  T inputs = ej::random_normal({1000});
  T outputs = inputs * 3 + 2 + ej::random_normal({1000});
  auto loss = [&](T w, T b) {
    return ej::reduce_mean(ej::square(inputs * w + b - outputs));
  };
  auto grad = ej::gradients_function(loss);
  T w = ej::constant(5.f), b = ej::constant(10.f);
  float first = loss(w, b).item<float>();
  for (int i = 0; i < 200; ++i) {
    std::vector<T> g = grad(w, b);
    w = w - g[0] * 0.01f;
    b = b - g[1] * 0.01f;
  }
  EXPECT_LT(loss(w, b).item<float>(), first / 30);
  EXPECT_NEAR(w.item<float>(), 3, 0.2);
  EXPECT_NEAR(b.item<float>(), 2, 0.3);
}

// The same with Variables, implicit_gradients and a gradient-descent step.
TEST(Tape, LinearRegressionWithImplicitGradientsFindsTheLine) {
  ej::set_seed(2);
  T inputs = ej::random_normal({1000});
  T outputs = inputs * 3 + 2 + ej::random_normal({1000});
  ej::Variable W(5.f, "weight"), B(10.f, "bias");
  auto loss = [&](const T &x, const T &y) {
    return ej::reduce_mean(ej::square(x * W + B - y));
  };
  auto grad = ej::implicit_value_and_gradients(loss);
  float first = loss(inputs, outputs).item<float>();
  for (int i = 0; i < 201; ++i) {
    auto [value, pairs] = grad(inputs, outputs);
    ASSERT_EQ(pairs.size(), 2u);
    for (auto &[g, v] : pairs)
      v.assign_sub(g * 0.01f);
  }
  EXPECT_LT(loss(inputs, outputs).item<float>(), first / 30);
  EXPECT_NEAR(W.read().item<float>(), 3, 0.2);
  EXPECT_NEAR(B.read().item<float>(), 2, 0.3);
}

} // namespace
