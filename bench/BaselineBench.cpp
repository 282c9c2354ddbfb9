//===- BaselineBench.cpp - What the hardware and OpenBLAS give directly --===//
//
// The machine's copy bandwidth (memcpy and a raw c = a + b loop, each on
// one and on two threads) and sgemm called directly: the ceilings the eager ops
// are measured against in the same run.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"

#include <cblas.h>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace {
std::vector<float> random_floats(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> d(0, 1);
  for (auto &x : v)
    x = d(gen);
  return v;
}

void add_range(const float *a, const float *b, float *c, int64_t lo,
               int64_t hi) {
  for (int64_t i = lo; i < hi; ++i)
    c[i] = a[i] + b[i];
}
} // namespace

// memcpy of n floats, split over `threads` std::threads: the copy
// bandwidth the bandwidth-bound workloads are measured against is the best
// of the two in the same run (one thread may not saturate the memory).
static void BM_Base_Memcpy(benchmark::State &state) {
  int64_t n = state.range(0);
  int threads = int(state.range(1));
  std::vector<float> a = random_floats(n), c(static_cast<size_t>(n));
  auto copy = [&](int64_t lo, int64_t hi) {
    std::memcpy(c.data() + lo, a.data() + lo, size_t(hi - lo) * sizeof(float));
  };
  for (auto _ : state) {
    if (threads == 1) {
      copy(0, n);
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back(copy, n * t / threads, n * (t + 1) / threads);
      for (auto &t : pool)
        t.join();
    }
    benchmark::ClobberMemory();
  }
  set_traffic(state, n, 2);
}
BENCHMARK(BM_Base_Memcpy)
    ->ArgsProduct({{1 << 20, 1 << 22, 1 << 24}, {1, 2}})
    ->ArgNames({"n", "threads"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// c = a + b into a preallocated buffer, split over `threads` std::threads.
static void BM_Base_StreamAdd(benchmark::State &state) {
  int64_t n = state.range(0);
  int threads = int(state.range(1));
  std::vector<float> a = random_floats(n), b = random_floats(n),
                     c(static_cast<size_t>(n));
  for (auto _ : state) {
    if (threads == 1) {
      add_range(a.data(), b.data(), c.data(), 0, n);
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back(add_range, a.data(), b.data(), c.data(),
                          n * t / threads, n * (t + 1) / threads);
      for (auto &t : pool)
        t.join();
    }
    benchmark::ClobberMemory();
  }
  set_traffic(state, n, 3);
}
BENCHMARK(BM_Base_StreamAdd)
    ->Args({1 << 22, 1})
    ->Args({1 << 22, 2})
    ->Args({1 << 24, 1})
    ->Args({1 << 24, 2})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

static void BM_Base_Sgemm(benchmark::State &state) {
  int n = int(state.range(0));
  std::vector<float> a = random_floats(int64_t(n) * n),
                     b = random_floats(int64_t(n) * n),
                     c(size_t(n) * size_t(n));
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                a.data(), n, b.data(), n, 0.0f, c.data(), n);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Base_Sgemm)
    ->Arg(64)
    ->Arg(512)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
