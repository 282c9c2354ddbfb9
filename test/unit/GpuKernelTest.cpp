//===- GpuKernelTest.cpp - The CUDA kernels against the CPU kernels -------===//
//
// Every op runs on random CPU inputs (never all zeros) and on their GPU
// copies, and the results must agree: exactly for integer, bool and shape
// ops, ranges and uniform draws; within a few ulp for float math, where
// CUDA's and glibc's functions differ in the last bits; within float64-
// reference tolerances for reductions and matmul, whose sums run in another
// order. Broadcast, transposed and sliced inputs are made on the device
// inside each op's function, so that the kernels see those strides.
//
// The JIT is off in these tests: they check the interpreter's kernels. Each
// test skips itself where no CUDA device is present.
//
//===----------------------------------------------------------------------===//
#include "Reference.h"

#include <ej/ej.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace {

using ej::DType;
using ej::Slice;
using ej::Tensor;
using Shape = std::vector<int64_t>;
using Inputs = std::vector<Tensor>;
using Op = std::function<Tensor(const Inputs &)>;

const std::vector<DType> kAll = {ej::bool_, ej::int32, ej::int64, ej::float32,
                                 ej::float64};
const std::vector<DType> kNumbers = {ej::int32, ej::int64, ej::float32,
                                     ej::float64};
const std::vector<DType> kFloats = {ej::float32, ej::float64};

class Gpu : public ::testing::Test {
protected:
  void SetUp() override {
    if (ej::num_gpus() == 0)
      GTEST_SKIP() << "no CUDA device";
    active = true;
    jit = ej::jit::enabled();
    ej::jit::set_enabled(false);
  }
  void TearDown() override {
    if (active)
      ej::jit::set_enabled(jit);
  }
  bool active = false, jit = true;
};

/// Random values of `dtype`: floats in [lo, hi) away from 0, integers in
/// [lo, hi], bools both ways.
Tensor random(DType dtype, const Shape &shape, unsigned seed, double lo = -3,
              double hi = 3) {
  int64_t n = ref::numel(shape);
  if (ej::is_floating(dtype))
    return ref::tensor(ref::uniform(n, lo, hi, seed, 0.05), shape, dtype);
  if (dtype == ej::bool_)
    return ref::tensor(ref::integers(n, 0, 1, seed), shape, dtype);
  return ref::tensor(ref::integers(n, int(lo), int(hi), seed), shape, dtype);
}

/// `f` on `inputs` on the CPU, then on their GPU copies: both results, the
/// second copied back to the host.
std::pair<Tensor, Tensor> both(const Op &f, const Inputs &inputs) {
  Tensor want = f(inputs);
  Inputs on_gpu;
  for (const Tensor &x : inputs)
    on_gpu.push_back(x.gpu());
  Tensor got = f(on_gpu);
  EXPECT_EQ(got.device(), "gpu:0");
  return {want, got.cpu()};
}

/// Distance in units in the last place of `dtype` (float32 or float64).
int64_t ulps(double a, double b, DType dtype) {
  auto ordered = [](int64_t bits, int64_t sign) {
    return bits < 0 ? sign - bits : bits;
  };
  if (dtype == ej::float32) {
    float fa = float(a), fb = float(b);
    int32_t ia, ib;
    std::memcpy(&ia, &fa, 4);
    std::memcpy(&ib, &fb, 4);
    return std::llabs(ordered(ia, INT32_MIN) - ordered(ib, INT32_MIN));
  }
  int64_t ia, ib;
  std::memcpy(&ia, &a, 8);
  std::memcpy(&ib, &b, 8);
  int64_t oa = ordered(ia, INT64_MIN), ob = ordered(ib, INT64_MIN);
  return oa > ob ? oa - ob : ob - oa;
}

/// The same shape and dtype, and elements within `max_ulps` (0: equal;
/// NaN matches NaN). Integers and bools compare exactly.
void expect_match(const Tensor &want, const Tensor &got, int64_t max_ulps = 0,
                  const std::string &what = "") {
  ASSERT_EQ(want.shape(), got.shape()) << what;
  ASSERT_EQ(want.dtype(), got.dtype()) << what;
  if (!ej::is_floating(want.dtype())) {
    EXPECT_EQ(want.to_vector<int64_t>(), got.to_vector<int64_t>()) << what;
    return;
  }
  std::vector<double> w = want.to_vector<double>(), g = got.to_vector<double>();
  int bad = 0;
  for (size_t i = 0; i < w.size() && bad < 5; ++i) {
    if (std::isnan(w[i]) && std::isnan(g[i]))
      continue;
    bool ok = max_ulps == 0
                  ? w[i] == g[i]
                  : w[i] == g[i] || ulps(w[i], g[i], want.dtype()) <= max_ulps;
    if (!ok) {
      ++bad;
      ADD_FAILURE() << what << " at " << i << ": CPU " << w[i] << ", GPU "
                    << g[i];
    }
  }
}

