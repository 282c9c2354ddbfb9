//===- CreationKernels.cpp - Constants, fills, ranges and random on CUDA --===//
//
// The element formulas are the CPU kernels' (runtime/cpu/Ranges.h,
// runtime/cpu/Philox.h, compiled into the kernels), so ranges and uniform
// draws are the same bits on both devices.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Philox.h"
#include "runtime/cpu/Ranges.h"
#include "runtime/cuda/Launch.h"

#include <cstring>

namespace ej::cuda {
using detail::OpCode;
using detail::Record;
using detail::TensorImpl;

namespace {

// Launches the creation kernel of `r`'s op over `work` items (elements, or
// Philox blocks) with the arguments `a`, whose `out` and `n` it sets.
void create(Record &r, CreateArgs &a, int64_t work) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  if (out->numel == 0)
    return;
  const int device = out->device;
  a.out = out->data();
  a.n = out->numel;
  launch_with(device, kernel(device, {r.op, out->dtype}, Variant::Single),
              {blocks_for(device, work)}, {kBlock}, a);
}

void random(Record &r) {
  CreateArgs a{};
  a.seed = r.attrs.u[0];
  a.offset = r.attrs.u[1];
  a.a = r.attrs.f[0];
  a.b = r.attrs.f[1];
  int64_t k = runtime::philox::per_block(int64_t(dtype_size(r.result->dtype)));
  create(r, a, (r.result->numel + k - 1) / k);
}

} // namespace

void kernel_Constant(Record &r) {
  // The API staged the values on the host, already in the result's dtype.
  TensorImpl *out = r.result;
  detail::allocate(out);
  size_t bytes = size_t(out->numel) * dtype_size(out->dtype);
  if (out->numel == 1) {
    // One value (a literal) as a kernel's argument: no staging, and a
    // CUDA graph can hold it.
    uint64_t bits = 0;
    std::memcpy(&bits, r.attrs.host, bytes);
    fill_bits(out->device, out->dtype, out->data(), 1, bits);
  } else if (out->numel > 0) {
    copy_to_device(out->device, out->data(), r.attrs.host, bytes);
  }
}

void kernel_Fill(Record &r) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  fill_bits(out->device, out->dtype, out->data(), out->numel,
            value_bits(out->dtype, r.attrs.f[0]));
}

void kernel_Arange(Record &r) {
  CreateArgs a{};
  a.a = r.attrs.f[0];
  a.b = r.attrs.f[1];
  create(r, a, r.result->numel);
}

void kernel_Linspace(Record &r) {
  CreateArgs a{};
  a.a = r.attrs.f[0];
  a.b = r.attrs.f[1];
  a.c = runtime::ranges::linspace_step(a.a, a.b, r.result->numel);
  create(r, a, r.result->numel);
}

void kernel_Eye(Record &r) {
  CreateArgs a{};
  a.m = r.result->shape[1];
  create(r, a, r.result->numel);
}

void kernel_RandomUniform(Record &r) { random(r); }
void kernel_RandomNormal(Record &r) { random(r); }

} // namespace ej::cuda
