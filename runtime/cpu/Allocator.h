//===- Allocator.h - Host buffers from a caching allocator ------*- C++ -*-===//
//
// Tensor buffers are reference-counted Storage blocks. Freed blocks go back to
// size-class free lists (a small per-thread cache in front of a shared pool)
// instead of to malloc, so an eager loop that makes the same shapes again and
// again stops calling the system allocator after its first iteration. The
// pool is bounded: past EJ_CPU_CACHE_MB (default 1024) cached megabytes,
// freed blocks go back to the system.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_ALLOCATOR_H
#define EJ_RUNTIME_CPU_ALLOCATOR_H

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ej::runtime {

/// The `device` of host storage (and of tensors on the CPU).
inline constexpr int kHost = -1;

/// Size classes, shared by the host and the device allocators: from 64
/// bytes up, a quarter of a power of two apart, so that a block is at most
/// 25% larger than asked for and a freed block fits every later request of
/// its class.
inline constexpr uint32_t kNumSizeClasses = 4 * 58;

/// The bytes of size class `c`.
inline size_t size_class_bytes(uint32_t c) {
  return (size_t(1) << (6 + c / 4)) * (4 + c % 4) / 4;
}

/// The smallest size class of at least `bytes` bytes.
inline uint32_t size_class_of(size_t bytes) {
  if (bytes <= 64)
    return 0;
  int p = 63 - __builtin_clzll(bytes - 1); // 2^p < bytes <= 2^(p+1)
  size_t base = size_t(1) << p, step = base / 4;
  uint32_t k = static_cast<uint32_t>((bytes - base + step - 1) / step);
  return static_cast<uint32_t>((p - 6) * 4) + k;
}

/// A block of memory shared by the tensors that view it. Host blocks: the
/// header sits in front of the data in the same allocation; data is 64-byte
/// aligned. Device blocks (runtime/cuda/Runtime.h): the header is host
/// memory and `data` a device address.
struct Storage {
  std::atomic<int32_t> refs;
  uint32_t size_class;
  size_t capacity; // bytes usable at data
  void *data;
  int32_t device; // kHost, or the CUDA device's index
};

/// A new host block of at least `nbytes` bytes with one reference.
Storage *allocate_storage(size_t nbytes);

inline void retain(Storage *s) noexcept {
  s->refs.fetch_add(1, std::memory_order_relaxed);
}
void release_storage(Storage *s) noexcept;
inline void release(Storage *s) noexcept {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    release_storage(s);
}

/// Untyped buffers from the same cache (compiled kernels' temporaries): the
/// data of a new block, and its release.
void *allocate_bytes(size_t nbytes);
void release_bytes(void *data) noexcept;

} // namespace ej::runtime

#endif // EJ_RUNTIME_CPU_ALLOCATOR_H