/// Runs `f` on both devices and expects the results to match.
void expect_same(const Op &f, const Inputs &inputs, int64_t max_ulps = 0,
                 const std::string &what = "") {
  auto [want, got] = both(f, inputs);
  expect_match(want, got, max_ulps, what);
}

/// |GPU - CPU| <= rtol * scale elementwise, `scale` a float64 bound of the
/// sums' magnitude (the sum of |terms|).
void expect_within(const Tensor &want, const Tensor &got,
                   const std::vector<double> &scale, double rtol,
                   const std::string &what = "") {
  ASSERT_EQ(want.shape(), got.shape()) << what;
  std::vector<double> w = want.to_vector<double>(), g = got.to_vector<double>();
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::isnan(w[i])) {
      EXPECT_TRUE(std::isnan(g[i])) << what << " at " << i;
      continue;
    }
    EXPECT_LE(std::fabs(w[i] - g[i]), rtol * scale[i] + 1e-300)
        << what << " at " << i << ": CPU " << w[i] << ", GPU " << g[i];
  }
}

std::string name(DType t) { return ej::dtype_name(t); }

// --- Elementwise ------------------------------------------------------------

struct Unary {
  const char *name;
  Tensor (*f)(const Tensor &);
  std::vector<DType> dtypes;
  // CUDA's transcendentals are within 2 ulp, glibc's vector ones (the
  // CPU's unary kernels) within 4.
  int64_t ulps;
  bool positive; // log, sqrt, rsqrt
};

const std::vector<Unary> &unary_ops() {
  static const std::vector<Unary> ops = {
      {"neg", ej::neg, kNumbers, 0, false},
      {"abs", ej::abs, kNumbers, 0, false},
      {"exp", ej::exp, kFloats, 8, false},
      {"log", ej::log, kFloats, 8, true},
      {"sqrt", ej::sqrt, kFloats, 0, true},
      {"rsqrt", ej::rsqrt, kFloats, 0, true},
      {"square", ej::square, kNumbers, 0, false},
      {"tanh", ej::tanh, kFloats, 8, false},
      {"sigmoid", ej::sigmoid, kFloats, 8, false},
      {"relu", ej::relu, kNumbers, 0, false},
      {"sin", ej::sin, kFloats, 8, false},
      {"cos", ej::cos, kFloats, 8, false},
      {"erf", ej::erf, kFloats, 8, false},
      {"floor", ej::floor, kFloats, 0, false},
      {"ceil", ej::ceil, kFloats, 0, false},
      {"sign", ej::sign, kNumbers, 0, false},
      {"logical_not", ej::logical_not, {ej::bool_}, 0, false},
  };
  return ops;
}

TEST_F(Gpu, UnaryOpsMatchTheCpuOnDenseAndStridedInputs) {
  unsigned seed = 1;
  for (const Unary &u : unary_ops())
    for (DType t : u.dtypes) {
      Tensor x = random(t, {37, 29}, seed++, u.positive ? 0.1 : -3, 3);
      std::string what = std::string(u.name) + " " + name(t);
      expect_same([&](const Inputs &in) { return u.f(in[0]); }, {x}, u.ulps,
                  what);
      expect_same(
          [&](const Inputs &in) {
            return u.f(ej::transpose(in[0]).index({Slice(1, {}, 2)}));
          },
          {x}, u.ulps, what + " (transposed, sliced)");
    }
}

struct Binary {
  const char *name;
  Tensor (*f)(const Tensor &, const Tensor &);
  std::vector<DType> dtypes;
  int64_t ulps;
};

const std::vector<Binary> &binary_ops() {
  static const std::vector<Binary> ops = {
      {"add", ej::add, kNumbers, 0},
      {"sub", ej::sub, kNumbers, 0},
      {"mul", ej::mul, kNumbers, 0},
      {"div", ej::div, kFloats, 0},
      {"pow", ej::pow, kNumbers, 8},
      {"maximum", ej::maximum, kNumbers, 0},
      {"minimum", ej::minimum, kNumbers, 0},
      {"logical_and", ej::logical_and, {ej::bool_}, 0},
      {"logical_or", ej::logical_or, {ej::bool_}, 0},
      {"equal", ej::equal, kAll, 0},
      {"not_equal", ej::not_equal, kAll, 0},
      {"less", ej::less, kAll, 0},
      {"less_equal", ej::less_equal, kAll, 0},
      {"greater", ej::greater, kAll, 0},
      {"greater_equal", ej::greater_equal, kAll, 0},
  };
  return ops;
}

