//===- ConvKernels.cpp - conv2d and its gradients: im2col and BLAS --------===//
//
// NHWC input, HWIO filter. A batch is cut into chunks of images whose
// patch matrix (one row per output position, KH*KW*C columns) stays under
// kColumnBudget elements; each chunk is one GEMM with the filter seen as a
// (KH*KW*C, O) matrix:
//   conv2d                  out[M, O]  = col[M, K] x filter[K, O]
//   conv2d_backprop_input   dcol[M, K] = g[M, O] x filter^T, added back
//                           into the input's positions (col2im)
//   conv2d_backprop_filter  df[K, O]  += col^T x g[M, O]
// A 1x1 filter with unit strides and no padding uses the input as the
// patch matrix. float32 convolutions run in oneDNN instead (DnnlConv.h),
// which bench/RESULTS.md measured faster; this path serves float64.
//
//===----------------------------------------------------------------------===//
#include "lib/ShapeRules.h"
#include "runtime/cpu/DnnlConv.h"
#include "runtime/cpu/Kernels.h"
#include "runtime/cpu/Parallel.h"
#include "runtime/cpu/RowMajor.h"

#include <cblas.h>
#include <cstring>

namespace ej::runtime {
using detail::Record;
using detail::TensorImpl;

namespace {

constexpr int64_t kColumnBudget = int64_t(1) << 22;

// C[m, n] = op(A)[m, k] x op(B)[k, n] + beta C, row-major.
template <class T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T *a,
          int64_t lda, const T *b, int64_t ldb, T beta, T *c, int64_t ldc) {
  if (m == 0 || n == 0)
    return;
  auto oa = ta ? CblasTrans : CblasNoTrans, ob = tb ? CblasTrans : CblasNoTrans;
  lda = std::max<int64_t>(lda, 1);
  ldb = std::max<int64_t>(ldb, 1);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, oa, ob, int(m), int(n), int(k), 1.0f, a,
                int(lda), b, int(ldb), beta, c, int(ldc));
  else
    cblas_dgemm(CblasRowMajor, oa, ob, int(m), int(n), int(k), 1.0, a, int(lda),
                b, int(ldb), beta, c, int(ldc));
}

// The geometry of a convolution: input (N, H, W, C), output (N, OH, OW, O).
struct Conv {
  int64_t n, h, w, c, oh, ow, o;
  rules::Window2D win;
  int64_t k() const { return win.kh * win.kw * c; }
  int64_t positions() const { return oh * ow; }
  bool direct() const {
    return win.kh == 1 && win.kw == 1 && win.sh == 1 && win.sw == 1 &&
           win.pt == 0 && win.pb == 0 && win.pl == 0 && win.pr == 0;
  }
  // Images per chunk.
  int64_t chunk() const {
    int64_t per_image = std::max<int64_t>(positions() * k(), 1);
    return std::max<int64_t>(1, kColumnBudget / per_image);
  }
};

Conv geometry(const Record &r, const int64_t *x, const int64_t *f,
              const int64_t *y) {
  Conv g{x[0], x[1], x[2], x[3], y[1], y[2], f[3], {}};
  const int64_t *a = r.attrs.ints;
  g.win = {f[0], f[1], a[0], a[1], a[2], a[3], a[4], a[5]};
  return g;
}

// Rows [row0, row1) of the patch matrix of images [img0, ...): row
// (i, oy, ox) holds the KH*KW*C input elements under output (oy, ox) of
// image img0 + i, zeros where the window hangs over the padding.
template <class T>
void im2col(const Conv &g, const T *x, int64_t img0, int64_t row0, int64_t row1,
            T *col) {
  const rules::Window2D &w = g.win;
  const int64_t k = g.k();
  for (int64_t row = row0; row < row1; ++row) {
    int64_t img = img0 + row / g.positions(), pos = row % g.positions();
    int64_t oy = pos / g.ow, ox = pos % g.ow;
    T *dst = col + row * k;
    for (int64_t p = 0; p < w.kh; ++p) {
      int64_t iy = oy * w.sh + p - w.pt;
      for (int64_t q = 0; q < w.kw; ++q, dst += g.c) {
        int64_t ix = ox * w.sw + q - w.pl;
        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
          std::memset(dst, 0, size_t(g.c) * sizeof(T));
        else
          std::memcpy(dst, x + ((img * g.h + iy) * g.w + ix) * g.c,
                      size_t(g.c) * sizeof(T));
      }
    }
  }
}

