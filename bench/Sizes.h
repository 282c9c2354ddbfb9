//===- Sizes.h - The sizes every elementwise benchmark sweeps ------*- C++
//-*-===//
#ifndef EJ_BENCH_SIZES_H
#define EJ_BENCH_SIZES_H

#include <benchmark/benchmark.h>
#include <ej/jit.h>

#include <functional>

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

#endif // EJ_BENCH_SIZES_H
