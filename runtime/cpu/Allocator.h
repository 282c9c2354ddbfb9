//===- Allocator.h - Host buffers from a caching allocator --------*- C++
//-*-===//
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

/// A block of host memory shared by the tensors that view it. The header
/// sits in front of the data in the same allocation; data is 64-byte aligned.
struct Storage {
  std::atomic<int32_t> refs;
  uint32_t size_class;
  size_t capacity; // bytes usable at data
  void *data;
};

/// A new block of at least `nbytes` bytes with one reference.
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
