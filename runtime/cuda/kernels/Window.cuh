//===- Window.cuh - Convolution patches and pooling -----------------------===//
//
// CUDA C, compiled by NVRTC after Args.h, Common.cuh, HostDevice.h and
// Window.h (runtime/cuda/KernelSource.cpp). Grid-stride loops, a thread
// per result element, each computed by runtime/cpu/Window.h's functions:
// the pooling ops and their gradients over NHWC results, the patch matrix
// of a chunk of images (conv2d's and conv2d_backprop_filter's GEMM
// operand), and a patch matrix added back into the input's positions
// (conv2d_backprop_input).
//
//===----------------------------------------------------------------------===//

namespace ej::cuda {

__device__ __forceinline__ ej::runtime::window::Geometry
geometry_of(const WindowArgs &p) {
  return {p.images, p.h,  p.w,  p.c,  p.oh, p.ow,
          p.kh,     p.kw, p.sh, p.sw, p.pt, p.pl};
}

/// Output elements (b, oy, ox, ch): max_pool or avg_pool.
template <class T, bool Max> __device__ void pool(const WindowArgs &p) {
  namespace w = ej::runtime::window;
  const w::Geometry g = geometry_of(p);
  const T *x = static_cast<const T *>(p.x);
  T *out = static_cast<T *>(p.out);
  for (long long i = first_index<long long>(); i < p.n;
       i += grid_step<long long>()) {
    long long ch = i % g.c, ox = (i / g.c) % g.ow,
              oy = (i / (g.c * g.ow)) % g.oh, b = i / (g.c * g.ow * g.oh);
    out[i] = Max ? w::max_pool(x, g, b, oy, ox, ch)
                 : w::avg_pool(x, g, b, oy, ox, ch);
  }
}

/// Input elements (b, iy, ix, ch): max_pool_grad or avg_pool_grad.
template <class T, bool Max> __device__ void pool_grad(const WindowArgs &p) {
  namespace w = ej::runtime::window;
  const w::Geometry g = geometry_of(p);
  const T *x = static_cast<const T *>(p.x), *gy = static_cast<const T *>(p.g);
  T *out = static_cast<T *>(p.out);
  for (long long i = first_index<long long>(); i < p.n;
       i += grid_step<long long>()) {
    long long ch = i % g.c, ix = (i / g.c) % g.w, iy = (i / (g.c * g.w)) % g.h,
              b = i / (g.c * g.w * g.h);
    out[i] = Max ? w::max_pool_grad(x, gy, g, b, iy, ix, ch)
                 : w::avg_pool_grad(gy, g, b, iy, ix, ch);
  }
}

/// The patch matrix of the images at `x`.
template <class T> __device__ void patches(const WindowArgs &p) {
  namespace w = ej::runtime::window;
  const w::Geometry g = geometry_of(p);
  const T *x = static_cast<const T *>(p.x);
  T *out = static_cast<T *>(p.out);
  const long long width = g.kh * g.kw * g.c;
  for (long long i = first_index<long long>(); i < p.n;
       i += grid_step<long long>())
    out[i] = w::patch(x, g, i / width, i % width);
}

/// The input elements of the images whose patch matrix is `x`.
template <class T> __device__ void unpatches(const WindowArgs &p) {
  namespace w = ej::runtime::window;
  const w::Geometry g = geometry_of(p);
  const T *cols = static_cast<const T *>(p.x);
  T *out = static_cast<T *>(p.out);
  for (long long i = first_index<long long>(); i < p.n;
       i += grid_step<long long>()) {
    long long ch = i % g.c, ix = (i / g.c) % g.w, iy = (i / (g.c * g.w)) % g.h,
              b = i / (g.c * g.w * g.h);
    out[i] = w::unpatch(cols, g, b, iy, ix, ch);
  }
}

} // namespace ej::cuda