TEST_F(Gpu, BinaryOpsMatchTheCpuWithBroadcastingAndStrides) {
  unsigned seed = 100;
  for (const Binary &b : binary_ops())
    for (DType t : b.dtypes) {
      bool is_pow = std::string(b.name) == "pow";
      // Integer powers: small exponents, some negative.
      double lo = is_pow && !ej::is_floating(t) ? -2 : -3;
      double hi = is_pow && !ej::is_floating(t) ? 6 : 3;
      Tensor x = random(t, {4, 1, 33}, seed++, is_pow ? 0.1 : -3, 3);
      Tensor y = random(t, {5, 1}, seed++, lo, hi);
      Tensor z = random(t, {33, 4}, seed++, is_pow ? 0.1 : -3, 3);
      Tensor w = random(t, {1027}, seed++, lo, hi);
      Tensor v = random(t, {1027}, seed++, is_pow ? 0.1 : -3, 3);
      std::string what = std::string(b.name) + " " + name(t);
      expect_same([&](const Inputs &in) { return b.f(in[0], in[1]); }, {x, y},
                  b.ulps, what + " (broadcast)");
      expect_same([&](const Inputs &in) { return b.f(in[1], in[0]); }, {v, w},
                  b.ulps, what + " (dense)");
      expect_same(
          [&](const Inputs &in) {
            return b.f(in[0], in[1].index({0, 0}));
          },
          {v, y}, b.ulps, what + " (one element)");
      expect_same(
          [&](const Inputs &in) {
            return b.f(ej::transpose(in[0]), in[1].index({Slice(), 0}));
          },
          {z, x}, b.ulps, what + " (transposed)");
      expect_same(
          [&](const Inputs &in) {
            return b.f(in[0].index({Slice({}, {}, -3)}),
                       in[1].index({Slice(0, {}, 3)}));
          },
          {w, v}, b.ulps, what + " (negative and positive steps)");
    }
}

TEST_F(Gpu, DenseKernelsHandleEverySizeAndAlignment) {
  unsigned seed = 200;
  for (DType t : kAll)
    for (int64_t n : {1, 3, 4, 5, 15, 16, 17, 1023, 4099}) {
      Tensor x = random(t, {n + 1}, seed++), y = random(t, {n + 1}, seed++);
      std::string what = name(t) + " n=" + std::to_string(n);
      // Offsets of one element take the packs' alignment away.
      for (int64_t a : {0, 1})
        for (int64_t b : {0, 1})
          expect_same(
              [&](const Inputs &in) {
                return ej::equal(in[0].index({Slice(a, a + n)}),
                                 in[1].index({Slice(b, b + n)}));
              },
              {x, y}, 0, what);
      if (t != ej::bool_)
        expect_same(
            [&](const Inputs &in) {
              return ej::maximum(in[0].index({Slice(1, n + 1)}),
                                 in[1].index({Slice(0, n)}));
            },
            {x, y}, 0, what);
    }
}

TEST_F(Gpu, WhereMatchesTheCpuForEveryDtype) {
  unsigned seed = 300;
  for (DType t : kAll) {
    Tensor c = random(ej::bool_, {6, 1}, seed++);
    Tensor a = random(t, {6, 9}, seed++), b = random(t, {9}, seed++);
    expect_same([](const Inputs &in) { return ej::where(in[0], in[1], in[2]); },
                {c, a, b}, 0, "where " + name(t));
    expect_same(
        [](const Inputs &in) {
          return ej::where(ej::transpose(in[0]), ej::transpose(in[1]),
                           in[2].index({Slice(0, 6)}));
        },
        {c, a, b}, 0, "where " + name(t) + " (transposed)");
  }
}

TEST_F(Gpu, CastsMatchTheCpuIncludingSaturationAndNan) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> special = {0.0, -0.0,  0.5,  -0.5,  1.5, -2.7,
                                 3e9, -3e9,  1e19, -1e19, inf, -inf,
                                 NAN, 127.9, 255,  1e-40};
  std::vector<double> values = ref::uniform(64, -1000, 1000, 400);
  values.insert(values.end(), special.begin(), special.end());
  for (DType from : kAll)
    for (DType to : kAll) {
      Tensor x = ej::is_floating(from)
                     ? ref::tensor(values, {int64_t(values.size())}, from)
                     : random(from, {80}, 401, -1000, 1000);
      std::string what = "cast " + name(from) + " to " + name(to);
      expect_same([&](const Inputs &in) { return ej::cast(in[0], to); }, {x}, 0,
                  what);
      expect_same(
          [&](const Inputs &in) {
            return ej::cast(in[0].index({Slice({}, {}, 2)}), to);
          },
          {x}, 0, what + " (strided)");
    }
}

