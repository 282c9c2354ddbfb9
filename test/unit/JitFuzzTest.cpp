//===- JitFuzzTest.cpp - Random programs, compiled against the interpreter ===//
//
// Random programs (test/unit/RandomProgram.h) whose loop bodies get hot and
// are compiled by the CPU code generator (and, with a GPU, the same
// programs on the GPU by the CUDA one); each program's results are
// compared with the same program run with the JIT off -- integers, bools and
// exact floats exactly, other floats within four times the error bound the
// generator carries -- and the JIT's statistics must show that its ops ran
// compiled.
//
// A fixed set of seeds runs by default; EJ_FUZZ_PROGRAMS=n runs n programs
// and EJ_FUZZ_SEED=s starts from seed s (a failure prints its program and
// seed; EJ_FUZZ_PRINT=1 prints every program; EJ_FUZZ_COMPILER=interp runs
// the regions through the interpreting compiler instead of code generation).
//
//===----------------------------------------------------------------------===//
#include "test/unit/JitHarness.h"
#include "test/unit/RandomProgram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

namespace {

using namespace ejtest::fuzz;

// Compares one observed value of the two runs: integers, bools and exact
// floats exactly, other floats within four times their error bound.
void expect_same(const std::vector<double> &got,
                 const std::vector<double> &want, const Info &info,
                 double carried, const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double tol = 0;
  if (ej::is_floating(info.dtype) && !info.exact)
    tol = 4 * (info.err + info.gain * carried);
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), tol)
        << what << " at " << i << ": compiled " << got[i] << ", interpreter "
        << want[i];
}

int env_int(const char *name, int fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// Runs programs from seed EJ_FUZZ_SEED (default 1), EJ_FUZZ_PROGRAMS of
// them (default `programs`), each compiled by the JIT (on `device`: its
// inputs, variable and creation ops there) and interpreted on the CPU, and
// compares their observed values.
void check_programs(const char *device, int programs) {
  programs = env_int("EJ_FUZZ_PROGRAMS", programs);
  unsigned first = unsigned(env_int("EJ_FUZZ_SEED", 1));
  bool gpu = std::string(device) != "cpu:0";
  uint64_t compiled = 0, total = 0;
  for (unsigned seed = first; seed < first + unsigned(programs); ++seed) {
    Program p = random_program(seed);
    SCOPED_TRACE(p.describe());
    if (std::getenv("EJ_FUZZ_PRINT"))
      std::cerr << p.describe() << "\n";
    std::vector<std::vector<double>> want =
        ejtest::without_jit([&] { return run(p); });
    std::vector<std::vector<double>> got;
    ej::jit::Stats s;
    {
      // EJ_FUZZ_COMPILER=interp tells a code generator's bug from the
      // JIT machinery's.
      const char *which = std::getenv("EJ_FUZZ_COMPILER");
      ejtest::JitScope jit(which && std::string(which) == "interp"
                               ? ej::detail::interpreting_compiler()
                               : ej::detail::cpu_compiler());
      ej::DeviceScope on(device);
      got = run(p);
      s = ej::jit::stats();
    }
    ASSERT_EQ(got.size(), want.size());
    // The observed values come from the last iteration; the state and the
    // variable are one iteration further.
    std::vector<double> e = carried_errors(p);
    for (size_t i = 0; i < p.outputs.size(); ++i)
      expect_same(got[i], want[i], p.values[size_t(p.outputs[i])],
                  e[e.size() - 2], "v" + std::to_string(p.outputs[i]));
    Info carried = p.values[size_t(p.state)];
    carried.err = e.back();
    carried.gain = 0;
    expect_same(got[got.size() - 2], want[want.size() - 2], carried, 0,
                "state");
    expect_same(got.back(), want.back(), carried, 0, "variable");
    if (!gpu) {
      EXPECT_EQ(s.regions_failed, 0u);
      // The loop body ran compiled: in every replay after the second
      // sighting (a plain loop learns its period first).
      EXPECT_GE(s.cache_hits_memory, p.steps ? 3u : 1u);
      EXPECT_GT(s.ops_compiled, 0u);
    }
    compiled += s.ops_compiled;
    total += s.ops_compiled + s.ops_cold;
    if (::testing::Test::HasFailure())
      break; // the first program that fails is the one to read
  }
  ::testing::Test::RecordProperty("ops_compiled", std::to_string(compiled));
  ::testing::Test::RecordProperty("ops_total", std::to_string(total));
  if (gpu) // the share of a GPU's programs that ran compiled
    std::cerr << "GPU random programs: " << compiled << " of " << total
              << " ops ran in compiled regions\n";
}

TEST(JitFuzz, RandomProgramsRunCompiledAsTheInterpreterRunsThem) {
  check_programs("cpu:0", 30);
}

// On a GPU the same programs, compiled to CUDA kernels where their regions
// run on the GPU alone (a host value a region keeps leaves it on the
// interpreter), give the CPU interpreter's values.
TEST(GpuJit, RandomProgramsOnTheGpuGiveTheCpuInterpretersValues) {
  if (ej::num_gpus() == 0)
    GTEST_SKIP() << "no CUDA device";
  check_programs("gpu:0", 30);
}

} // namespace
