//===- WindowKernels.cpp - Convolution and pooling on CUDA ----------------===//
//
// Pooling and its gradients: one kernel each, a thread per result element
// (runtime/cuda/kernels/Window.cuh). Convolutions: the patch matrix of a
// chunk of images (a row per output position, KH*KW*C columns) and cuBLAS,
// as the CPU's float64 path does (runtime/cpu/ConvKernels.cpp):
//   conv2d                  out[M, O]  = col[M, K] x filter[K, O]
//   conv2d_backprop_input   dcol[M, K] = g[M, O] x filter^T, whose elements
//                           are added back into the input's positions
//   conv2d_backprop_filter  df[K, O]  += col^T x g[M, O], chunk by chunk
// Inputs that are not row-major are copied first. The element functions
// are runtime/cpu/Window.h's, which the unit tests check against the CPU
// kernels.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Window.h"
#include "runtime/cuda/Cublas.h"
#include "runtime/cuda/Launch.h"

#include <algorithm>
#include <climits>
#include <optional>

namespace ej::cuda {
using detail::OpCode;
using detail::Record;
using detail::TensorImpl;

namespace {

// The most elements of a patch matrix at once (256 MB of float32, 512 MB
// of float64).
constexpr int64_t kPatchBudget = int64_t(1) << 26;

// A row-major view of an input: the input itself, or a copy that lives as
// long as this.
class Dense {
public:
  explicit Dense(const TensorImpl *t) {
    if (t->contiguous) {
      data_ = t->data();
      return;
    }
    const int64_t elsize = int64_t(dtype_size(t->dtype));
    copy_ = allocate_storage(t->device, size_t(t->numel * elsize));
    int64_t strides[detail::kMaxRank];
    row_major_strides(t->rank, t->shape, strides);
    cuda::copy(t->device, t->dtype,
               runtime::Operand{static_cast<char *>(copy_->data), elsize,
                                t->rank, t->shape, strides},
               runtime::operand(t), t->rank, t->shape);
    data_ = copy_->data;
  }
  ~Dense() {
    if (copy_)
      runtime::release(copy_);
  }
  Dense(const Dense &) = delete;
  Dense &operator=(const Dense &) = delete;
  const char *data() const { return static_cast<const char *>(data_); }

private:
  const void *data_ = nullptr;
  runtime::Storage *copy_ = nullptr;
};

// A scratch block of the device's allocator, released at scope exit.
struct Scratch {
  runtime::Storage *s;
  Scratch(int device, size_t bytes) : s(allocate_storage(device, bytes)) {}
  ~Scratch() { runtime::release(s); }
  Scratch(const Scratch &) = delete;
  Scratch &operator=(const Scratch &) = delete;
  char *data() const { return static_cast<char *>(s->data); }
};

// Input (N, H, W, C) `x`, window positions from `y` (N, OH, OW, ...); the
// window from `window` (kh, kw) and the op's ints from `a`: pooling's
// [kh, kw, sh, sw, pt, pb, pl, pr], a convolution's [sh, sw, pt, pb, pl,
// pr].
WindowArgs window_args(const int64_t *x, const int64_t *y, int64_t kh,
                       int64_t kw, const int64_t *a) {
  WindowArgs p{};
  p.images = x[0];
  p.h = x[1];
  p.w = x[2];
  p.c = x[3];
  p.oh = y[1];
  p.ow = y[2];
  p.kh = kh;
  p.kw = kw;
  p.sh = a[0];
  p.sw = a[1];
  p.pt = a[2];
  p.pl = a[4];
  return p;
}

void run(int device, OpCode op, DType dtype, WindowArgs &p) {
  if (p.n == 0)
    return;
  launch_with(device, kernel(device, {op, dtype}, Variant::Single),
              {blocks_for(device, p.n)}, {kBlock}, p);
}

// A convolution's shapes: M = positions * images, K = kh * kw * c.
struct Conv {
  WindowArgs p; // of the whole batch
  int64_t o;    // output channels
  int64_t positions() const { return p.oh * p.ow; }
  int64_t k() const { return p.kh * p.kw * p.c; }
  int64_t chunk() const {
    return std::max<int64_t>(1, kPatchBudget /
                                    std::max<int64_t>(positions() * k(), 1));
  }
};

Conv conv_of(const Record &r, const int64_t *x, const int64_t *f,
             const int64_t *y) {
  return {window_args(x, y, f[0], f[1], r.attrs.ints), f[3]};
}

// The patch matrix of images [img, img + count) of `x` into `col`.
void patches(int device, DType dtype, const Conv &g, const char *x, int64_t img,
             int64_t count, void *col) {
  WindowArgs p = g.p;
  p.images = count;
  p.x = x + img * p.h * p.w * p.c * int64_t(dtype_size(dtype));
  p.out = col;
  p.n = count * g.positions() * g.k();
  run(device, OpCode::Conv2D, dtype, p);
}

// A pooling op: `x` the pooled input (none for avg_pool_grad), `g` the
// windows' cotangent (the gradients'); `input` and `windows` the shapes of
// the input and of the pooled result.
void pool(Record &r, const TensorImpl *x, const TensorImpl *g,
          const int64_t *input, const int64_t *windows) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  std::optional<Dense> dense_x, dense_g;
  WindowArgs p = window_args(input, windows, r.attrs.ints[0], r.attrs.ints[1],
                             r.attrs.ints + 2);
  if (x)
    p.x = dense_x.emplace(x).data();
  if (g)
    p.g = dense_g.emplace(g).data();
  p.out = out->data();
  p.n = out->numel;
  run(out->device, r.op, out->dtype, p);
}

} // namespace