// --- Creation ---------------------------------------------------------------

// `f` on the CPU and inside a DeviceScope on the GPU.
std::pair<Tensor, Tensor> created(const std::function<Tensor()> &f) {
  Tensor want = f();
  Tensor got;
  {
    ej::DeviceScope scope("gpu:0");
    got = f();
  }
  EXPECT_EQ(got.device(), "gpu:0");
  return {want, got.cpu()};
}

TEST_F(Gpu, CreationOpsMatchTheCpuBitForBit) {
  for (DType t : kAll) {
    std::string what = name(t);
    auto [f0, f1] = created([&] { return ej::fill({3, 67}, 2.75, t); });
    expect_match(f0, f1, 0, "fill " + what);
    auto [e0, e1] = created([&] { return ej::eye(7, 9, t); });
    expect_match(e0, e1, 0, "eye " + what);
    if (t == ej::bool_)
      continue;
    auto [a0, a1] = created([&] { return ej::arange(-3.5, 250.25, 0.37, t); });
    expect_match(a0, a1, 0, "arange " + what);
    auto [l0, l1] = created([&] { return ej::linspace(-1.3, 17.9, 1001, t); });
    expect_match(l0, l1, 0, "linspace " + what);
    auto [c0, c1] = created([&] {
      return ref::tensor(ref::uniform(35, -9, 9, 500), {5, 7}, t);
    });
    expect_match(c0, c1, 0, "constant " + what);
  }
}

TEST_F(Gpu, UniformRandomIsBitIdenticalToTheCpu) {
  for (DType t : kFloats)
    for (int64_t n : {1, 3, 1001, 1 << 16}) {
      auto [want, got] = created([&] {
        ej::set_seed(1234);
        Tensor first = ej::random_uniform({n}, t, -2, 5);
        // A second draw starts where the first one's blocks end.
        return ej::concat({first, ej::random_uniform({n}, t, -2, 5)}, 0);
      });
      expect_match(want, got, 0, "random_uniform " + name(t));
    }
}

TEST_F(Gpu, NormalRandomMatchesTheCpuUpToRounding) {
  for (DType t : kFloats) {
    const int64_t n = 1 << 16;
    auto [want, got] = created([&] {
      ej::set_seed(99);
      return ej::random_normal({n}, t);
    });
    std::vector<double> w = want.to_vector<double>(),
                        g = got.to_vector<double>();
    int64_t differ = 0, worst = 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t d = ulps(w[size_t(i)], g[size_t(i)], t);
      differ += d != 0;
      worst = std::max(worst, d);
    }
    if (t == ej::float32) {
      // The float64 values round to other floats only next to a tie.
      EXPECT_LE(worst, 1);
      EXPECT_LE(differ, n / 1000);
    } else {
      EXPECT_LE(worst, 16);
    }
  }
}

// --- Reductions -------------------------------------------------------------

// Sum of |x| over the reduced axes, as the float64 scale of a sum's error.
std::vector<double> abs_sums(const Tensor &x, const std::vector<int64_t> &axes,
                             bool keepdims) {
  return ej::reduce_sum(ej::abs(ej::cast(x, ej::float64)), axes, keepdims)
      .to_vector<double>();
}

TEST_F(Gpu, ReductionsMatchTheCpuOverEveryAxisSet) {
  const std::vector<std::vector<int64_t>> axes_sets = {
      {}, {0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1}, {0, 1, 2}};
  unsigned seed = 600;
  for (DType t : kNumbers) {
    Tensor x = random(t, {6, 70, 33}, seed++, -3, 3);
    // The same values through strides: a row-major copy of the transpose,
    // transposed back on the device.
    Tensor xt = ej::transpose(x, {2, 1, 0}).contiguous();
    for (const auto &axes : axes_sets)
      for (bool keep : {false, true})
        for (bool strided : {false, true}) {
          std::string what = name(t) + " axes " + ej::shape_str(axes) +
                             (keep ? " keepdims" : "") +
                             (strided ? " (strided)" : "");
          Inputs input = {strided ? xt : x};
          auto view = [strided](const Tensor &v) {
            return strided ? ej::transpose(v, {2, 1, 0}) : v;
          };
          auto [s0, s1] = both(
              [&](const Inputs &in) {
                return ej::reduce_sum(view(in[0]), axes, keep);
              },
              input);
          auto [m0, m1] = both(
              [&](const Inputs &in) {
                return ej::reduce_mean(view(in[0]), axes, keep);
              },
              input);
          std::vector<double> scale = abs_sums(x, axes, keep);
          if (ej::is_floating(t)) {
            double rtol = ref::rtol_of(t);
            expect_within(s0, s1, scale, rtol, "reduce_sum " + what);
            double count = double(x.size()) / double(scale.size());
            for (double &m : scale)
              m /= count;
            expect_within(m0, m1, scale, rtol, "reduce_mean " + what);
          } else {
            expect_match(s0, s1, 0, "reduce_sum " + what);
            // Integers' means: float32 results of exact float64 sums.
            expect_match(m0, m1, 1, "reduce_mean " + what);
          }
          expect_same(
              [&](const Inputs &in) {
                return ej::reduce_max(view(in[0]), axes, keep);
              },
              input, 0, "reduce_max " + what);
          expect_same(
              [&](const Inputs &in) {
                return ej::reduce_min(view(in[0]), axes, keep);
              },
              input, 0, "reduce_min " + what);
        }
    // Products of few factors near 1 stay finite; integer ones wrap alike.
    Tensor p = random(t, {5, 4, 9}, seed++, ej::is_floating(t) ? 0.5 : -2,
                      ej::is_floating(t) ? 1.5 : 2);
    for (const auto &axes : axes_sets) {
      auto [p0, p1] = both(
          [&](const Inputs &in) { return ej::reduce_prod(in[0], axes); }, {p});
      if (ej::is_floating(t))
        expect_within(p0, p1, ej::abs(p0).to_vector<double>(),
                      4 * ref::rtol_of(t), "reduce_prod " + name(t));
      else
        expect_match(p0, p1, 0, "reduce_prod " + name(t));
    }
  }
}

