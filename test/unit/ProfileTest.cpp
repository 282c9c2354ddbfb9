//===- ProfileTest.cpp - EJ_LOG=profile: time per op and per kernel ------===//
//
// The profile counts every op the interpreter runs under its name, dtype
// and shape, and every compiled kernel under its ops and result shape.
//
//===----------------------------------------------------------------------===//
#include "lib/Profile.h"
#include "test/unit/JitHarness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace {

using ej::Tensor;

// The calls column of the profile line whose description is `what`, or -1.
long long calls_of(const std::string &report, const std::string &what) {
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find("  " + what);
    if (at == std::string::npos || at + 2 + what.size() != line.size())
      continue;
    std::istringstream fields(line.substr(std::string("[ej profile]").size()));
    double ms = 0, pct = 0;
    long long calls = -1;
    fields >> ms >> pct >> calls;
    return calls;
  }
  return -1;
}

class Profiling : public ::testing::Test {
protected:
  void SetUp() override { ej::detail::set_profiling(true); }
  void TearDown() override { ej::detail::set_profiling(false); }
};

TEST_F(Profiling, EagerOpsAreCountedByNameDtypeAndShape) {
  // The table is never cleared: a repeated test counts on what it found.
  long long before = std::max(
      0LL, calls_of(ej::detail::profile_report(), "mul float32 (7, 9)"));
  ejtest::without_jit([] {
    Tensor x = ej::ones({7, 9}), y = ej::ones({9});
    for (int i = 0; i < 3; ++i)
      x = x * y;
    return x.to_vector<float>();
  });
  std::string report = ej::detail::profile_report();
  EXPECT_EQ(calls_of(report, "mul float32 (7, 9)"), before + 3) << report;
}

TEST_F(Profiling, CompiledKernelsAreCountedByTheirOps) {
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  Tensor x = ej::random_uniform({5, 11});
  for (int i = 0; i < 6; ++i) {
    ej::Step step;
    x = ej::tanh(ej::exp(x) * 0.5f);
  }
  x.to_vector<float>();
  std::string report = ej::detail::profile_report();
  EXPECT_GE(calls_of(report, "kernel exp,mul,tanh -> (5, 11)"), 3) << report;
}

} // namespace
