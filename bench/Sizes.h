//===- Sizes.h - The benchmarks' sizes and shared helpers -------*- C++ -*-===//
#ifndef EJ_BENCH_SIZES_H
#define EJ_BENCH_SIZES_H

#include <benchmark/benchmark.h>
#include <ej/jit.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

/// Runs a benchmark on the eager interpreter alone (the tracing JIT off),
/// or with it; restores the JIT afterwards.
class JitMode {
public:
  explicit JitMode(bool on) : was_(ej::jit::enabled()) {
    ej::jit::set_enabled(on);
  }
  ~JitMode() { ej::jit::set_enabled(was_); }

private:
  bool was_;
};

/// A disk cache of compiled kernels in a temporary directory of its own,
/// empty at first, for compile-latency benchmarks; the previous one comes
/// back, and the directory goes, at the end.
class TempDiskCache {
public:
  explicit TempDiskCache(const std::string &name)
      : saved_(ej::jit::disk_cache()),
        dir_(std::filesystem::temp_directory_path() /
             (name + "-" + std::to_string(getpid()))) {
    empty();
    ej::jit::set_disk_cache(dir_.string());
  }
  ~TempDiskCache() {
    ej::jit::set_disk_cache(saved_);
    std::filesystem::remove_all(dir_);
  }
  /// Removes every kernel it holds.
  void empty() { std::filesystem::remove_all(dir_); }

private:
  std::string saved_;
  std::filesystem::path dir_;
};

/// Runs a compile-latency benchmark: each iteration clears the region
/// cache and calls `compile`, which makes the regions hot, waits for them
/// and returns the stats. Cold (`warm` false), the disk cache is emptied
/// before each iteration; warm, a first call fills it, as a first process
/// would. Counters: the medians of the total compile time and of the
/// slowest region's, and the regions compiled and the kernels loaded from
/// disk per iteration.
inline void time_compiles(benchmark::State &state, bool warm,
                          TempDiskCache &disk,
                          const std::function<ej::jit::Stats()> &compile) {
  auto fresh = [&] {
    ej::jit::clear_cache();
    ej::jit::reset_stats();
    return compile();
  };
  if (warm)
    fresh();
  std::vector<double> total, slowest;
  uint64_t regions = 0, hits = 0;
  for (auto _ : state) {
    if (!warm) {
      state.PauseTiming();
      disk.empty();
      state.ResumeTiming();
    }
    ej::jit::Stats st = fresh();
    total.push_back(st.compile_ms);
    slowest.push_back(st.compile_ms_max);
    regions += st.regions_compiled;
    hits += st.cache_hits_disk;
  }
  auto median = [](std::vector<double> &v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  state.counters["compile_ms_median"] = median(total);
  state.counters["slowest_region_ms_median"] = median(slowest);
  state.counters["regions"] =
      benchmark::Counter(double(regions), benchmark::Counter::kAvgIterations);
  state.counters["disk_hits"] =
      benchmark::Counter(double(hits), benchmark::Counter::kAvgIterations);
}

/// 2^10, 2^12, ..., 2^24 elements.
/// With the JIT on, runs `step` until its region is hot, compiled (in the
/// background) and ready; with it off, does nothing.
inline void warm_up(bool jit, const std::function<void()> &step) {
  if (!jit)
    return;
  for (int i = 0; i < 20; ++i)
    step();
  ej::jit::wait_for_compiles();
  for (int i = 0; i < 3; ++i)
    step();
}

inline void elementwise_sizes(benchmark::internal::Benchmark *b) {
  for (int p = 10; p <= 24; p += 2)
    b->Arg(int64_t(1) << p);
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

/// Bytes moved by an op reading `reads` arrays and writing one of n floats.
inline void set_traffic(benchmark::State &state, int64_t n, int arrays) {
  state.SetBytesProcessed(state.iterations() * n * int64_t(sizeof(float)) *
                          arrays);
}

/// The share of ops that ran inside compiled regions since `from` (the
/// statistics then), in percent, as the counter `compiled_pct`.
inline void set_compiled_share(benchmark::State &state,
                               const ej::jit::Stats &from = {}) {
  ej::jit::Stats now = ej::jit::stats();
  double compiled = double(now.ops_compiled - from.ops_compiled);
  double cold = double(now.ops_cold - from.ops_cold);
  state.counters["compiled_pct"] =
      compiled + cold > 0 ? 100 * compiled / (compiled + cold) : 0;
}

#endif // EJ_BENCH_SIZES_H