TEST_F(Gpu, ArgmaxAndArgminFollowTheCpusTieAndNanRules) {
  unsigned seed = 700;
  for (DType t : kNumbers) {
    // Few distinct values: ties everywhere.
    Tensor x = ej::cast(random(ej::int32, {7, 45, 11}, seed++, -2, 2), t);
    if (ej::is_floating(t)) {
      // NaNs in some rows, more than one in a few.
      std::vector<double> v = x.to_vector<double>();
      for (size_t i = 5; i < v.size(); i += 97)
        v[i] = NAN;
      x = ref::tensor(v, x.shape(), t);
    }
    for (int64_t axis = 0; axis < 3; ++axis) {
      std::string what = name(t) + " axis " + std::to_string(axis);
      expect_same([&](const Inputs &in) { return ej::argmax(in[0], axis); },
                  {x}, 0, "argmax " + what);
      expect_same([&](const Inputs &in) { return ej::argmin(in[0], axis); },
                  {x}, 0, "argmin " + what);
      expect_same(
          [&](const Inputs &in) {
            return ej::argmax(ej::transpose(in[0]), axis);
          },
          {x}, 0, "argmax " + what + " (transposed)");
    }
    // One long axis: split across blocks, merged in a second pass.
    Tensor longer =
        ej::cast(random(ej::int32, {3, 200003}, seed++, -50, 50), t);
    expect_same([](const Inputs &in) { return ej::argmax(in[0], 1); }, {longer},
                0, "argmax " + name(t) + " (long axis)");
    expect_same([](const Inputs &in) { return ej::argmin(in[0], 0); },
                {ej::transpose(longer)}, 0,
                "argmin " + name(t) + " (long axis)");
  }
}

TEST_F(Gpu, LargeReductionsUseTheWholeGpuAndStayAccurate) {
  const int64_t n = int64_t(1) << 24;
  Tensor x = ej::random_uniform({n}, ej::float32, 0, 1);
  std::vector<float> v = x.to_vector<float>();
  double sum = 0;
  for (float f : v)
    sum += f;
  Tensor g = x.gpu();
  EXPECT_NEAR(ej::reduce_sum(g).cpu().item<double>(), sum, 1e-6 * sum);
  EXPECT_NEAR(ej::reduce_mean(g).cpu().item<double>(), sum / double(n),
              1e-6 * sum / double(n));
  expect_same([](const Inputs &in) { return ej::reduce_max(in[0]); }, {x});
  expect_same([](const Inputs &in) { return ej::argmax(in[0]); }, {x});
  expect_same([](const Inputs &in) { return ej::argmin(in[0]); }, {x});
  // Integer sums are exact whatever the order.
  Tensor i = ej::cast(ej::mul(x, 1000.0), ej::int64);
  expect_same([](const Inputs &in) { return ej::reduce_sum(in[0]); }, {i});
  // Few long columns and few long rows.
  Tensor cols = ej::reshape(x, {1 << 14, 1 << 10});
  auto [c0, c1] =
      both([](const Inputs &in) { return ej::reduce_sum(in[0], {0}); }, {cols});
  expect_within(c0, c1, abs_sums(cols, {0}, false), 1e-6, "columns");
  Tensor rows = ej::reshape(x, {16, 1 << 20});
  auto [r0, r1] =
      both([](const Inputs &in) { return ej::reduce_sum(in[0], {1}); }, {rows});
  expect_within(r0, r1, abs_sums(rows, {1}, false), 1e-6, "rows");
}

