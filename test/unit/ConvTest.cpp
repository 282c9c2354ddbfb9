//===- ConvTest.cpp - conv2d and pooling against float64 references -------===//
//
// Kernels against naive float64 loops on random inputs (both paddings,
// strides > 1, odd shapes, both data formats), gradients of every order
// that the ops support against finite differences, and the API's errors.
// float32 convolutions run in oneDNN, float64 ones (and float32 ones with
// oneDNN switched off) through im2col + BLAS: both are checked. Shapes are
// tiny: the finite-difference checker runs the op twice per input element.
//
//===----------------------------------------------------------------------===//
#include "lib/Jit.h"
#include "runtime/cpu/DnnlConv.h"
#include "test/unit/GradCheck.h"

#include <limits>

namespace {

using ej::DataFormat;
using ej::Padding;
using gradcheck::check;
using gradcheck::input;
using T = ej::Tensor;
using V = std::vector<ej::Tensor>;

// Explicit padding (top, bottom, left, right), computed independently of
// the library's rule: SAME keeps ceil(n / s) positions.
struct Pads {
  int64_t t = 0, b = 0, l = 0, r = 0;
};
Pads pads_of(Padding p, int64_t h, int64_t w, int64_t kh, int64_t kw,
             int64_t sh, int64_t sw) {
  if (p == Padding::Valid)
    return {};
  auto split = [](int64_t n, int64_t k, int64_t s, int64_t &lo, int64_t &hi) {
    int64_t out = (n + s - 1) / s;
    int64_t total = std::max<int64_t>((out - 1) * s + k - n, 0);
    lo = total / 2;
    hi = total - lo;
  };
  Pads q;
  split(h, kh, sh, q.t, q.b);
  split(w, kw, sw, q.l, q.r);
  return q;
}

// Naive NHWC convolution in float64.
std::vector<double> conv_ref(const std::vector<double> &x, const ref::Shape &xs,
                             const std::vector<double> &f, const ref::Shape &fs,
                             int64_t sh, int64_t sw, Padding padding,
                             ref::Shape &out_shape) {
  int64_t n = xs[0], h = xs[1], w = xs[2], c = xs[3];
  int64_t kh = fs[0], kw = fs[1], o = fs[3];
  Pads p = pads_of(padding, h, w, kh, kw, sh, sw);
  int64_t oh = (h + p.t + p.b - kh) / sh + 1,
          ow = (w + p.l + p.r - kw) / sw + 1;
  out_shape = {n, oh, ow, o};
  std::vector<double> y(size_t(n * oh * ow * o), 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t m = 0; m < o; ++m) {
          double acc = 0;
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v)
              for (int64_t k = 0; k < c; ++k) {
                int64_t iy = i * sh + u - p.t, ix = j * sw + v - p.l;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                  continue;
                acc += x[size_t(((b * h + iy) * w + ix) * c + k)] *
                       f[size_t(((u * kw + v) * c + k) * o + m)];
              }
          y[size_t(((b * oh + i) * ow + j) * o + m)] = acc;
        }
  return y;
}

// Naive NHWC max or average pooling in float64.
std::vector<double> pool_ref(const std::vector<double> &x, const ref::Shape &xs,
                             int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                             Padding padding, bool max, ref::Shape &out_shape) {
  int64_t n = xs[0], h = xs[1], w = xs[2], c = xs[3];
  Pads p = pads_of(padding, h, w, kh, kw, sh, sw);
  int64_t oh = (h + p.t + p.b - kh) / sh + 1,
          ow = (w + p.l + p.r - kw) / sw + 1;
  out_shape = {n, oh, ow, c};
  std::vector<double> y;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t k = 0; k < c; ++k) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int count = 0;
          for (int64_t u = 0; u < kh; ++u)
            for (int64_t v = 0; v < kw; ++v) {
              int64_t iy = i * sh + u - p.t, ix = j * sw + v - p.l;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                continue;
              double e = x[size_t(((b * h + iy) * w + ix) * c + k)];
              best = std::max(best, e);
              sum += e;
              ++count;
            }
          y.push_back(max ? best : sum / count);
        }
  return y;
}

