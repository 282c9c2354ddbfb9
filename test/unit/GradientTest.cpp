//===- GradientTest.cpp - Every differentiable op against finite differences
//-===//
#include "test/unit/GradCheck.h"

namespace {

using gradcheck::check;
using gradcheck::input;
using T = ej::Tensor;
using V = std::vector<ej::Tensor>;

TEST(Gradient, UnaryOpsMatchFiniteDifferences) {
  T x = input({3, 4}, 1);
  T positive = input({3, 4}, 2, 0.3, 2.5);
  const std::vector<std::pair<const char *, std::function<T(const T &)>>> ops{
      {"neg", [](const T &a) { return ej::neg(a); }},
      {"abs", [](const T &a) { return ej::abs(a); }},
      {"exp", [](const T &a) { return ej::exp(a); }},
      {"square", [](const T &a) { return ej::square(a); }},
      {"tanh", [](const T &a) { return ej::tanh(a); }},
      {"sigmoid", [](const T &a) { return ej::sigmoid(a); }},
      {"relu", [](const T &a) { return ej::relu(a); }},
      {"sin", [](const T &a) { return ej::sin(a); }},
      {"cos", [](const T &a) { return ej::cos(a); }},
      {"erf", [](const T &a) { return ej::erf(a); }},
      {"identity", [](const T &a) { return ej::identity(a); }},
  };
  for (const auto &[name, op] : ops) {
    SCOPED_TRACE(name);
    check([&](const V &a) { return op(a[0]); }, {x});
  }
  const std::vector<std::pair<const char *, std::function<T(const T &)>>>
      domain{{"log", [](const T &a) { return ej::log(a); }},
             {"sqrt", [](const T &a) { return ej::sqrt(a); }},
             {"rsqrt", [](const T &a) { return ej::rsqrt(a); }}};
  for (const auto &[name, op] : domain) {
    SCOPED_TRACE(name);
    check([&](const V &a) { return op(a[0]); }, {positive});
  }
}

TEST(Gradient, PiecewiseConstantOpsAndStopGradientPassNothing) {
  T x = input({2, 3}, 3);
  // f = x * (floor + ceil + sign + stop_gradient(x)): only the outer x
  // carries a gradient, so df/dx = floor + ceil + sign + x.
  ej::GradientTape tape;
  tape.watch(x);
  T inner = ej::floor(x) + ej::ceil(x) + ej::sign(x) + ej::stop_gradient(x);
  T g = tape.gradient(ej::reduce_sum(x * inner), x);
  ref::expect_close(ref::values(g), ref::values(inner), 0, 0);
}

TEST(Gradient, CastsBetweenFloatsCarryTheGradientAndIntegersStopIt) {
  check(
      [](const V &a) {
        return ej::cast(ej::cast(a[0], ej::float32) * 3.f, ej::float64);
      },
      {input({5}, 4)}, 1e-4, 1e-2); // linear: a wide step, no truncation
  // Through an integer cast nothing flows back: the gradient is zero.
  T x = input({4}, 5);
  ej::GradientTape tape;
  tape.watch(x);
  T y = ej::cast(ej::cast(x * 10, ej::int32), ej::float64);
  ref::expect_close(ref::values(tape.gradient(ej::reduce_sum(y), x)),
                    {0, 0, 0, 0}, 0, 0);
}

TEST(Gradient, BinaryOpsWithBroadcastingMatchFiniteDifferences) {
  T a = input({3, 4}, 6), b = input({4}, 7), c = input({3, 1}, 8);
  T pa = input({3, 4}, 9, 0.5, 2), pb = input({1, 4}, 10, 0.5, 2);
  check([](const V &x) { return x[0] + x[1]; }, {a, b});
  check([](const V &x) { return x[0] - x[1]; }, {c, a});
  check([](const V &x) { return x[0] * x[1]; }, {a, c});
  check([](const V &x) { return x[0] / x[1]; }, {a, pb});
  check([](const V &x) { return ej::pow(x[0], x[1]); }, {pa, b});
  check([](const V &x) { return ej::maximum(x[0], x[1]); }, {a, b});
  check([](const V &x) { return ej::minimum(x[0], x[1]); }, {c, a});
  check([](const V &x) { return x[0] * 2.5 - 1 / x[1]; }, {a, pb});
}

TEST(Gradient, WhereSendsTheCotangentToThePickedSide) {
  T cond = input({3, 4}, 11) > 0;
  check([&](const V &x) { return ej::where(cond, x[0], x[1]); },
        {input({3, 4}, 12), input({4}, 13)});
}

TEST(Gradient, ReductionsMatchFiniteDifferences) {
  T x = input({2, 3, 4}, 14);
  using R = T (*)(const T &, ej::IntList, bool);
  const std::vector<std::pair<const char *, R>> reductions{
      {"sum", ej::reduce_sum},
      {"mean", ej::reduce_mean},
      {"max", ej::reduce_max},
      {"min", ej::reduce_min},
      {"prod", ej::reduce_prod}};
  for (const auto &[name, reduce] : reductions) {
    SCOPED_TRACE(name);
    check([&](const V &a) { return reduce(a[0], {}, false); }, {x});
    check([&](const V &a) { return reduce(a[0], {1}, false); }, {x});
    check([&](const V &a) { return reduce(a[0], {0, 2}, true); }, {x});
  }
}

TEST(Gradient, MaxSharesTheCotangentAmongTies) {
  T x = ej::constant({1.0, 3.0, 3.0, 2.0});
  ej::GradientTape tape;
  tape.watch(x);
  T g = tape.gradient(ej::reduce_max(x), x);
  ref::expect_close(ref::values(g), {0, 0.5, 0.5, 0}, 0, 0);
}

TEST(Gradient, ProdIsExactWithZeros) {
  // d prod / d x_i = product of the others, also where some x are 0.
  T x = ej::constant({{2.0, 0.0, 3.0}, {0.0, 0.0, 5.0}, {1.0, 4.0, -2.0}});
  ej::GradientTape tape;
  tape.watch(x);
  T g = tape.gradient(ej::reduce_sum(ej::reduce_prod(x, {1})), x);
  ref::expect_close(ref::values(g), {0, 6, 0, 0, 0, 0, -8, -2, 4}, 0, 0);
}

TEST(Gradient, MatMulMatchesFiniteDifferencesWithBatchBroadcasting) {
  check([](const V &x) { return ej::matmul(x[0], x[1]); },
        {input({3, 4}, 15), input({4, 2}, 16)});
  check([](const V &x) { return ej::matmul(x[0], x[1]); },
        {input({2, 3, 4}, 17), input({4, 5}, 18)});
  check([](const V &x) { return ej::matmul(x[0], x[1]); },
        {input({3, 2}, 19), input({2, 1, 2, 3}, 20)});
}

TEST(Gradient, ShapeOpsMatchFiniteDifferences) {
  T x = input({2, 3, 4}, 21);
  check([](const V &a) { return ej::reshape(a[0], {4, -1}); }, {x});
  check([](const V &a) { return ej::transpose(a[0], {2, 0, 1}); }, {x});
  check(
      [](const V &a) {
        return ej::broadcast_to(a[0], {5, 3, 1, 4});
      },
      {input({3, 1, 4}, 22)});
  check([](const V &a) { return ej::squeeze(ej::expand_dims(a[0], 1)); },
        {input({3, 4}, 23)});
  check(
      [](const V &a) {
        return ej::concat({a[0], a[1], a[0]}, 1);
      },
      {input({2, 3}, 24), input({2, 1}, 25)});
  check(
      [](const V &a) {
        return ej::stack({a[0], a[1]}, 0);
      },
      {input({3}, 26), input({3}, 27)});
  check(
      [](const V &a) {
        return ej::pad(a[0], {{1, 2}, {0, 3}}, 5);
      },
      {input({2, 3}, 28)});
}

TEST(Gradient, SlicesScatterBackIncludingStridesAndReversal) {
  T x = input({7, 5}, 29);
  check([](const V &a) { return a[0].index({ej::Slice(1, 6, 2)}); }, {x});
  check(
      [](const V &a) {
        return a[0].index({ej::Slice(std::nullopt, std::nullopt, -3), 2});
      },
      {x});
  check(
      [](const V &a) {
        return a[0].index({ej::Slice(5, 0, -2), ej::Slice(1, 4)});
      },
      {x});
  check([](const V &a) { return a[0].index({3}); }, {x});
  check([](const V &a) { return a[0].index({ej::Slice(2, 2)}); }, {x});
}

TEST(Gradient, GatherAccumulatesRepeatedAndNegativeIndices) {
  T indices = ej::constant({0, 2, -1, 2}, ej::int64);
  check([&](const V &a) { return ej::gather(a[0], indices, 0); },
        {input({4, 3}, 30)});
  T grid = ej::constant({{1, 0}, {1, 1}});
  check([&](const V &a) { return ej::gather(a[0], grid, 1); },
        {input({2, 3, 2}, 31)});
}

TEST(Gradient, AFloat32NetworkMatchesItsFloat64Twin) {
  // The gradient in float32 equals the float64 gradient to float32
  // precision: the rules keep each value's own dtype.
  T x = input({4, 3}, 32), w = input({3, 5}, 33), v = input({5, 2}, 34);
  auto net = [](const V &a) {
    T h = ej::tanh(ej::matmul(a[0], a[1]) + 0.5);
    return ej::reduce_mean(ej::square(ej::sigmoid(ej::matmul(h, a[2]))));
  };
  check(net, {x, w, v});
  V singles{ej::cast(x, ej::float32), ej::cast(w, ej::float32),
            ej::cast(v, ej::float32)};
  std::vector<T> g64, g32;
  {
    ej::GradientTape tape;
    for (const T &a : {x, w, v})
      tape.watch(a);
    g64 = tape.gradient(net({x, w, v}), {x, w, v});
  }
  {
    ej::GradientTape tape;
    for (const T &a : singles)
      tape.watch(a);
    g32 = tape.gradient(net(singles), singles);
  }
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(g32[i].dtype(), ej::float32);
    ref::expect_close(ref::values(g32[i]), ref::values(g64[i]), 1e-6, 1e-4);
  }
}

} // namespace