// --- Empty tensors ----------------------------------------------------------

TEST_F(Gpu, EmptyTensorsGiveTheCpusResults) {
  Tensor e = random(ej::float32, {0, 5}, 800);
  Tensor a = random(ej::float32, {4, 5}, 801);
  expect_same([](const Inputs &in) { return ej::add(in[0], in[0]); }, {e});
  expect_same([](const Inputs &in) { return ej::cast(in[0], ej::int32); }, {e});
  expect_same([](const Inputs &in) { return ej::reduce_sum(in[0], {0}); }, {e});
  expect_same([](const Inputs &in) { return ej::reduce_prod(in[0], {0}); },
              {e});
  expect_same([](const Inputs &in) { return ej::reduce_mean(in[0], {0}); },
              {e});
  expect_same([](const Inputs &in) { return ej::reduce_sum(in[0], {1}); }, {e});
  expect_same(
      [](const Inputs &in) {
        return ej::matmul(ej::transpose(in[0]), in[0]); // k = 0: zeros
      },
      {e});
  expect_same(
      [](const Inputs &in) {
        return ej::concat({in[0], in[1]}, 0);
      },
      {e, a});
  expect_same(
      [](const Inputs &in) {
        return ej::gather(in[0],
                          ej::cast(in[1].index({Slice(0, 0), 0}), ej::int32));
      },
      {a, a});
}

// --- Shape ops --------------------------------------------------------------

TEST_F(Gpu, ShapeOpsMatchTheCpuForEveryDtype) {
  unsigned seed = 900;
  for (DType t : kAll) {
    Tensor x = random(t, {4, 6, 5}, seed++), y = random(t, {4, 2, 5}, seed++);
    std::string what = name(t);
    expect_same(
        [](const Inputs &in) {
          return ej::reshape(ej::transpose(in[0], {2, 0, 1}), {10, 12});
        },
        {x}, 0, "reshape of a transpose " + what);
    expect_same([](const Inputs &in) { return ej::reshape(in[0], {-1}); }, {x},
                0, "reshape " + what);
    expect_same(
        [](const Inputs &in) {
          return ej::identity(ej::transpose(in[0]).index({Slice(1, 3)}));
        },
        {x}, 0, "identity " + what);
    expect_same(
        [](const Inputs &in) {
          return ej::broadcast_to(in[0].index({0, Slice(), 1}), {3, 6});
        },
        {x}, 0, "broadcast_to " + what);
    expect_same(
        [](const Inputs &in) {
          return ej::concat({in[0], in[1], in[0]}, 1);
        },
        {x, y}, 0, "concat " + what);
    expect_same(
        [](const Inputs &in) {
          return ej::concat({ej::transpose(in[0]), ej::transpose(in[1])}, 1);
        },
        {x, y}, 0, "concat of transposes " + what);
    expect_same(
        [](const Inputs &in) {
          return ej::stack({in[0], in[0]}, 3);
        },
        {x}, 0, "stack " + what);
    expect_same(
        [](const Inputs &in) {
          return ej::pad(ej::transpose(in[0]), {{1, 2}, {0, 3}, {2, 0}}, 1);
        },
        {x}, 0, "pad " + what);
    expect_same(
        [](const Inputs &in) {
          return ej::stop_gradient(in[0].index({Slice({}, {}, -1), 2}));
        },
        {x}, 0, "slice " + what);
  }
}

TEST_F(Gpu, GatherMatchesTheCpu) {
  unsigned seed = 1000;
  for (DType t : kAll)
    for (DType index : {ej::int32, ej::int64}) {
      Tensor params = random(t, {5, 4, 3}, seed++);
      Tensor indices = ref::tensor({0, 3, -1, 2, 2, -3, 1, 0}, {2, 4}, index);
      std::string what = name(t) + " indices " + name(index);
      for (int64_t axis = 0; axis < 3; ++axis)
        expect_same(
            [&](const Inputs &in) {
              // Indices within every axis: 3 at most, -3 at least.
              return ej::gather(in[0], ej::minimum(in[1], 2), axis);
            },
            {params, indices}, 0, what + " axis " + std::to_string(axis));
      expect_same(
          [](const Inputs &in) {
            return ej::gather(ej::transpose(in[0]),
                              ej::transpose(in[1]).index({Slice(), 1}), 2);
          },
          {params, indices}, 0, what + " (strided)");
    }
}

