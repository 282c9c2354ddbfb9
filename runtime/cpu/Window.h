//===- Window.h - Pooling and patches, one element at a time ----*- C++ -*-===//
//
// The GPU's convolution and pooling kernels compute each element of their
// result on its own, as these functions do; the CUDA kernels embed this
// header as text (runtime/cuda/KernelSource.cpp). The host compiles it
// too: the unit tests check every function against the CPU kernels, bit
// for bit, which checks the GPU's index arithmetic without a GPU.
//
// NHWC tensors. Results that the CPU kernels scatter (the gradients, the
// patches' sums) are gathered here, in the order the CPU adds them: window
// positions row by row. Products are rounded before they are added
// (mul_rn, add_rn), as the host computes them.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_WINDOW_H
#define EJ_RUNTIME_CPU_WINDOW_H

#ifndef __CUDACC_RTC__
#include "runtime/cpu/HostDevice.h"
#endif

namespace ej::runtime::window {

/// Input (n, h, w, c); oh x ow window positions of kh x kw, strides sh and
/// sw, padding pt and pl before the first row and column (the padding
/// after is what oh and ow leave).
struct Geometry {
  int64_t n, h, w, c, oh, ow;
  int64_t kh, kw, sh, sw, pt, pl;
};

EJ_HOST_DEVICE int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
EJ_HOST_DEVICE int64_t max64(int64_t a, int64_t b) { return a < b ? b : a; }

/// The input rows [y0, y1) and columns [x0, x1) under output (oy, ox),
/// clipped to the input (padding takes no part).
EJ_HOST_DEVICE void clip(const Geometry &g, int64_t oy, int64_t ox, int64_t &y0,
                         int64_t &y1, int64_t &x0, int64_t &x1) {
  y0 = oy * g.sh - g.pt;
  x0 = ox * g.sw - g.pl;
  y1 = min64(y0 + g.kh, g.h);
  x1 = min64(x0 + g.kw, g.w);
  y0 = max64(y0, 0);
  x0 = max64(x0, 0);
}

/// The window positions [o0, o1) along an axis (window k, stride s,
/// padding p, `out` positions) whose windows hold input index i.
EJ_HOST_DEVICE void covering(int64_t i, int64_t k, int64_t s, int64_t p,
                             int64_t out, int64_t &o0, int64_t &o1) {
  // o * s - p <= i < o * s - p + k
  int64_t low = i + p - k + 1;
  o0 = low <= 0 ? 0 : (low + s - 1) / s;
  o1 = min64(out, (i + p) / s + 1);
}

/// The offset of element (b, y, x, ch) of the input.
EJ_HOST_DEVICE int64_t at(const Geometry &g, int64_t b, int64_t y, int64_t x,
                          int64_t ch) {
  return ((b * g.h + y) * g.w + x) * g.c + ch;
}

/// max_pool at output (b, oy, ox, ch): the first maximum in row-major
/// window order (a NaN wins only as the first element).
template <class T>
EJ_HOST_DEVICE T max_pool(const T *x, const Geometry &g, int64_t b, int64_t oy,
                          int64_t ox, int64_t ch) {
  int64_t y0, y1, x0, x1;
  clip(g, oy, ox, y0, y1, x0, x1);
  T best = x[at(g, b, y0, x0, ch)];
  for (int64_t iy = y0; iy < y1; ++iy)
    for (int64_t ix = x0; ix < x1; ++ix) {
      T v = x[at(g, b, iy, ix, ch)];
      best = v > best ? v : best;
    }
  return best;
}

/// The input offset max_pool_grad credits for output (b, oy, ox, ch): the
/// first maximum's.
template <class T>
EJ_HOST_DEVICE int64_t max_pool_source(const T *x, const Geometry &g, int64_t b,
                                       int64_t oy, int64_t ox, int64_t ch) {
  int64_t y0, y1, x0, x1;
  clip(g, oy, ox, y0, y1, x0, x1);
  int64_t where = at(g, b, y0, x0, ch);
  T best = x[where];
  for (int64_t iy = y0; iy < y1; ++iy)
    for (int64_t ix = x0; ix < x1; ++ix) {
      int64_t o = at(g, b, iy, ix, ch);
      if (x[o] > best) {
        best = x[o];
        where = o;
      }
    }
  return where;
}

/// max_pool_grad at input (b, iy, ix, ch): the output cotangents `gy` of
/// the windows whose first maximum it is.
template <class T>
EJ_HOST_DEVICE T max_pool_grad(const T *x, const T *gy, const Geometry &g,
                               int64_t b, int64_t iy, int64_t ix, int64_t ch) {
  int64_t oy0, oy1, ox0, ox1;
  covering(iy, g.kh, g.sh, g.pt, g.oh, oy0, oy1);
  covering(ix, g.kw, g.sw, g.pl, g.ow, ox0, ox1);
  const int64_t self = at(g, b, iy, ix, ch);
  T sum = T(0);
  for (int64_t oy = oy0; oy < oy1; ++oy)
    for (int64_t ox = ox0; ox < ox1; ++ox)
      if (max_pool_source(x, g, b, oy, ox, ch) == self)
        sum = add_rn(sum, gy[((b * g.oh + oy) * g.ow + ox) * g.c + ch]);
  return sum;
}

/// 1 / the number of input elements under output (oy, ox).
template <class T>
EJ_HOST_DEVICE T avg_pool_scale(const Geometry &g, int64_t oy, int64_t ox) {
  int64_t y0, y1, x0, x1;
  clip(g, oy, ox, y0, y1, x0, x1);
  return T(1) / T((y1 - y0) * (x1 - x0));
}

/// avg_pool at output (b, oy, ox, ch).
template <class T>
EJ_HOST_DEVICE T avg_pool(const T *x, const Geometry &g, int64_t b, int64_t oy,
                          int64_t ox, int64_t ch) {
  int64_t y0, y1, x0, x1;
  clip(g, oy, ox, y0, y1, x0, x1);
  T sum = T(0);
  for (int64_t iy = y0; iy < y1; ++iy)
    for (int64_t ix = x0; ix < x1; ++ix)
      sum = add_rn(sum, x[at(g, b, iy, ix, ch)]);
  return mul_rn(sum, avg_pool_scale<T>(g, oy, ox));
}

/// avg_pool_grad at input (b, iy, ix, ch).
template <class T>
EJ_HOST_DEVICE T avg_pool_grad(const T *gy, const Geometry &g, int64_t b,
                               int64_t iy, int64_t ix, int64_t ch) {
  int64_t oy0, oy1, ox0, ox1;
  covering(iy, g.kh, g.sh, g.pt, g.oh, oy0, oy1);
  covering(ix, g.kw, g.sw, g.pl, g.ow, ox0, ox1);
  T sum = T(0);
  for (int64_t oy = oy0; oy < oy1; ++oy)
    for (int64_t ox = ox0; ox < ox1; ++ox)
      sum = add_rn(sum, mul_rn(gy[((b * g.oh + oy) * g.ow + ox) * g.c + ch],
                               avg_pool_scale<T>(g, oy, ox)));
  return sum;
}

/// Element (row, col) of the patch matrix of the images at `x`: a row per
/// output position (b, oy, ox), kh * kw * c columns (ky, kx, ch); zero
/// where the window reaches into the padding.
template <class T>
EJ_HOST_DEVICE T patch(const T *x, const Geometry &g, int64_t row,
                       int64_t col) {
  const int64_t ch = col % g.c, kx = (col / g.c) % g.kw,
                ky = col / (g.c * g.kw);
  const int64_t ox = row % g.ow, oy = (row / g.ow) % g.oh,
                b = row / (g.ow * g.oh);
  const int64_t iy = oy * g.sh - g.pt + ky, ix = ox * g.sw - g.pl + kx;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
    return T(0);
  return x[at(g, b, iy, ix, ch)];
}

/// Input element (b, iy, ix, ch) of the patch matrix `cols` (as `patch`
/// lays it out) added back into the positions its elements came from, in
/// the order of the patches' rows.
template <class T>
EJ_HOST_DEVICE T unpatch(const T *cols, const Geometry &g, int64_t b,
                         int64_t iy, int64_t ix, int64_t ch) {
  int64_t oy0, oy1, ox0, ox1;
  covering(iy, g.kh, g.sh, g.pt, g.oh, oy0, oy1);
  covering(ix, g.kw, g.sw, g.pl, g.ow, ox0, ox1);
  const int64_t width = g.kh * g.kw * g.c;
  T sum = T(0);
  for (int64_t oy = oy0; oy < oy1; ++oy)
    for (int64_t ox = ox0; ox < ox1; ++ox) {
      const int64_t ky = iy + g.pt - oy * g.sh, kx = ix + g.pl - ox * g.sw;
      const int64_t row = (b * g.oh + oy) * g.ow + ox;
      sum = add_rn(sum, cols[row * width + (ky * g.kw + kx) * g.c + ch]);
    }
  return sum;
}

} // namespace ej::runtime::window

#endif // EJ_RUNTIME_CPU_WINDOW_H
