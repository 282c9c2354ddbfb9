//===- JitTest.cpp - Hot regions, deferral, fallbacks and variables -------===//
//
// The JIT's machinery with the interpreting compiler (lib/Jit.h): regions
// get hot, are "compiled" synchronously, and run deferred. Every result is
// compared with the same program run with the JIT off.
//
//===----------------------------------------------------------------------===//
#include "test/unit/JitHarness.h"
#include "test/unit/Reference.h"

#include <filesystem>
#include <fstream>
#include <thread>

namespace {

using ej::Tensor;
using ej::detail::JitConfig;
using ejtest::JitScope;
using ejtest::without_jit;

std::vector<double> loop(int steps) {
  ej::set_seed(11);
  Tensor x = ej::random_uniform({1000}, ej::float32, -1, 1);
  Tensor y = ej::random_uniform({1000}, ej::float32, 1, 2);
  for (int i = 0; i < steps; ++i)
    x = ej::tanh(x * y + 1) / (y + 2) - x * 0.5f;
  return ref::values(x);
}

TEST(Jit, APlainLoopWithNoMarkersRunsCompiled) {
  std::vector<double> want = without_jit([] { return loop(200); });
  JitScope jit;
  std::vector<double> got = loop(200);
  ej::jit::Stats s = ej::jit::stats();
  ref::expect_close(got, want, 0, 0);
  EXPECT_GE(s.regions_compiled, 1u);
  EXPECT_GT(s.cache_hits_memory, 100u);
  // The slowest region's compile is part of the total.
  EXPECT_GT(s.compile_ms_max, 0.0);
  EXPECT_LE(s.compile_ms_max, s.compile_ms);
  // After warm-up, no op runs cold.
  ej::jit::reset_stats();
  loop(100);
  s = ej::jit::stats();
  EXPECT_LE(s.compile_ms_max, s.compile_ms);
  EXPECT_GE(double(s.ops_compiled) / double(s.ops_compiled + s.ops_cold), 0.95)
      << s.ops_compiled << " compiled, " << s.ops_cold << " cold";
}

// A loop body that repeats its first op (three multiplications of one
// shape) is first cut into pieces by the recurrence rule; the thread learns
// the period, and each iteration becomes one region.
std::vector<double> repeating_body(int steps) {
  ej::set_seed(12);
  Tensor x = ej::random_uniform({64}, ej::float32, -1, 1);
  Tensor a = ej::random_uniform({64}, ej::float32, 0, 1);
  for (int i = 0; i < steps; ++i)
    x = ej::tanh(x * a) * a - x * 0.25f;
  return ref::values(x);
}

TEST(Jit, ALoopBodyThatRepeatsAnOpBecomesOneRegion) {
  std::vector<double> want = without_jit([] { return repeating_body(60); });
  JitScope jit;
  std::vector<double> got = repeating_body(60);
  ref::expect_close(got, want, 0, 0);
  ej::jit::reset_stats();
  repeating_body(20);
  ej::jit::Stats s = ej::jit::stats();
  // One replay per iteration: the body's six ops (mul, tanh, mul, the
  // literal, mul, sub) are one region. (The first iteration, which begins
  // with the set-up's draws, and the last, cut by the observation, may
  // run otherwise.) Pieces would give two replays per iteration.
  EXPECT_GE(s.cache_hits_memory, 17u);
  EXPECT_LE(s.cache_hits_memory, 21u);
  EXPECT_GE(s.ops_compiled, 17u * 6);
  EXPECT_LE(s.fallbacks, 1u);
}

TEST(Jit, DivergenceFallsBackWithTheSameResults) {
  auto run = [] {
    Tensor x = ej::ones({64}, ej::float64) * 0.5;
    for (int i = 0; i < 30; ++i) {
      x = ej::sin(x) * 1.5 + 0.25;
      if (i % 7 == 6)
        x = ej::sqrt(ej::abs(x)); // now and then the stream differs
    }
    return ref::values(x);
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  ref::expect_close(run(), want, 0, 0);
  EXPECT_GE(ej::jit::stats().fallbacks, 1u);
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 1u);
}

// Every fourth step differs from the compiled region only in what the
// records' key holds besides ops and result types: an attribute (the
// permutation of a square matrix), which value feeds which input, or the
// shape of an outside input that broadcasts to the same result. Those
// steps must fall back, not replay the region.
TEST(Jit, StepsThatDifferInAttributesInputsOrInputTypesFallBack) {
  auto run = [] {
    ej::set_seed(3);
    Tensor x = ej::random_uniform({4, 4}), y = ej::random_uniform({4, 4});
    Tensor row = ej::random_uniform({4}), column = ej::random_uniform({4, 1});
    for (int i = 0; i < 24; ++i) {
      ej::Step step;
      bool odd = i % 4 == 3;
      Tensor h = x * 0.5f; // a first record that every step shares
      Tensor t = odd && i % 12 == 3 ? ej::transpose(h, {0, 1})
                                    : ej::transpose(h, {1, 0});
      Tensor d = odd && i % 12 == 7 ? y - t : t - y;
      x = d + (odd && i % 12 == 11 ? column : row);
    }
    return ref::values(x);
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  ref::expect_close(run(), want, 0, 0);
  EXPECT_GE(ej::jit::stats().fallbacks, 6u);
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 10u);
}

TEST(Jit, ObservingAValueMidRegionComputesItFirst) {
  auto run = [] {
    Tensor x = ej::arange(16, ej::float32);
    std::vector<double> seen;
    for (int i = 0; i < 20; ++i) {
      Tensor a = x * 1.01f;
      if (i % 5 == 4)
        seen.push_back(a.to_vector<double>()[3]); // an observation mid-body
      x = a - ej::reduce_mean(a) * 0.01f;
    }
    seen.push_back(x.to_vector<double>()[7]);
    return seen;
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  ref::expect_close(run(), want, 0, 0);
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 1u);
}

TEST(Jit, VariablesAreUpdatedByCompiledRegions) {
  auto run = [] {
    ej::Variable v(ej::zeros({8}, ej::float64), "v");
    ej::Variable count(0.0, "count");
    Tensor step = ej::arange(8, ej::float64);
    std::vector<double> reads;
    for (int i = 0; i < 60; ++i) {
      v.assign_add(step * 0.5);
      count.assign_add(1.0);
      v.assign(v.read() * 0.9);
    }
    reads = ref::values(v.read());
    reads.push_back(count.read().item<double>());
    return reads;
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  ref::expect_close(run(), want, 0, 0);
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 10u);
}

// A model built in a loop (a benchmark's set-up, repeated) makes its
// variables from computed values inside what becomes a hot region: the
// variable's first value must be there when the compiled region reads it.
TEST(Jit, VariablesMadeInsideAHotRegionHoldTheirValues) {
  auto run = [] {
    ej::set_seed(3);
    std::vector<double> all;
    for (int i = 0; i < 8; ++i) {
      ej::Variable w(ej::random_uniform({4, 3}, ej::float32, -1, 1) * 2.f, "w");
      ej::Variable b(ej::zeros({3}) + 0.5f, "b");
      Tensor x = ej::ones({2, 4});
      Tensor y = ej::relu(ej::matmul(x, w) + b);
      std::vector<double> v = ref::values(y);
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  ref::expect_close(run(), want, 0, 0);
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 3u);
}

TEST(Jit, RandomDrawsAreFreshInEveryReplay) {
  auto run = [] {
    ej::set_seed(5);
    std::vector<double> all;
    Tensor acc = ej::zeros({4});
    for (int i = 0; i < 12; ++i) {
      Tensor r = ej::random_normal({4});
      acc = acc + r;
      std::vector<double> v = ref::values(r);
      all.insert(all.end(), v.begin(), v.end());
    }
    std::vector<double> a = ref::values(acc);
    all.insert(all.end(), a.begin(), a.end());
    return all;
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  std::vector<double> got = run();
  ref::expect_close(got, want, 0, 0);
  EXPECT_NE(got[0], got[4]); // two draws differ
}

// `abs(-0.25) + 1` is weak (a literal's dtype rule) but no literal: inside
// a compiled region it is deferred like any op, and what meets it casts it
// rather than reading a value that is not there yet.
TEST(Jit, AWeakValueComputedFromLiteralsMayBeDeferred) {
  auto run = [] {
    Tensor x = ej::arange(6, ej::float32);
    for (int i = 0; i < 8; ++i) {
      ej::Step step;
      x = x / (ej::abs(Tensor(-0.25)) + 1) + 0.5f;
    }
    return ref::values(x);
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  ref::expect_close(run(), want, 0, 0);
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 5u);
}

TEST(Jit, AFullCacheEvictsAndStaysCorrect) {
  auto run = [] {
    std::vector<double> out;
    for (int n = 1; n <= 12; ++n) {
      Tensor x = ej::ones({n}, ej::float64);
      for (int i = 0; i < 4; ++i)
        x = x * 1.5 + 1;
      out.push_back(ej::reduce_sum(x).item<double>());
    }
    return out;
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  JitConfig::get().capacity = 2;
  ref::expect_close(run(), want, 0, 0);
}

// A hot region replays between the sightings of ever new regions (a new
// shape each time): it is the most recently used, and stays compiled while
// the others go.
TEST(Jit, AFullCacheKeepsTheRegionInUseAndEvictsTheOthers) {
  JitScope jit;
  JitConfig::get().capacity = 3;
  Tensor x = ej::ones({8});
  auto hot = [&] {
    ej::Step step;
    x = ej::sin(x) * 0.5f + 1;
  };
  for (int i = 0; i < 3; ++i)
    hot();
  ASSERT_EQ(ej::jit::stats().regions_compiled, 1u);
  for (int n = 2; n < 12; ++n) {
    hot();
    ej::Step step;
    Tensor once = ej::ones({n}) * 2.0f; // a region seen once
  }
  ej::jit::Stats s = ej::jit::stats();
  EXPECT_EQ(s.regions_compiled, 1u) << "the hot region was evicted";
  EXPECT_EQ(s.cache_hits_memory, 11u);
  EXPECT_NEAR(x.to_vector<float>()[0], 1.4987, 1e-3);
}

TEST(Jit, ACompileFailureLeavesTheRegionOnTheInterpreter) {
  std::vector<double> want = without_jit([] { return loop(10); });
  JitScope jit([](mlir::Operation *, std::string &error) {
    error = "the test's compiler refuses";
    return std::unique_ptr<ej::detail::Executable>();
  });
  ref::expect_close(loop(10), want, 0, 0);
  ej::jit::Stats s = ej::jit::stats();
  EXPECT_GE(s.regions_failed, 1u);
  EXPECT_EQ(s.ops_compiled, 0u);
}

TEST(Jit, GradientsOfCompiledStepsMatch) {
  auto run = [] {
    ej::Variable w(ej::constant({1.0, -2.0, 0.5}), "w");
    Tensor x = ej::constant({0.3, 0.2, -0.1});
    auto grad = ej::implicit_gradients(
        [&] { return ej::reduce_sum(ej::square(w * x - 1)); });
    for (int i = 0; i < 15; ++i)
      for (auto &[g, v] : grad())
        v.assign_sub(g * 0.5);
    return ref::values(w.read());
  };
  std::vector<double> want = without_jit(run);
  JitScope jit;
  ref::expect_close(run(), want, 0, 0);
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 1u);
}

// A step's forward pass, its gradient and the update are one region: the
// gradient program's ops join the forward pass's deferred ones, and the
// step may be longer than a region outside a Step (256 ops).
TEST(Jit, ATrainingStepWithItsGradientIsOneRegion) {
  auto run = [](bool count) {
    ej::set_seed(9);
    std::vector<ej::Variable> ws;
    for (int i = 0; i < 40; ++i)
      ws.emplace_back(ej::random_normal({4}, ej::float64), "w");
    Tensor x = ej::random_normal({4}, ej::float64);
    auto grads = ej::implicit_gradients([&] {
      Tensor loss = ej::constant(0.0);
      for (ej::Variable &w : ws)
        loss = loss + ej::reduce_sum(ej::square(ej::tanh(w.read() * x) - 0.5));
      return loss;
    });
    for (int i = 0; i < 8; ++i) {
      ej::Step step;
      for (auto &[g, v] : grads())
        v.assign_sub(g * 0.25);
    }
    if (count) {
      ej::jit::Stats s = ej::jit::stats();
      EXPECT_EQ(s.regions_compiled, 1u);
      EXPECT_EQ(s.fallbacks, 0u);
      EXPECT_GT(s.ops_compiled, 256u);
    }
    return ref::values(ws.back().read());
  };
  std::vector<double> want = without_jit([&] { return run(false); });
  JitScope jit;
  ref::expect_close(run(true), want, 1e-15, 1e-15);
}

TEST(Jit, StepScopesCutRegions) {
  JitScope jit;
  Tensor x = ej::ones({32});
  for (int i = 0; i < 10; ++i) {
    ej::Step step;
    x = ej::exp(x * 0.1f) - 1; // exp starts no new region: the Step does
    x = x * 0.5f;
  }
  EXPECT_GE(ej::jit::stats().cache_hits_memory, 5u);
  EXPECT_NEAR(x.to_vector<float>()[0], 0.0f, 1.0f);
}

} // namespace

namespace {

// synchronize() waits for the work issued, so the ops the JIT holds back
// (a region being matched) are issued first: when it returns, the results
// are there, and another thread may read them.
TEST(Jit, SynchronizeRunsTheOpsTheJitHoldsBack) {
  ej::set_seed(5);
  Tensor x = ej::random_uniform({64}, ej::float32, -1, 1);
  Tensor y = ej::random_uniform({64}, ej::float32, 0, 1);
  Tensor kept;
  auto iteration = [&] {
    kept = ej::tanh(ej::exp(((x * y + 1) * x - y) / (y + 2)));
    ej::synchronize();
  };
  std::vector<double> want = without_jit([&] {
    iteration();
    return ref::values(kept);
  });
  JitScope jit;
  for (int i = 0; i < 12; ++i)
    iteration();
  EXPECT_GT(ej::jit::stats().cache_hits_memory, 0u);
  std::vector<double> got;
  std::string error;
  std::thread reader([&] {
    try {
      got = ref::values(kept);
    } catch (const ej::Error &e) {
      error = e.what();
    }
  });
  reader.join();
  EXPECT_EQ(error, "");
  ref::expect_close(got, want, 0, 0);
}

// Inside a Step the recurrence rule is off: a step that applies the same
// op again (a layer twice, an unrolled loop) stays one region.
TEST(Jit, AStepThatRepeatsAnOpIsOneRegion) {
  auto steps = [](int n) {
    Tensor y = ej::fill({16}, 0.5);
    Tensor a = ej::ones({16});
    for (int i = 0; i < n; ++i) {
      ej::Step step;
      for (int k = 0; k < 5; ++k)
        a = ej::sin(a * y) + 0.25f;
    }
    return ref::values(a);
  };
  std::vector<double> want = without_jit([&] { return steps(20); });
  JitScope jit;
  std::vector<double> got = steps(20);
  ref::expect_close(got, want, 0, 0);
  ej::jit::reset_stats();
  steps(10);
  ej::jit::Stats s = ej::jit::stats();
  // One replay per step, each of the step's 20 ops (mul, sin, the
  // literal 0.25 and add, five times).
  EXPECT_EQ(s.cache_hits_memory, 10u);
  EXPECT_EQ(s.ops_compiled, 200u);
  EXPECT_EQ(s.ops_cold, 2u) << "the fill and ones outside the steps";
}

// A thread remembers the last region it ended; once the cache forgets that
// region, the thread must not keep counting sightings of the stale one.
TEST(Jit, AClearedCacheCompilesTheRegionAgain) {
  JitScope jit;
  Tensor x = ej::ones({8}), y = ej::fill({8}, 0.5);
  auto steps = [&] {
    for (int i = 0; i < 4; ++i) {
      ej::Step step;
      x = ej::tanh(x * y + 1);
    }
  };
  steps();
  EXPECT_EQ(ej::jit::stats().regions_compiled, 1u);
  ej::jit::clear_cache();
  ej::jit::reset_stats();
  steps();
  ej::jit::Stats s = ej::jit::stats();
  EXPECT_EQ(s.regions_compiled, 1u);
  EXPECT_GE(s.cache_hits_memory, 1u);
}

TEST(Jit, DumpDirHoldsEachCompiledRegionBeforeAndAfterThePasses) {
  std::string dir = ::testing::TempDir() + "ej-dumps";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  JitScope jit;
  JitConfig::get().dump_dir = dir;
  Tensor x = ej::ones({5, 3});
  for (int i = 0; i < 6; ++i) {
    ej::Step step;
    x = ej::relu(x * 0.5f - 0.1f) + ej::reduce_mean(x, {1}, true);
  }
  std::vector<std::string> before, after;
  for (const auto &e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    (name.find(".opt.") != std::string::npos ? after : before)
        .push_back(e.path().string());
  }
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(before.size(), after.size());
  for (const std::string &path : before) {
    std::ifstream f(path);
    std::string text((std::istreambuf_iterator<char>(f)),
                     std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("func.func @region"), std::string::npos) << text;
    // A dump is a program ej-run can run: random inputs of its types.
    std::vector<Tensor> inputs;
    for (const ej::jit::TensorType &t : ej::jit::mlir_arguments(text))
      inputs.push_back(ej::random_uniform(t.shape, t.dtype));
    EXPECT_FALSE(ej::jit::run_mlir(text, inputs).empty()) << path;
  }
  std::filesystem::remove_all(dir);
}

} // namespace

namespace {

TEST(Jit, ThreadsThatEndMidRegionLeaveCleanly) {
  JitScope jit;
  std::vector<double> got;
  for (int round = 0; round < 5; ++round) {
    std::thread t([&] {
      Tensor x = ej::ones({4});
      for (int i = 0; i < 20; ++i)
        x = ej::stack({x[0] * 2, x[1], x[2], x[3]});
      got = ref::values(x * 1); // recorded, then the thread ends
    });
    t.join();
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0], std::ldexp(1.0, 20));
  }
}

} // namespace