// Adds the patch matrix rows of images [img0, img1) back into dx (the
// adjoint of im2col). One image per task: windows overlap within an image.
template <class T>
void col2im(const Conv &g, const T *col, int64_t img0, int64_t img1, T *dx) {
  const rules::Window2D &w = g.win;
  const int64_t k = g.k();
  int64_t grain = std::max<int64_t>(
      1, kParallelGrain / std::max<int64_t>(g.positions() * k, 1));
  parallel_for(img1 - img0, grain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T *image = dx + (img0 + i) * g.h * g.w * g.c;
      const T *src = col + i * g.positions() * k;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox)
          for (int64_t p = 0; p < w.kh; ++p) {
            int64_t iy = oy * w.sh + p - w.pt;
            for (int64_t q = 0; q < w.kw; ++q, src += g.c) {
              int64_t ix = ox * w.sw + q - w.pl;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
                continue;
              T *d = image + (iy * g.w + ix) * g.c;
              for (int64_t c = 0; c < g.c; ++c)
                d[c] += src[c];
            }
          }
    }
  });
}

// The patch matrix of images [img0, img0 + count) into col.
template <class T>
void fill_columns(const Conv &g, const T *x, int64_t img0, int64_t count,
                  T *col) {
  int64_t rows = count * g.positions();
  int64_t grain =
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(g.k(), 1));
  parallel_for(rows, grain,
               [&](int64_t b, int64_t e) { im2col(g, x, img0, b, e, col); });
}

// float32 convolutions go to oneDNN (DnnlConv.h); this says whether `g`
// does, and how oneDNN sees it.
bool use_dnnl(DType dtype, const Conv &g) {
  return dtype == float32 && dnnl_conv::enabled() && g.n > 0 && g.h > 0 &&
         g.w > 0 && g.c > 0 && g.o > 0;
}

dnnl_conv::Shape dnnl_shape(const Conv &g) {
  const rules::Window2D &w = g.win;
  return {g.n,  g.h,  g.w,  g.c,  g.o,  g.oh, g.ow, w.kh,
          w.kw, w.sh, w.sw, w.pt, w.pb, w.pl, w.pr};
}

template <class T> T *scratch(Storage *&s, const Conv &g) {
  if (!s)
    s = allocate_storage(
        size_t(std::min(g.chunk(), g.n) * g.positions() * g.k()) * sizeof(T));
  return static_cast<T *>(s->data);
}

} // namespace

void kernel_Conv2D(Record &r) {
  const TensorImpl *xi = r.input(0), *fi = r.input(1);
  TensorImpl *out = r.result;
  detail::allocate(out);
  Conv g = geometry(r, xi->shape, fi->shape, out->shape);
  RowMajor x(xi), f(fi);
  if (use_dnnl(out->dtype, g))
    return dnnl_conv::run(dnnl_conv::Pass::Forward, dnnl_shape(g),
                          const_cast<float *>(x.as<float>()),
                          const_cast<float *>(f.as<float>()),
                          out->data_as<float>());
  dispatch<math::kFloat32 | math::kFloat64>(
      out->dtype, "conv2d", [&](auto tag) {
        using T = decltype(tag);
        T *y = out->data_as<T>();
        const int64_t k = g.k(), m_image = g.positions();
        if (g.direct()) {
          gemm<T>(false, false, g.n * m_image, g.o, k, x.as<T>(), k, f.as<T>(),
                  g.o, T(0), y, g.o);
          return;
        }
        Storage *col_storage = nullptr;
        for (int64_t img = 0; img < g.n; img += g.chunk()) {
          int64_t count = std::min(g.chunk(), g.n - img);
          T *col = scratch<T>(col_storage, g);
          fill_columns(g, x.as<T>(), img, count, col);
          gemm<T>(false, false, count * m_image, g.o, k, col, k, f.as<T>(), g.o,
                  T(0), y + img * m_image * g.o, g.o);
        }
        if (col_storage)
          release(col_storage);
      });
}

