//===- JitHarness.h - The JIT turned on for one test, and its reference -*- C++
//-*-===//
//
// JitScope turns the tracing JIT on with synchronous compilation (as
// EJ_JIT_SYNC=1) and a given region compiler for one test; without_jit runs
// the same program with the JIT off, the reference every JIT test compares
// with.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_UNIT_JITHARNESS_H
#define EJ_TEST_UNIT_JITHARNESS_H

#include "lib/Jit.h"

#include <ej/ej.h>

#include <utility>

namespace ejtest {

class JitScope {
public:
  explicit JitScope(
      ej::detail::RegionCompiler compiler = ej::detail::interpreting_compiler())
      : saved_((ej::jit::wait_for_compiles(), ej::detail::JitConfig::get())),
        previous_(ej::detail::set_region_compiler(std::move(compiler))) {
    ej::detail::JitConfig &c = ej::detail::JitConfig::get();
    c.enabled = true;
    c.sync = true;
    c.threshold = 2;
    ej::Step boundary;
    ej::jit::reset_stats();
  }
  ~JitScope() {
    { ej::Step boundary; }
    ej::detail::JitConfig::get() = saved_;
    ej::detail::set_region_compiler(std::move(previous_));
  }
  JitScope(const JitScope &) = delete;
  JitScope &operator=(const JitScope &) = delete;

private:
  ej::detail::JitConfig saved_;
  ej::detail::RegionCompiler previous_;
};

/// Runs `f` with the JIT off: the reference.
template <class F> auto without_jit(F f) {
  ej::detail::JitConfig &c = ej::detail::JitConfig::get();
  bool was = c.enabled;
  { ej::Step boundary; }
  c.enabled = false;
  auto result = f();
  { ej::Step boundary; }
  c.enabled = was;
  return result;
}

} // namespace ejtest

#endif // EJ_TEST_UNIT_JITHARNESS_H
