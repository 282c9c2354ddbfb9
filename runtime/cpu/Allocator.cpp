//===- Allocator.cpp - The caching host allocator ------------------------===//
//
// Size classes step by a quarter of a power of two (at most 25% slack). Each
// thread keeps a few small blocks per class so that the eager per-op path
// takes no lock; larger blocks and overflow go to a shared pool under a mutex.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Allocator.h"
#include "ej/Error.h"
#include "runtime/cuda/Runtime.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace ej::runtime {
namespace {

constexpr size_t kHeader = 64; // keeps data 64-byte aligned

constexpr size_t kThreadCacheDepth = 16;

size_t cache_limit() {
  const char *env = std::getenv("EJ_CPU_CACHE_MB");
  long mb = env ? std::atol(env) : 1024;
  return mb < 0 ? 0 : size_t(mb) << 20;
}

void free_block(Storage *s) { std::free(s); }

// The shared pool. Leaked on purpose: thread caches flush into it from
// thread-exit destructors that may run after static destruction started.
struct Pool {
  std::mutex mu;
  std::vector<Storage *> free[kNumSizeClasses];
  std::atomic<size_t> bytes{0};
  const size_t limit = cache_limit();

  Storage *take(uint32_t c) {
    std::lock_guard<std::mutex> lock(mu);
    if (free[c].empty())
      return nullptr;
    Storage *s = free[c].back();
    free[c].pop_back();
    bytes.fetch_sub(size_class_bytes(c), std::memory_order_relaxed);
    return s;
  }
  void give(Storage *s) {
    size_t sz = size_class_bytes(s->size_class);
    if (bytes.load(std::memory_order_relaxed) + sz > limit) {
      free_block(s);
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    free[s->size_class].push_back(s);
    bytes.fetch_add(sz, std::memory_order_relaxed);
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu);
    for (auto &list : free) {
      for (Storage *s : list)
        free_block(s);
      list.clear();
    }
    bytes.store(0);
  }
};

Pool &pool() {
  static Pool *p = new Pool;
  return *p;
}

struct ThreadCache {
  static constexpr int kClasses = 4 * (16 - 6) + 1; // up to 64 KiB
  Storage *slots[kClasses][kThreadCacheDepth];
  uint8_t count[kClasses] = {};

  ~ThreadCache() { flush(); }
  void flush() {
    for (int c = 0; c < kClasses; ++c) {
      for (int i = 0; i < count[c]; ++i)
        pool().give(slots[c][i]);
      count[c] = 0;
    }
  }
};

thread_local ThreadCache tcache;

} // namespace

Storage *allocate_storage(size_t nbytes) {
  uint32_t c = size_class_of(nbytes + kHeader);
  Storage *s = nullptr;
  if (c < ThreadCache::kClasses && tcache.count[c] > 0)
    s = tcache.slots[c][--tcache.count[c]];
  else
    s = pool().take(c);
  if (!s) {
    void *mem = nullptr;
    if (posix_memalign(&mem, kHeader, size_class_bytes(c)) != 0) {
      pool().clear(); // one retry with the cache handed back
      if (posix_memalign(&mem, kHeader, size_class_bytes(c)) != 0)
        throw Error("out of memory: cannot allocate " + std::to_string(nbytes) +
                    " bytes for a tensor");
    }
    s = static_cast<Storage *>(mem);
    s->size_class = c;
    s->capacity = size_class_bytes(c) - kHeader;
    s->data = static_cast<char *>(mem) + kHeader;
    s->device = kHost;
  }
  new (&s->refs) std::atomic<int32_t>(1);
  return s;
}

void release_storage(Storage *s) noexcept {
  if (s->device != kHost) {
    cuda::release_storage(s);
    return;
  }
  uint32_t c = s->size_class;
  if (c < ThreadCache::kClasses && tcache.count[c] < kThreadCacheDepth) {
    tcache.slots[c][tcache.count[c]++] = s;
    return;
  }
  pool().give(s);
}

// The block's header sits kHeader bytes in front of its data.
void *allocate_bytes(size_t nbytes) {
  try {
    return allocate_storage(nbytes)->data;
  } catch (...) { // compiled code above: nothing may unwind through it
    return nullptr;
  }
}
void release_bytes(void *data) noexcept {
  release_storage(
      reinterpret_cast<Storage *>(static_cast<char *>(data) - kHeader));
}

} // namespace ej::runtime
