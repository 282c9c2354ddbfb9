//===- TensorImpl.cpp - Impl allocation, reference counts, dtype names ---===//
#include "lib/TensorImpl.h"
#include "lib/OpSupport.h"
#include "lib/Trace.h"

#include <new>

namespace ej {

const char *dtype_name(DType t) {
  switch (t) {
  case DType::Bool:
    return "bool";
  case DType::Int32:
    return "int32";
  case DType::Int64:
    return "int64";
  case DType::Float32:
    return "float32";
  case DType::Float64:
    return "float64";
  }
  return "?";
}

DType promote_types(DType a, DType b) {
  using detail::Category;
  Category ca = detail::category(a), cb = detail::category(b);
  if (ca != cb)
    return ca > cb ? a : b;
  return dtype_size(a) >= dtype_size(b) ? a : b;
}

namespace detail {

Category category(DType t) {
  return t == DType::Bool ? Category::Bool
         : is_integer(t)  ? Category::Int
                          : Category::Float;
}

void retain(TensorImpl *impl) noexcept {
  impl->refs.fetch_add(1, std::memory_order_relaxed);
}

void release(TensorImpl *impl) noexcept {
  if (impl->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  if (impl->storage)
    runtime::release(impl->storage);
  delete impl;
}

void set_contiguous_strides(TensorImpl *t) {
  int64_t step = 1;
  for (int d = t->rank - 1; d >= 0; --d) {
    t->strides[d] = step;
    step *= t->shape[d];
  }
  t->numel = step;
  t->contiguous = true;
}

void update_contiguous(TensorImpl *t) {
  int64_t step = 1;
  bool c = true;
  for (int d = t->rank - 1; d >= 0; --d) {
    if (t->shape[d] != 1 && t->strides[d] != step)
      c = false;
    step *= t->shape[d];
  }
  t->contiguous = c || step == 0;
}

TensorImpl *new_impl(DType dtype, IntList shape) {
  // Sizes whose byte count overflows cannot be allocated; say so here
  // rather than wrap around.
  int64_t bytes = int64_t(dtype_size(dtype));
  for (int64_t d : shape)
    if (__builtin_mul_overflow(bytes, d, &bytes) || bytes > (int64_t(1) << 56))
      throw Error("a tensor of shape " + shape_str(shape) + " and dtype " +
                  dtype_name(dtype) + " is too large to allocate");
  auto *t = new TensorImpl;
  t->dtype = dtype;
  t->rank = static_cast<uint8_t>(shape.size());
  for (size_t d = 0; d < shape.size(); ++d)
    t->shape[d] = shape[d];
  set_contiguous_strides(t);
  return t;
}

void allocate(TensorImpl *t) {
  t->storage =
      runtime::allocate_storage(size_t(t->numel) * dtype_size(t->dtype));
  t->offset = 0;
}

} // namespace detail
} // namespace ej
