//===- TensorImpl.cpp - Impl allocation, reference counts, dtype names ---===//
#include "lib/TensorImpl.h"
#include "lib/OpSupport.h"
#include "lib/Trace.h"
#include "runtime/cuda/Runtime.h"

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

namespace {

// TensorImpls come from a small free list per thread: an eager op makes
// one and, in a loop, frees one, and malloc and free cost as much as a
// small op's kernel. The list is plain data (never destroyed); a second
// thread-local object hands its blocks back when the thread ends, after
// which the thread's frees go to the system.
struct ImplCache {
  static constexpr int kDepth = 64;
  void *slots[kDepth];
  int count;
  bool closed;
};
thread_local ImplCache impl_cache;

struct ImplCacheCloser {
  bool armed = false;
  ~ImplCacheCloser() {
    for (int i = 0; i < impl_cache.count; ++i)
      ::operator delete(impl_cache.slots[i]);
    impl_cache.count = 0;
    impl_cache.closed = true;
  }
};
thread_local ImplCacheCloser impl_cache_closer;

void *take_impl_block() {
  ImplCache &c = impl_cache;
  if (c.count > 0)
    return c.slots[--c.count];
  return ::operator new(sizeof(TensorImpl));
}

void give_impl_block(void *p) {
  ImplCache &c = impl_cache;
  if (c.closed || c.count == ImplCache::kDepth) {
    ::operator delete(p);
    return;
  }
  if (c.count == 0)
    impl_cache_closer.armed = true; // registers the closer on this thread
  c.slots[c.count++] = p;
}

} // namespace

void retain(TensorImpl *impl) noexcept {
  impl->refs.fetch_add(1, std::memory_order_relaxed);
}

void release(TensorImpl *impl) noexcept {
  if (impl->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  if (impl->storage)
    runtime::release(impl->storage);
  impl->~TensorImpl();
  give_impl_block(impl);
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
  auto *t = new (take_impl_block()) TensorImpl;
  t->dtype = dtype;
  t->rank = static_cast<uint8_t>(shape.size());
  for (size_t d = 0; d < shape.size(); ++d)
    t->shape[d] = shape[d];
  set_contiguous_strides(t);
  return t;
}

void allocate(TensorImpl *t) {
  size_t bytes = size_t(t->numel) * dtype_size(t->dtype);
  t->storage = t->device == runtime::kHost
                   ? runtime::allocate_storage(bytes)
                   : cuda::allocate_storage(t->device, bytes);
  t->offset = 0;
}

} // namespace detail
} // namespace ej