struct ConvCase {
  ref::Shape x, f;
  int64_t sh, sw;
  Padding padding;
};

const std::vector<ConvCase> &conv_cases() {
  static const std::vector<ConvCase> cases = {
      {{2, 5, 6, 3}, {3, 3, 3, 4}, 1, 1, Padding::Same},
      {{2, 5, 6, 3}, {3, 3, 3, 4}, 1, 1, Padding::Valid},
      {{1, 7, 6, 2}, {3, 2, 2, 3}, 2, 2, Padding::Same},
      {{1, 7, 6, 2}, {3, 2, 2, 3}, 2, 1, Padding::Valid},
      {{2, 6, 5, 1}, {5, 5, 1, 2}, 1, 1, Padding::Same},  // the CNN's shape
      {{3, 4, 4, 5}, {1, 1, 5, 2}, 1, 1, Padding::Valid}, // 1x1: no patches
      {{1, 5, 5, 2}, {2, 2, 2, 2}, 3, 3, Padding::Valid}, // skips elements
  };
  return cases;
}

TEST(Conv, Conv2DMatchesANaiveFloat64Convolution) {
  unsigned seed = 100;
  for (const ConvCase &c : conv_cases())
    for (ej::DType dtype : {ej::float32, ej::float64}) {
      SCOPED_TRACE(ej::shape_str(c.x) + " * " + ej::shape_str(c.f) +
                   " strides " + std::to_string(c.sh) + "," +
                   std::to_string(c.sw) +
                   (c.padding == Padding::Same ? " same " : " valid ") +
                   ej::dtype_name(dtype));
      std::vector<double> x = ref::uniform(ref::numel(c.x), -1, 1, ++seed);
      std::vector<double> f = ref::uniform(ref::numel(c.f), -1, 1, ++seed);
      ref::Shape want_shape;
      std::vector<double> want =
          conv_ref(x, c.x, f, c.f, c.sh, c.sw, c.padding, want_shape);
      T y = ej::conv2d(ref::tensor(x, c.x, dtype), ref::tensor(f, c.f, dtype),
                       {c.sh, c.sw}, c.padding);
      EXPECT_EQ(y.shape(), want_shape);
      EXPECT_EQ(y.dtype(), dtype);
      ref::expect_close(ref::values(y), want, 0,
                        dtype == ej::float32 ? 1e-5 : 1e-12);
    }
}

TEST(Conv, BothFloat32BackendsMatchFloat64ForwardAndGradients) {
  unsigned seed = 500;
  for (const ConvCase &c : conv_cases()) {
    SCOPED_TRACE(ej::shape_str(c.x) + " * " + ej::shape_str(c.f) + " strides " +
                 std::to_string(c.sh) + "," + std::to_string(c.sw) +
                 (c.padding == Padding::Same ? " same" : " valid"));
    std::vector<double> x = ref::uniform(ref::numel(c.x), -1, 1, ++seed);
    std::vector<double> f = ref::uniform(ref::numel(c.f), -1, 1, ++seed);
    // The output, and the gradients of sum(conv * w) (w random).
    auto run = [&](ej::DType dtype) {
      T xt = ref::tensor(x, c.x, dtype), ft = ref::tensor(f, c.f, dtype);
      ej::GradientTape tape;
      tape.watch(xt);
      tape.watch(ft);
      T y = ej::conv2d(xt, ft, {c.sh, c.sw}, c.padding);
      T w = ref::tensor(ref::uniform(ref::numel(y.shape()), -1, 1, 9),
                        y.shape(), dtype);
      V g = tape.gradient(ej::reduce_sum(y * w), {xt, ft});
      return std::vector<std::vector<double>>{ref::values(y), ref::values(g[0]),
                                              ref::values(g[1])};
    };
    auto want = run(ej::float64);
    for (bool dnnl : {true, false}) {
      SCOPED_TRACE(dnnl ? "oneDNN" : "im2col");
      ej::runtime::dnnl_conv::set_enabled(dnnl);
      auto got = run(ej::float32);
      ej::runtime::dnnl_conv::set_enabled(true);
      for (size_t i = 0; i < want.size(); ++i)
        ref::expect_close(got[i], want[i], 1e-5, 1e-5);
    }
  }
}