void kernel_MaxPool(Record &r) {
  pool(r, r.input(0), nullptr, r.input(0)->shape, r.result->shape);
}
void kernel_AvgPool(Record &r) {
  pool(r, r.input(0), nullptr, r.input(0)->shape, r.result->shape);
}
void kernel_MaxPoolGrad(Record &r) { // inputs: x, g
  pool(r, r.input(0), r.input(1), r.result->shape, r.input(1)->shape);
}
void kernel_AvgPoolGrad(Record &r) { // input: g
  pool(r, nullptr, r.input(0), r.result->shape, r.input(0)->shape);
}

namespace {

// Allocates a convolution's result; false when it is empty, or when it has
// no terms (`zeros`) and now holds zeros.
bool allocate_conv(TensorImpl *out, bool zeros) {
  detail::allocate(out);
  if (out->numel == 0)
    return false;
  if (zeros) {
    fill_bits(out->device, out->dtype, out->data(), out->numel, 0);
    return false;
  }
  return true;
}

// step(img, count, rows, scratch) for each chunk of `count` images from
// `img` (`rows` patch rows), `scratch` room for their patch matrix.
template <class Step>
void over_chunks(const TensorImpl *out, const Conv &g, Step &&step) {
  const int64_t chunk = std::min<int64_t>(g.chunk(), g.p.images);
  Scratch scratch(out->device, size_t(chunk * g.positions() * g.k()) *
                                   dtype_size(out->dtype));
  for (int64_t img = 0; img < g.p.images; img += chunk) {
    int64_t count = std::min<int64_t>(chunk, g.p.images - img);
    step(img, count, count * g.positions(), scratch.data());
  }
}

// cuBLAS's int dimensions, checked.
struct Dims {
  const char *op;
  int operator()(int64_t v) const {
    if (v > INT_MAX)
      throw Error(std::string(op) + ": a dimension of " + std::to_string(v) +
                  " is past what cuBLAS takes (" + std::to_string(INT_MAX) +
                  ")");
    return int(v);
  }
};

} // namespace

void kernel_Conv2D(Record &r) {
  TensorImpl *out = r.result;
  Conv g = conv_of(r, r.input(0)->shape, r.input(1)->shape, out->shape);
  if (!allocate_conv(out, g.k() == 0))
    return;
  Dense x(r.input(0)), f(r.input(1));
  const int64_t elsize = int64_t(dtype_size(out->dtype));
  Dims i{"conv2d"};
  over_chunks(out, g, [&](int64_t img, int64_t count, int64_t rows, char *col) {
    patches(out->device, out->dtype, g, x.data(), img, count, col);
    // Row-major out = col x f is column-major out^T = f^T col^T.
    gemm_strided_batched(
        out->device, out->dtype, i(g.o), i(rows), i(g.k()),
        {f.data(), false, i(g.o), 0}, {col, false, i(g.k()), 0},
        static_cast<char *>(out->data()) + img * g.positions() * g.o * elsize,
        i(g.o), 0, 1);
  });
}

void kernel_Conv2DBackpropInput(Record &r) {
  TensorImpl *out = r.result; // the input's cotangent
  Conv g = conv_of(r, out->shape, r.input(1)->shape, r.input(0)->shape);
  if (!allocate_conv(out, g.o == 0 || g.positions() == 0))
    return;
  Dense dy(r.input(0)), f(r.input(1));
  const int64_t elsize = int64_t(dtype_size(out->dtype));
  const int64_t image = g.p.h * g.p.w * g.p.c;
  Dims i{"conv2d_backprop_input"};
  over_chunks(
      out, g, [&](int64_t img, int64_t count, int64_t rows, char *dcol) {
        // Row-major dcol = g f^T is column-major dcol^T = f g^T.
        gemm_strided_batched(
            out->device, out->dtype, i(g.k()), i(rows), i(g.o),
            {f.data(), true, i(g.o), 0},
            {dy.data() + img * g.positions() * g.o * elsize, false, i(g.o), 0},
            dcol, i(g.k()), 0, 1);
        WindowArgs p = g.p;
        p.images = count;
        p.x = dcol;
        p.out = static_cast<char *>(out->data()) + img * image * elsize;
        p.n = count * image;
        run(out->device, r.op, out->dtype, p);
      });
}

void kernel_Conv2DBackpropFilter(Record &r) {
  TensorImpl *out = r.result; // the filter's cotangent
  Conv g = conv_of(r, r.input(0)->shape, out->shape, r.input(1)->shape);
  if (!allocate_conv(out, g.p.images == 0 || g.positions() == 0))
    return;
  Dense x(r.input(0)), dy(r.input(1));
  const int64_t elsize = int64_t(dtype_size(out->dtype));
  Dims i{"conv2d_backprop_filter"};
  over_chunks(out, g, [&](int64_t img, int64_t count, int64_t rows, char *col) {
    patches(out->device, out->dtype, g, x.data(), img, count, col);
    // Row-major df += col^T g is column-major df^T += g^T col.
    gemm_strided_batched(
        out->device, out->dtype, i(g.o), i(g.k()), i(rows),
        {dy.data() + img * g.positions() * g.o * elsize, false, i(g.o), 0},
        {col, true, i(g.k()), 0}, out->data(), i(g.o), 0, 1,
        /*accumulate=*/img > 0);
  });
}

} // namespace ej::cuda
