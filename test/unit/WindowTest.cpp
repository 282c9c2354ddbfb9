//===- WindowTest.cpp - The GPU's pooling and patch functions on the host -===//
//
// The CUDA convolution and pooling kernels compute each element with
// runtime/cpu/Window.h. Run here on the host, those functions must give the
// CPU kernels' pooling results and gradients bit for bit, and their patch
// matrices, multiplied out in float64, the CPU's convolutions and their
// gradients: the GPU's index arithmetic, checked without a GPU.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Window.h"
#include "lib/ShapeRules.h"
#include "test/unit/Reference.h"

#include <cmath>
#include <string>
#include <vector>

namespace {

using ej::Tensor;
using ej::runtime::window::Geometry;
namespace window = ej::runtime::window;

// The geometry the API gives input `x` with `window` every `strides`.
Geometry geometry(const ref::Shape &x, int64_t kh, int64_t kw, int64_t sh,
                  int64_t sw, ej::Padding padding) {
  int64_t pt = 0, pb = 0, pl = 0, pr = 0;
  if (padding == ej::Padding::Same) {
    ej::rules::same_padding(x[1], kh, sh, pt, pb);
    ej::rules::same_padding(x[2], kw, sw, pl, pr);
  }
  return {x[0],
          x[1],
          x[2],
          x[3],
          ej::rules::window_count(x[1], kh, sh, pt, pb),
          ej::rules::window_count(x[2], kw, sw, pl, pr),
          kh,
          kw,
          sh,
          sw,
          pt,
          pl};
}

// Bit for bit: the host computes Window.h's functions in the element type.
template <class T>
void expect_bits(const Tensor &want, const std::vector<T> &got,
                 const std::string &what) {
  std::vector<T> w = want.to_vector<T>();
  ASSERT_EQ(w.size(), got.size()) << what;
  int bad = 0;
  for (size_t i = 0; i < w.size() && bad < 5; ++i)
    if (!(w[i] == got[i] || (std::isnan(w[i]) && std::isnan(got[i])))) {
      ++bad;
      ADD_FAILURE() << what << " at " << i << ": CPU kernel " << w[i]
                    << ", Window.h " << got[i];
    }
}

struct PoolCase {
  ref::Shape x;
  int64_t kh, kw, sh, sw;
  ej::Padding padding;
};

template <class T> void check_pooling(ej::DType dtype, unsigned seed) {
  const PoolCase cases[] = {
      {{2, 9, 8, 3}, 2, 2, 2, 2, ej::Padding::Valid},
      {{2, 9, 8, 3}, 3, 3, 2, 2, ej::Padding::Same},
      {{1, 7, 10, 5}, 3, 2, 1, 3, ej::Padding::Same},
      {{2, 5, 5, 2}, 3, 3, 1, 1, ej::Padding::Same}, // overlapping windows
  };
  for (const PoolCase &c : cases) {
    // Repeated values, so that first maxima and ties are exercised.
    Tensor x =
        ref::tensor(ref::integers(ref::numel(c.x), -4, 4, seed++), c.x, dtype);
    Geometry g = geometry(c.x, c.kh, c.kw, c.sh, c.sw, c.padding);
    std::vector<T> xs = x.to_vector<T>();
    for (bool max : {true, false}) {
      auto pool = [&](const Tensor &v) {
        return max ? ej::max_pool2d(v, {c.kh, c.kw}, {c.sh, c.sw}, c.padding)
                   : ej::avg_pool2d(v, {c.kh, c.kw}, {c.sh, c.sw}, c.padding);
      };
      Tensor y = pool(x);
      ASSERT_EQ(y.shape(), (ref::Shape{g.n, g.oh, g.ow, g.c}));
      Tensor gy = ref::tensor(
          ref::uniform(ref::numel(y.shape()), -2, 2, seed++), y.shape(), dtype);
      ej::GradientTape tape;
      tape.watch(x);
      Tensor dx = tape.gradient(ej::reduce_sum(ej::mul(pool(x), gy)), x);
      std::vector<T> gys = gy.to_vector<T>(), out, grad;
      for (int64_t b = 0; b < g.n; ++b)
        for (int64_t oy = 0; oy < g.oh; ++oy)
          for (int64_t ox = 0; ox < g.ow; ++ox)
            for (int64_t ch = 0; ch < g.c; ++ch)
              out.push_back(
                  max ? window::max_pool(xs.data(), g, b, oy, ox, ch)
                      : window::avg_pool(xs.data(), g, b, oy, ox, ch));
      for (int64_t b = 0; b < g.n; ++b)
        for (int64_t iy = 0; iy < g.h; ++iy)
          for (int64_t ix = 0; ix < g.w; ++ix)
            for (int64_t ch = 0; ch < g.c; ++ch)
              grad.push_back(
                  max ? window::max_pool_grad(xs.data(), gys.data(), g, b, iy,
                                              ix, ch)
                      : window::avg_pool_grad(gys.data(), g, b, iy, ix, ch));
      std::string what = std::string(max ? "max_pool " : "avg_pool ") +
                         ej::dtype_name(dtype) + " " + ej::shape_str(c.x) +
                         " window " + std::to_string(c.kh) + "x" +
                         std::to_string(c.kw);
      expect_bits(y, out, what);
      expect_bits(dx, grad, what + " gradient");
    }
  }
}

TEST(Window, PoolingAndItsGradientsGiveTheCpuKernelsBits) {
  check_pooling<float>(ej::float32, 10);
  check_pooling<double>(ej::float64, 50);
}

// The patch matrix of x (a row per output position, kh * kw * c columns).
std::vector<double> patches(const std::vector<double> &x, const Geometry &g) {
  const int64_t rows = g.n * g.oh * g.ow, width = g.kh * g.kw * g.c;
  std::vector<double> col(size_t(rows * width));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < width; ++k)
      col[size_t(r * width + k)] = window::patch(x.data(), g, r, k);
  return col;
}