void kernel_Conv2DBackpropInput(Record &r) {
  const TensorImpl *gi = r.input(0), *fi = r.input(1);
  TensorImpl *out = r.result; // the input's cotangent
  detail::allocate(out);
  Conv g = geometry(r, out->shape, fi->shape, gi->shape);
  RowMajor dy(gi), f(fi);
  if (use_dnnl(out->dtype, g))
    return dnnl_conv::run(dnnl_conv::Pass::BackwardData, dnnl_shape(g),
                          out->data_as<float>(),
                          const_cast<float *>(f.as<float>()),
                          const_cast<float *>(dy.as<float>()));
  dispatch<math::kFloat32 | math::kFloat64>(
      out->dtype, "conv2d_backprop_input", [&](auto tag) {
        using T = decltype(tag);
        T *dx = out->data_as<T>();
        const int64_t k = g.k(), m_image = g.positions();
        if (g.direct()) {
          gemm<T>(false, true, g.n * m_image, k, g.o, dy.as<T>(), g.o,
                  f.as<T>(), g.o, T(0), dx, k);
          return;
        }
        std::memset(dx, 0, size_t(out->numel) * sizeof(T));
        Storage *col_storage = nullptr;
        for (int64_t img = 0; img < g.n; img += g.chunk()) {
          int64_t count = std::min(g.chunk(), g.n - img);
          T *col = scratch<T>(col_storage, g);
          gemm<T>(false, true, count * m_image, k, g.o,
                  dy.as<T>() + img * m_image * g.o, g.o, f.as<T>(), g.o, T(0),
                  col, k);
          col2im(g, col, img, img + count, dx);
        }
        if (col_storage)
          release(col_storage);
      });
}

void kernel_Conv2DBackpropFilter(Record &r) {
  const TensorImpl *xi = r.input(0), *gi = r.input(1);
  TensorImpl *out = r.result; // the filter's cotangent
  detail::allocate(out);
  Conv g = geometry(r, xi->shape, out->shape, gi->shape);
  RowMajor x(xi), dy(gi);
  if (use_dnnl(out->dtype, g))
    return dnnl_conv::run(dnnl_conv::Pass::BackwardWeights, dnnl_shape(g),
                          const_cast<float *>(x.as<float>()),
                          out->data_as<float>(),
                          const_cast<float *>(dy.as<float>()));
  dispatch<math::kFloat32 | math::kFloat64>(
      out->dtype, "conv2d_backprop_filter", [&](auto tag) {
        using T = decltype(tag);
        T *df = out->data_as<T>();
        const int64_t k = g.k(), m_image = g.positions();
        if (g.n == 0 || m_image == 0) {
          std::memset(df, 0, size_t(out->numel) * sizeof(T));
          return;
        }
        if (g.direct()) {
          gemm<T>(true, false, k, g.o, g.n * m_image, x.as<T>(), k, dy.as<T>(),
                  g.o, T(0), df, g.o);
          return;
        }
        Storage *col_storage = nullptr;
        for (int64_t img = 0; img < g.n; img += g.chunk()) {
          int64_t count = std::min(g.chunk(), g.n - img);
          T *col = scratch<T>(col_storage, g);
          fill_columns(g, x.as<T>(), img, count, col);
          gemm<T>(true, false, k, g.o, count * m_image, col, k,
                  dy.as<T>() + img * m_image * g.o, g.o, T(img == 0 ? 0 : 1),
                  df, g.o);
        }
        if (col_storage)
          release(col_storage);
      });
}

} // namespace ej::runtime