TEST(Conv, ChannelsFirstIsChannelsLastTransposed) {
  T x = input({2, 3, 5, 4}, 1); // (N, C, H, W)
  T f = input({3, 3, 3, 2}, 2);
  T y = ej::conv2d(x, f, {2}, Padding::Same, DataFormat::ChannelsFirst);
  T want = ej::transpose(
      ej::conv2d(ej::transpose(x, {0, 2, 3, 1}), f, {2, 2}, Padding::Same),
      {0, 3, 1, 2});
  EXPECT_EQ(y.shape(), (ref::Shape{2, 2, 3, 2}));
  ref::expect_close(ref::values(y), ref::values(want), 0, 0);
  T p =
      ej::max_pool2d(x, {2, 2}, {}, Padding::Valid, DataFormat::ChannelsFirst);
  EXPECT_EQ(p.shape(), (ref::Shape{2, 3, 2, 2}));
}

TEST(Conv, StridedInputViewsGiveTheSameResults) {
  T x = input({2, 6, 5, 3}, 3);
  T f = input({3, 3, 3, 2}, 4);
  // A transposed view of the same elements.
  T xt =
      ej::transpose(ej::identity(ej::transpose(x, {0, 2, 1, 3})), {0, 2, 1, 3});
  ref::expect_close(ref::values(ej::conv2d(xt, f, {1, 1}, Padding::Same)),
                    ref::values(ej::conv2d(x, f, {1, 1}, Padding::Same)), 0, 0);
  ref::expect_close(ref::values(ej::max_pool2d(xt, {3, 2}, {2, 1})),
                    ref::values(ej::max_pool2d(x, {3, 2}, {2, 1})), 0, 0);
}

struct PoolCase {
  ref::Shape x;
  int64_t kh, kw, sh, sw;
  Padding padding;
};

const std::vector<PoolCase> &pool_cases() {
  static const std::vector<PoolCase> cases = {
      {{2, 6, 6, 3}, 2, 2, 2, 2, Padding::Valid},
      {{2, 5, 7, 2}, 2, 2, 2, 2, Padding::Same}, // odd extents: clipped windows
      {{1, 6, 5, 3}, 3, 3, 2, 2, Padding::Same},
      {{1, 6, 5, 3}, 3, 2, 1, 2, Padding::Valid},
      {{1, 4, 4, 2}, 3, 3, 1, 1, Padding::Same}, // overlapping windows
  };
  return cases;
}

TEST(Conv, PoolingMatchesNaiveFloat64Pooling) {
  unsigned seed = 200;
  for (const PoolCase &c : pool_cases())
    for (bool max : {true, false})
      for (ej::DType dtype : {ej::float32, ej::float64}) {
        SCOPED_TRACE(ej::shape_str(c.x) + (max ? " max " : " avg ") +
                     std::to_string(c.kh) + "x" + std::to_string(c.kw) +
                     (c.padding == Padding::Same ? " same " : " valid ") +
                     ej::dtype_name(dtype));
        std::vector<double> x = ref::uniform(ref::numel(c.x), -3, 3, ++seed);
        ref::Shape want_shape;
        std::vector<double> want = pool_ref(x, c.x, c.kh, c.kw, c.sh, c.sw,
                                            c.padding, max, want_shape);
        T xt = ref::tensor(x, c.x, dtype);
        T y = max ? ej::max_pool2d(xt, {c.kh, c.kw}, {c.sh, c.sw}, c.padding)
                  : ej::avg_pool2d(xt, {c.kh, c.kw}, {c.sh, c.sw}, c.padding);
        EXPECT_EQ(y.shape(), want_shape);
        ref::expect_close(ref::values(y), want, 0,
                          dtype == ej::float32 ? 1e-6 : 1e-14);
      }
}