// conv2d and both gradients from Window.h's patches and plain float64
// products, against the CPU's float64 kernels (im2col and BLAS: the sums
// associate differently, so within rounding of the terms' magnitudes).
TEST(Window, PatchesGiveTheCpuConvolutionsAndTheirGradients) {
  struct Case {
    ref::Shape x, w;
    int64_t sh, sw;
    ej::Padding padding;
  };
  const Case cases[] = {
      {{2, 9, 8, 3}, {3, 3, 3, 4}, 1, 1, ej::Padding::Same},
      {{3, 11, 7, 2}, {3, 2, 2, 5}, 2, 3, ej::Padding::Same},
      {{1, 10, 9, 1}, {4, 3, 1, 2}, 2, 2, ej::Padding::Valid},
  };
  unsigned seed = 90;
  for (const Case &c : cases) {
    Tensor x = ref::tensor(ref::uniform(ref::numel(c.x), -1, 1, seed++), c.x,
                           ej::float64);
    Tensor w = ref::tensor(ref::uniform(ref::numel(c.w), -1, 1, seed++), c.w,
                           ej::float64);
    Geometry g = geometry(c.x, c.w[0], c.w[1], c.sh, c.sw, c.padding);
    const int64_t rows = g.n * g.oh * g.ow, width = g.kh * g.kw * g.c,
                  o = c.w[3];
    Tensor gy = ref::tensor(ref::uniform(rows * o, -1, 1, seed++),
                            {g.n, g.oh, g.ow, o}, ej::float64);
    ej::GradientTape tape;
    tape.watch(x);
    tape.watch(w);
    Tensor y = ej::conv2d(x, w, {c.sh, c.sw}, c.padding);
    std::vector<Tensor> d =
        tape.gradient(ej::reduce_sum(ej::mul(y, gy)), {x, w});

    std::vector<double> col = patches(ref::values(x), g), f = ref::values(w),
                        dy = ref::values(gy);
    std::vector<double> out(size_t(rows * o)), dcol(size_t(rows * width)),
        df(size_t(width * o));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < width; ++k)
        for (int64_t j = 0; j < o; ++j) {
          out[size_t(r * o + j)] +=
              col[size_t(r * width + k)] * f[size_t(k * o + j)];
          dcol[size_t(r * width + k)] +=
              dy[size_t(r * o + j)] * f[size_t(k * o + j)];
          df[size_t(k * o + j)] +=
              col[size_t(r * width + k)] * dy[size_t(r * o + j)];
        }
    std::vector<double> dx;
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t iy = 0; iy < g.h; ++iy)
        for (int64_t ix = 0; ix < g.w; ++ix)
          for (int64_t ch = 0; ch < g.c; ++ch)
            dx.push_back(window::unpatch(dcol.data(), g, b, iy, ix, ch));
    // Terms are below 1 in magnitude, sums of at most a few hundred: their
    // rounding stays far below 1e-12.
    SCOPED_TRACE(ej::shape_str(c.x) + " * " + ej::shape_str(c.w));
    ref::expect_close(out, ref::values(y), 0, 1e-12);
    ref::expect_close(dx, ref::values(d[0]), 0, 1e-12);
    ref::expect_close(df, ref::values(d[1]), 0, 1e-12);
  }
}

} // namespace