TEST_F(Gpu, GatherThrowsForAnIndexOutOfRangeAtTheCall) {
  Tensor params = random(ej::float32, {5, 3}, 1100).gpu();
  Tensor indices = ej::constant(std::vector<int>{1, 5, 0}, {3}).gpu();
  try {
    ej::gather(params, indices);
    FAIL() << "gather did not throw";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos)
        << e.what();
  }
  Tensor negative = ej::constant(std::vector<int64_t>{-6}, {1}).gpu();
  EXPECT_THROW(ej::gather(params, negative), ej::Error);
}

TEST_F(Gpu, OneHotMatchesTheCpuIncludingOutOfRangeIndices) {
  for (DType index : {ej::int32, ej::int64})
    for (DType t : kAll) {
      Tensor indices = ref::tensor({0, 4, -1, 2, 7, 3, 1, 5}, {2, 4}, index);
      std::string what = name(t) + " indices " + name(index);
      expect_same(
          [&](const Inputs &in) { return ej::one_hot(in[0], 5, 2.5, -1, t); },
          {indices}, 0, what);
      expect_same(
          [&](const Inputs &in) {
            return ej::one_hot(ej::transpose(in[0]), 6, 1, 0, t);
          },
          {indices}, 0, what + " (transposed)");
    }
}

// --- Matmul -----------------------------------------------------------------

// Sums of |a| |b| over the products of each result element.
std::vector<double> abs_products(const Tensor &a, const Tensor &b) {
  return ej::matmul(ej::abs(ej::cast(a, ej::float64)),
                    ej::abs(ej::cast(b, ej::float64)))
      .to_vector<double>();
}

TEST_F(Gpu, MatMulMatchesTheCpuForEveryLayout) {
  struct Case {
    Shape a, b;
    bool transpose_a, slice_b;
  };
  const std::vector<Case> cases = {
      {{37, 53}, {53, 29}, false, false},
      {{3, 37, 53}, {53, 29}, false, false},        // b broadcast
      {{2, 1, 8, 16}, {1, 3, 16, 4}, false, false}, // both broadcast
      {{53, 37}, {53, 58}, true, true},             // views
      {{4, 1, 7}, {4, 7, 1}, false, false},         // vectors
  };
  unsigned seed = 1200;
  for (DType t : kNumbers)
    for (const Case &c : cases) {
      Tensor a = random(t, c.a, seed++, -3, 3),
             b = random(t, c.b, seed++, -3, 3);
      Op f = [&](const Inputs &in) {
        Tensor x = c.transpose_a ? ej::transpose(in[0]) : in[0];
        Tensor y = c.slice_b ? in[1].index({Slice(), Slice(0, {}, 2)}) : in[1];
        return ej::matmul(x, y);
      };
      auto [want, got] = both(f, {a, b});
      std::string what = "matmul " + name(t) + " " + ej::shape_str(c.a) +
                         " x " + ej::shape_str(c.b);
      if (!ej::is_floating(t)) {
        expect_match(want, got, 0, what);
        continue;
      }
      Tensor x = c.transpose_a ? ej::transpose(a) : a;
      Tensor y = c.slice_b ? b.index({Slice(), Slice(0, {}, 2)}) : b;
      expect_within(want, got, abs_products(x, y),
                    t == ej::float32 ? 4e-6 : 2e-14, what);
    }
}

TEST_F(Gpu, Float32MatMulIsFp32AccurateUnlessTf32IsOn) {
  const int64_t k = 1024;
  Tensor a = random(ej::float32, {64, k}, 1300, -1, 1);
  Tensor b = random(ej::float32, {k, 48}, 1301, -1, 1);
  std::vector<double> want =
      ej::matmul(ej::cast(a, ej::float64), ej::cast(b, ej::float64))
          .to_vector<double>();
  auto max_error = [&] {
    std::vector<double> got =
        ej::matmul(a.gpu(), b.gpu()).cpu().to_vector<double>();
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i)
      worst = std::max(worst, std::fabs(got[i] - want[i]));
    return worst;
  };
  // Results are about 10 in magnitude: fp32 sums err by ~1e-5, TF32's
  // 10-bit inputs by ~3e-3.
  EXPECT_LT(max_error(), 5e-4);
  ej::set_gpu_tf32(true);
  double tf32 = max_error();
  ej::set_gpu_tf32(false);
  EXPECT_LT(tf32, 5e-2);
  EXPECT_LT(max_error(), 5e-4);
}

// --- Convolution and pooling ------------------------------------------------

// conv2d with its two gradients (a tape's, with the cotangent `in[2]`):
// the convolution and the cotangents of its input and filter.
std::vector<Tensor> conv_and_grads(const Inputs &in, ej::IntList strides,
                                   ej::Padding padding) {
  ej::GradientTape tape;
  tape.watch(in[0]);
  tape.watch(in[1]);
  Tensor y = ej::conv2d(in[0], in[1], strides, padding);
  std::vector<Tensor> d =
      tape.gradient(ej::reduce_sum(ej::mul(y, in[2])), {in[0], in[1]});
  return {y, d[0], d[1]};
}

