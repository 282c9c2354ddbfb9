//===- Parallel.h - Splitting a kernel's range across cores -------*- C++
//-*-===//
//
// A fixed pool of worker threads (EJ_NUM_THREADS, default: the hardware's
// count) that kernels use to split large index ranges. Small ranges run on
// the calling thread with no synchronisation at all.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_PARALLEL_H
#define EJ_RUNTIME_CPU_PARALLEL_H

#include <cstdint>
#include <functional>

namespace ej::runtime {

/// The smallest piece of elementwise work worth handing to another thread:
/// waking a worker costs about as much as adding 2^18 floats on one core
/// (bench/RESULTS.md: a 2^18-element add split in two was 20% slower).
inline constexpr int64_t kParallelGrain = int64_t(1) << 18;

/// Threads kernels may use (>= 1).
int num_threads();
/// Sets the number of threads for later kernels (1 turns threading off).
void set_num_threads(int n);

/// Calls fn(begin, end) over pieces of [0, n) of at least `grain` elements,
/// in parallel when n is large enough. Pieces are disjoint and cover [0, n).
void parallel_for(int64_t n, int64_t grain,
                  const std::function<void(int64_t, int64_t)> &fn);

} // namespace ej::runtime

#endif // EJ_RUNTIME_CPU_PARALLEL_H