TEST(Conv, Conv2DGradientsMatchFiniteDifferences) {
  unsigned seed = 300;
  for (const ConvCase &c : conv_cases()) {
    SCOPED_TRACE(ej::shape_str(c.x) + " * " + ej::shape_str(c.f) + " strides " +
                 std::to_string(c.sh) + "," + std::to_string(c.sw) +
                 (c.padding == Padding::Same ? " same" : " valid"));
    check(
        [&](const V &a) {
          return ej::conv2d(a[0], a[1], {c.sh, c.sw}, c.padding);
        },
        {input(c.x, ++seed), input(c.f, ++seed)});
  }
}

TEST(Conv, Conv2DSecondOrderGradientsMatchFiniteDifferences) {
  // The gradients of a conv2d are conv2d_backprop_input and
  // conv2d_backprop_filter; differentiating them again runs their rules.
  for (Padding padding : {Padding::Same, Padding::Valid}) {
    SCOPED_TRACE(padding == Padding::Same ? "same" : "valid");
    check(
        [&](const V &a) {
          ej::GradientTape tape;
          tape.watch(a[0]);
          tape.watch(a[1]);
          T y = ej::reduce_sum(
              ej::square(ej::conv2d(a[0], a[1], {2, 1}, padding)));
          V g = tape.gradient(y, {a[0], a[1]});
          return ej::concat({ej::reshape(g[0], {-1}), ej::reshape(g[1], {-1})},
                            0);
        },
        {input({1, 5, 4, 2}, 11), input({3, 2, 2, 2}, 12)}, 1e-5);
  }
}

TEST(Conv, PoolingGradientsMatchFiniteDifferences) {
  unsigned seed = 400;
  for (const PoolCase &c : pool_cases())
    for (bool max : {true, false}) {
      SCOPED_TRACE(ej::shape_str(c.x) + (max ? " max " : " avg ") +
                   std::to_string(c.kh) + "x" + std::to_string(c.kw) +
                   (c.padding == Padding::Same ? " same" : " valid"));
      // Distinct values a finite step cannot reorder: no ties in a window.
      check(
          [&](const V &a) {
            return max ? ej::max_pool2d(a[0], {c.kh, c.kw}, {c.sh, c.sw},
                                        c.padding)
                       : ej::avg_pool2d(a[0], {c.kh, c.kw}, {c.sh, c.sw},
                                        c.padding);
          },
          {input(c.x, ++seed)});
    }
}

TEST(Conv, AvgPoolSecondOrderGradientsMatchFiniteDifferences) {
  check(
      [](const V &a) {
        ej::GradientTape tape;
        tape.watch(a[0]);
        T y = ej::reduce_sum(
            ej::square(ej::avg_pool2d(a[0], {3, 3}, {2, 2}, Padding::Same)));
        return tape.gradient(y, a[0]);
      },
      {input({1, 5, 5, 2}, 21)});
}

TEST(Conv, MaxPoolSendsTiesToTheFirstMaximum) {
  T x =
      ej::constant(std::vector<double>{1, 3, 3, 2}, {1, 2, 2, 1}, ej::float64);
  ej::GradientTape tape;
  tape.watch(x);
  T g = tape.gradient(ej::reduce_sum(ej::max_pool2d(x, {2, 2}) * 5.0), x);
  ref::expect_close(ref::values(g), {0, 5, 0, 0}, 0, 0);
}