// cuBLAS sums the patches' products in its own order: each result is
// checked against the sum of its terms' magnitudes (the same program on
// |x|, |w|, |g| in float64).
TEST_F(Gpu, ConvolutionsAndTheirGradientsMatchTheCpuWithinRounding) {
  struct Case {
    Shape x, w;
    std::vector<int64_t> strides;
    ej::Padding padding;
  };
  const Case cases[] = {
      {{2, 9, 8, 3}, {3, 3, 3, 4}, {1, 1}, ej::Padding::Same},
      {{3, 11, 7, 2}, {3, 2, 2, 5}, {2, 3}, ej::Padding::Same},
      {{2, 6, 6, 4}, {1, 1, 4, 3}, {1, 1}, ej::Padding::Valid},
      {{1, 10, 9, 1}, {4, 3, 1, 2}, {2, 2}, ej::Padding::Valid},
  };
  unsigned seed = 1400;
  for (DType t : kFloats)
    for (const Case &c : cases) {
      Tensor x = random(t, c.x, seed++), w = random(t, c.w, seed++);
      Shape y = ej::conv2d(x, w, c.strides, c.padding).shape();
      Tensor g = random(t, y, seed++);
      Inputs in = {x, w, g};
      std::vector<Tensor> want = conv_and_grads(in, c.strides, c.padding);
      Inputs on_gpu;
      for (const Tensor &v : in)
        on_gpu.push_back(v.gpu());
      std::vector<Tensor> got = conv_and_grads(on_gpu, c.strides, c.padding);
      Inputs abs;
      for (const Tensor &v : in)
        abs.push_back(ej::abs(ej::cast(v, ej::float64)));
      std::vector<Tensor> scale = conv_and_grads(abs, c.strides, c.padding);
      const char *names[] = {"conv2d", "conv2d_backprop_input",
                             "conv2d_backprop_filter"};
      for (int k = 0; k < 3; ++k) {
        EXPECT_EQ(got[size_t(k)].device(), "gpu:0");
        expect_within(want[size_t(k)], got[size_t(k)].cpu(),
                      scale[size_t(k)].to_vector<double>(),
                      t == ej::float32 ? 4e-6 : 2e-14,
                      std::string(names[k]) + " " + name(t) + " " +
                          ej::shape_str(c.x) + " * " + ej::shape_str(c.w));
      }
    }
}

// Pooling and its gradients add in the CPU's order (runtime/cpu/Window.h):
// the same bits.
TEST_F(Gpu, PoolingAndItsGradientsGiveTheCpusBits) {
  struct Case {
    Shape x;
    std::vector<int64_t> window, strides;
    ej::Padding padding;
  };
  const Case cases[] = {
      {{2, 9, 8, 3}, {2, 2}, {}, ej::Padding::Valid},
      {{2, 9, 8, 3}, {3, 3}, {2, 2}, ej::Padding::Same},
      {{1, 7, 10, 5}, {3, 2}, {1, 3}, ej::Padding::Same},
  };
  unsigned seed = 1450;
  for (DType t : kFloats)
    for (const Case &c : cases) {
      Tensor x = random(t, c.x, seed++);
      for (bool max : {true, false}) {
        auto pool = [&](const Tensor &v) {
          return max ? ej::max_pool2d(v, c.window, c.strides, c.padding)
                     : ej::avg_pool2d(v, c.window, c.strides, c.padding);
        };
        Tensor g = random(t, pool(x).shape(), seed++);
        std::string what = std::string(max ? "max_pool2d " : "avg_pool2d ") +
                           name(t) + " " + ej::shape_str(c.x);
        expect_same(
            [&](const Inputs &in) {
              ej::GradientTape tape;
              tape.watch(in[0]);
              return tape.gradient(ej::reduce_sum(ej::mul(pool(in[0]), in[1])),
                                   in[0]);
            },
            {x, g}, 0, what + " gradient");
        expect_same([&](const Inputs &in) { return pool(in[0]); }, {x}, 0,
                    what);
      }
    }
}

// --- Variables ---------------------------------------------------------------

TEST_F(Gpu, VariablesReadAndAssignGpuValues) {
  Tensor x = random(ej::float32, {3, 4}, 1500);
  ej::Variable v(x.gpu());
  v.assign(ej::add(v.read(), 1.5));
  Tensor got = v.read();
  EXPECT_EQ(got.device(), "gpu:0");
  expect_match(ej::add(x, 1.5), got.cpu(), 0, "variable");
}

} // namespace
