//===- PoolKernels.cpp - max and average pooling and their gradients ------===//
//
// NHWC: each output position reads its window's rows of C contiguous
// channels, so the inner loops run over channels. Windows are clipped to
// the input (padding takes no part). Gradients scatter into the input's
// positions; they split the batch across threads, one image per task,
// since windows of one image may overlap.
//
//===----------------------------------------------------------------------===//
#include "lib/ShapeRules.h"
#include "runtime/cpu/Kernels.h"
#include "runtime/cpu/Parallel.h"
#include "runtime/cpu/RowMajor.h"
#include "runtime/cpu/Window.h"

#include <cstring>
#include <vector>

namespace ej::runtime {
using detail::Record;
using detail::TensorImpl;

namespace {

// Input (N, H, W, C), output (N, OH, OW, C), and the window.
struct Pool {
  int64_t n, h, w, c, oh, ow;
  rules::Window2D win;
  // The input rows [y0, y1) and columns [x0, x1) under output (oy, ox),
  // as the GPU's kernels clip them.
  void clip(int64_t oy, int64_t ox, int64_t &y0, int64_t &y1, int64_t &x0,
            int64_t &x1) const {
    window::clip(
        {n, h, w, c, oh, ow, win.kh, win.kw, win.sh, win.sw, win.pt, win.pl},
        oy, ox, y0, y1, x0, x1);
  }
};

Pool geometry(const Record &r, const int64_t *x, const int64_t *y) {
  const int64_t *a = r.attrs.ints;
  return {x[0],
          x[1],
          x[2],
          x[3],
          y[1],
          y[2],
          {a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]}};
}

// Calls f(image) for every image, in parallel when the work is large.
template <class F> void per_image(const Pool &g, F &&f) {
  int64_t work = std::max<int64_t>(g.h * g.w * g.c, 1);
  parallel_for(g.n, std::max<int64_t>(1, kParallelGrain / work),
               [&](int64_t b, int64_t e) {
                 for (int64_t i = b; i < e; ++i)
                   f(i);
               });
}

template <class T> void zero(TensorImpl *t) {
  std::memset(t->data(), 0, size_t(t->numel) * sizeof(T));
}

constexpr unsigned kFloats = math::kFloat32 | math::kFloat64;

} // namespace

void kernel_MaxPool(Record &r) {
  RowMajor x(r.input(0));
  TensorImpl *out = r.result;
  detail::allocate(out);
  Pool g = geometry(r, r.input(0)->shape, out->shape);
  dispatch<kFloats>(out->dtype, "max_pool", [&](auto tag) {
    using T = decltype(tag);
    const T *in = x.as<T>();
    T *y = out->data_as<T>();
    per_image(g, [&](int64_t i) {
      const T *image = in + i * g.h * g.w * g.c;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          T *dst = y + ((i * g.oh + oy) * g.ow + ox) * g.c;
          int64_t y0, y1, x0, x1;
          g.clip(oy, ox, y0, y1, x0, x1);
          std::memcpy(dst, image + (y0 * g.w + x0) * g.c,
                      size_t(g.c) * sizeof(T));
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) {
              const T *src = image + (iy * g.w + ix) * g.c;
              for (int64_t c = 0; c < g.c; ++c)
                dst[c] = src[c] > dst[c] ? src[c] : dst[c];
            }
        }
    });
  });
}

void kernel_MaxPoolGrad(Record &r) {
  RowMajor x(r.input(0)), dy(r.input(1));
  TensorImpl *out = r.result;
  detail::allocate(out);
  Pool g = geometry(r, r.input(0)->shape, r.input(1)->shape);
  dispatch<kFloats>(out->dtype, "max_pool_grad", [&](auto tag) {
    using T = decltype(tag);
    zero<T>(out);
    const T *in = x.as<T>(), *gy = dy.as<T>();
    T *dx = out->data_as<T>();
    per_image(g, [&](int64_t i) {
      std::vector<T> best(size_t(g.c));
      std::vector<int64_t> at(size_t(g.c));
      const int64_t image = i * g.h * g.w * g.c;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          int64_t y0, y1, x0, x1;
          g.clip(oy, ox, y0, y1, x0, x1);
          // The first maximum in row-major window order, per channel.
          for (int64_t c = 0; c < g.c; ++c) {
            at[size_t(c)] = image + (y0 * g.w + x0) * g.c + c;
            best[size_t(c)] = in[at[size_t(c)]];
          }
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) {
              int64_t base = image + (iy * g.w + ix) * g.c;
              for (int64_t c = 0; c < g.c; ++c)
                if (in[base + c] > best[size_t(c)]) {
                  best[size_t(c)] = in[base + c];
                  at[size_t(c)] = base + c;
                }
            }
          const T *src = gy + ((i * g.oh + oy) * g.ow + ox) * g.c;
          for (int64_t c = 0; c < g.c; ++c)
            dx[at[size_t(c)]] += src[c];
        }
    });
  });
}

void kernel_AvgPool(Record &r) {
  RowMajor x(r.input(0));
  TensorImpl *out = r.result;
  detail::allocate(out);
  Pool g = geometry(r, r.input(0)->shape, out->shape);
  dispatch<kFloats>(out->dtype, "avg_pool", [&](auto tag) {
    using T = decltype(tag);
    const T *in = x.as<T>();
    T *y = out->data_as<T>();
    per_image(g, [&](int64_t i) {
      const T *image = in + i * g.h * g.w * g.c;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          T *dst = y + ((i * g.oh + oy) * g.ow + ox) * g.c;
          int64_t y0, y1, x0, x1;
          g.clip(oy, ox, y0, y1, x0, x1);
          std::memset(dst, 0, size_t(g.c) * sizeof(T));
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) {
              const T *src = image + (iy * g.w + ix) * g.c;
              for (int64_t c = 0; c < g.c; ++c)
                dst[c] += src[c];
            }
          T scale = T(1) / T((y1 - y0) * (x1 - x0));
          for (int64_t c = 0; c < g.c; ++c)
            dst[c] *= scale;
        }
    });
  });
}

void kernel_AvgPoolGrad(Record &r) {
  RowMajor dy(r.input(0));
  TensorImpl *out = r.result; // the pooled input's cotangent
  detail::allocate(out);
  Pool g = geometry(r, out->shape, r.input(0)->shape);
  dispatch<kFloats>(out->dtype, "avg_pool_grad", [&](auto tag) {
    using T = decltype(tag);
    zero<T>(out);
    const T *gy = dy.as<T>();
    T *dx = out->data_as<T>();
    per_image(g, [&](int64_t i) {
      T *image = dx + i * g.h * g.w * g.c;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const T *src = gy + ((i * g.oh + oy) * g.ow + ox) * g.c;
          int64_t y0, y1, x0, x1;
          g.clip(oy, ox, y0, y1, x0, x1);
          T scale = T(1) / T((y1 - y0) * (x1 - x0));
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) {
              T *d = image + (iy * g.w + ix) * g.c;
              for (int64_t c = 0; c < g.c; ++c)
                d[c] += src[c] * scale;
            }
        }
    });
  });
}

} // namespace ej::runtime