TEST(Conv, BadShapesAndAttributesAreClearErrors) {
  T x = ej::zeros({2, 8, 8, 3}), f = ej::zeros({3, 3, 4, 5});
  EXPECT_EQ(ref::error_of([&] { ej::conv2d(x, f); }),
            "conv2d: input channels differ: input (2, 8, 8, 3) (NHWC) has 3, "
            "filter (3, 3, 4, 5) expects 4");
  EXPECT_EQ(ref::error_of([&] {
              ej::conv2d(ej::zeros({8, 8, 3}), f);
            }),
            "conv2d: input must be 4-d (N, H, W, C), got (8, 8, 3)");
  EXPECT_EQ(ref::error_of([&] {
              ej::conv2d(x, ej::zeros({3, 3, 3, 2}), {0, 1});
            }),
            "conv2d: strides must be >= 1, got (0, 1)");
  EXPECT_EQ(ref::error_of([&] {
              ej::conv2d(x, ej::zeros({9, 3, 3, 2}));
            }),
            "conv2d: the filter (9, 3, 3, 2) does not fit the input "
            "(2, 8, 8, 3) (NHWC) with window (9, 3), strides (1, 1), "
            "padding (0, 0, 0, 0)");
  EXPECT_EQ(ref::error_of([&] {
              ej::conv2d(x, ej::zeros({3, 3, 3, 2}, ej::float64));
            }),
            "conv2d: input and filter dtypes differ: float32 and float64");
  EXPECT_EQ(ref::error_of([&] {
              ej::conv2d(ej::zeros({1, 4, 4, 1}, ej::int32),
                         ej::zeros({1, 1, 1, 1}, ej::int32));
            }),
            "conv2d: input must be float32 or float64, got int32");
  EXPECT_EQ(ref::error_of([&] {
              ej::max_pool2d(x, {9, 2});
            }),
            "max_pool2d: the window (9, 2), strides (9, 2), padding "
            "(0, 0, 0, 0) does not fit the input (2, 8, 8, 3) (NHWC)");
  EXPECT_EQ(ref::error_of([&] {
              ej::avg_pool2d(x, {2, 2, 2});
            }),
            "avg_pool2d: window must have one or two entries, got (2, 2, 2)");
}

// A stride past the last window position (even int64's largest) gives
// one position, as a stride equal to the input's extent does.
TEST(Conv, HugeStridesGiveOnePosition) {
  T x = gradcheck::input({1, 5, 5, 3}, 11),
    f = gradcheck::input({3, 3, 3, 4}, 12);
  const int64_t big = std::numeric_limits<int64_t>::max();
  for (ej::Padding p : {ej::Padding::Valid, ej::Padding::Same}) {
    ref::expect_close(ref::values(ej::conv2d(x, f, {big, big}, p)),
                      ref::values(ej::conv2d(x, f, {5, 5}, p)), 0, 0);
    ref::expect_close(ref::values(ej::max_pool2d(x, {2, 2}, {big, big}, p)),
                      ref::values(ej::max_pool2d(x, {2, 2}, {5, 5}, p)), 0, 0);
  }
}

TEST(Conv, ATrainingStepWithConvAndPoolingRunsCompiledWithTheSameResults) {
  // Conv and pooling stay interpreter steps inside a compiled region, the
  // elementwise work around them fused.
  auto run = [] {
    ej::Variable w(input({3, 3, 2, 4}, 31), "w");
    ej::Variable b(ej::zeros({4}, ej::float64), "b");
    T x = input({2, 6, 6, 2}, 32);
    auto grads = ej::implicit_gradients([&] {
      T h = ej::relu(ej::conv2d(x, w.read(), {1, 1}, Padding::Same) + b.read());
      T p = ej::max_pool2d(h, {2, 2}) + ej::avg_pool2d(h, {2, 2});
      return ej::reduce_mean(ej::square(p));
    });
    for (int i = 0; i < 8; ++i) {
      ej::Step step;
      for (auto &[g, v] : grads())
        v.assign_sub(g * 0.1);
    }
    std::vector<double> out = ref::values(w.read());
    for (double v : ref::values(b.read()))
      out.push_back(v);
    return out;
  };
  ej::detail::JitConfig &config = ej::detail::JitConfig::get();
  ej::jit::wait_for_compiles();
  ej::detail::JitConfig saved = config;
  { ej::Step boundary; }
  config.enabled = false;
  std::vector<double> want = run();
  config.enabled = true;
  config.sync = true;
  config.threshold = 2;
  ej::detail::RegionCompiler previous =
      ej::detail::set_region_compiler(ej::detail::cpu_compiler());
  ej::jit::reset_stats();
  std::vector<double> got = run();
  ej::jit::Stats stats = ej::jit::stats();
  { ej::Step boundary; }
  ej::detail::set_region_compiler(std::move(previous));
  config = saved;
  ref::expect_close(got, want, 1e-12, 1e-12);
  EXPECT_GE(stats.cache_hits_memory, 4u);
  EXPECT_GT(stats.ops_compiled, 0u);
}

} // namespace
