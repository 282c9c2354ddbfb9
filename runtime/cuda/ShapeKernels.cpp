//===- ShapeKernels.cpp - Views and data movement on CUDA -----------------===//
//
// The views (transpose, broadcast_to, slice, stop_gradient) and the
// variables' kernels only touch metadata: runtime/cuda/Kernels.cpp uses the
// CPU kernels for them. The copies here go through the elementwise copy
// kernel, which writes any strided view: concat and pad write their inputs
// into views of the result.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Launch.h"

#include <vector>

namespace ej::cuda {
using detail::OpCode;
using detail::Record;
using detail::TensorImpl;
using runtime::Operand;
using runtime::operand;

namespace {

// `t`'s axes with its strides, from axis `begin` to `end`.
Axes axes_of(const TensorImpl *t, int begin, int end) {
  Axes a;
  for (int d = begin; d < end; ++d)
    a.push(t->shape[d], t->strides[d]);
  return a;
}

} // namespace

void kernel_Reshape(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result; // row-major strides already set
  if (x->contiguous) {
    runtime::share_storage(out, x);
    return;
  }
  detail::allocate(out);
  // x's elements in row-major order: x's shape with dense strides.
  int64_t strides[detail::kMaxRank];
  row_major_strides(x->rank, x->shape, strides);
  Operand dst{out->data(), operand(x).elsize, x->rank, x->shape, strides};
  copy(out->device, x->dtype, dst, operand(x), x->rank, x->shape);
}

void kernel_Copy(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  copy(out->device, x->dtype, operand(out), operand(x), out->rank, out->shape);
}

void kernel_Concat(Record &r) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  runtime::concat_into(
      r, [out](const Operand &dst, const Operand &src, const TensorImpl *x) {
        copy(out->device, out->dtype, dst, src, x->rank, x->shape);
      });
}

void kernel_Pad(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  fill_bits(out->device, out->dtype, out->data(), out->numel,
            value_bits(out->dtype, r.attrs.f[0]));
  int64_t elsize = int64_t(dtype_size(out->dtype));
  Operand dst = operand(out);
  for (int d = 0; d < out->rank; ++d)
    dst.data += r.attrs.ints[d] * out->strides[d] * elsize;
  dst.shape = x->shape;
  copy(out->device, out->dtype, dst, operand(x), x->rank, x->shape);
}

void kernel_Gather(Record &r) {
  const TensorImpl *params = r.input(0), *indices = r.input(1);
  TensorImpl *out = r.result;
  detail::allocate(out);
  const int device = out->device;
  const int axis = int(r.attrs.ints[0]);
  const int64_t len = params->shape[axis], count = indices->numel;
  if (count == 0)
    return;
  // The indices as dense int64 on the device, then on the host: an index
  // out of range is an ej::Error of this call, as on the CPU, so the host
  // waits here for the values (a synchronization of the device's stream).
  runtime::Storage *idx =
      allocate_storage(device, size_t(count) * sizeof(int64_t));
  struct Release {
    runtime::Storage *s;
    ~Release() { runtime::release(s); }
  } release{idx};
  int64_t dense[detail::kMaxRank];
  row_major_strides(indices->rank, indices->shape, dense);
  map(device, {OpCode::Cast, indices->dtype, int64},
      Operand{static_cast<char *>(idx->data), 8, indices->rank, indices->shape,
              dense},
      {operand(indices)}, indices->rank, indices->shape);
  std::vector<int64_t> host(static_cast<size_t>(count));
  copy_to_host(device, host.data(), idx->data, size_t(count) * 8);
  runtime::check_gather_indices(host, len, axis);
  if (out->numel == 0)
    return;
  copy_to_device(device, idx->data, host.data(), size_t(count) * 8);

  GatherArgs a{};
  a.params = params->data();
  a.indices = static_cast<const long long *>(idx->data);
  a.out = out->data();
  a.n = out->numel;
  a.count = count;
  Axes outer = axes_of(params, 0, axis).simplified();
  Axes inner = axes_of(params, axis + 1, params->rank);
  a.inner = inner.numel();
  inner = inner.simplified();
  a.axis_stride = params->strides[axis];
  outer.store(a.outer_rank, a.outer_shape, a.outer_strides);
  inner.store(a.inner_rank, a.inner_shape, a.inner_strides);
  const bool fits = a.n < kIndex32Limit &&
                    max_offset(outer.rank, outer.shape, outer.strides) +
                            (len - 1) * std::abs(a.axis_stride) +
                            max_offset(inner.rank, inner.shape, inner.strides) <
                        kIndex32Limit;
  launch_with(device,
              kernel(device, {OpCode::Gather, bits_dtype(params->dtype)},
                     fits ? Variant::Strided32 : Variant::Strided64),
              {blocks_for(device, a.n)}, {kBlock}, a);
}

void kernel_OneHot(Record &r) {
  const TensorImpl *indices = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  if (out->numel == 0)
    return;
  const int device = out->device;
  OneHotArgs a{};
  a.indices = indices->data();
  a.out = out->data();
  a.n = out->numel;
  a.depth = r.attrs.ints[0];
  a.on = value_bits(out->dtype, r.attrs.f[0]);
  a.off = value_bits(out->dtype, r.attrs.f[1]);
  Axes rows = axes_of(indices, 0, indices->rank).simplified();
  rows.store(a.rank, a.shape, a.strides);
  const bool fits =
      a.n < kIndex32Limit &&
      max_offset(rows.rank, rows.shape, rows.strides) < kIndex32Limit;
  launch_with(device,
              kernel(device,
                     {OpCode::OneHot, bits_dtype(out->dtype), indices->dtype},
                     fits ? Variant::Strided32 : Variant::Strided64),
              {blocks_for(device, a.n)}, {kBlock}, a);
}

} // namespace ej::cuda
