//===- ThreadTest.cpp - Tensors shared across threads, per-thread traces --===//
#include "JitHarness.h"
#include "Reference.h"

#include <atomic>
#include <cmath>
#include <functional>
#include <string>
#include <thread>

TEST(Threads, ConcurrentOpsOnSharedInputsGiveTheSerialResults) {
  ej::Tensor shared = ej::random_uniform({64, 64}, ej::float64);
  ej::Tensor big = ej::random_uniform({1 << 20});
  ej::Tensor want_small =
      ej::reduce_sum(ej::matmul(shared, shared) * 2 - shared);
  ej::Tensor want_big = ej::reduce_sum(big + big);
  // Within rounding: once the loop is hot, the tracing JIT runs it
  // compiled, and compiled sums may add in another order.
  auto close = [](double got, double want, double rel) {
    return std::fabs(got - want) <= rel * std::fabs(want);
  };
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        ej::Tensor s = ej::reduce_sum(ej::matmul(shared, shared) * 2 - shared);
        if (!close(s.item<double>(), want_small.item<double>(), 1e-12))
          ++mismatches;
        if (i % 25 == 0 && !close(ej::reduce_sum(big + big).item<float>(),
                                  want_big.item<float>(), 1e-5))
          ++mismatches;
      }
    });
  for (auto &t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

#include "runtime/cpu/Parallel.h"

TEST(Threads, KernelsGiveTheSameResultsOnOneThreadAndOnSeveral) {
  ej::set_seed(5);
  ej::Tensor a = ej::random_normal({600, 700}), b = ej::random_normal({700});
  auto compute = [&] {
    return std::vector<ej::Tensor>{
        ej::tanh(a) * b + 1,    ej::transpose(a) - 2,
        ej::reduce_max(a, {0}), ej::reduce_sum(a, {1}),
        ej::reduce_sum(a),      ej::random_uniform({1 << 18})};
  };
  int threads = ej::runtime::num_threads();
  ej::runtime::set_num_threads(1);
  ej::set_seed(9);
  std::vector<ej::Tensor> serial = compute();
  ej::runtime::set_num_threads(std::max(threads, 2));
  ej::set_seed(9);
  std::vector<ej::Tensor> parallel = compute();
  ej::runtime::set_num_threads(threads);
  for (size_t i = 0; i < serial.size(); ++i) {
    SCOPED_TRACE(i);
    // Elementwise work, maxima and random draws are exact; sums may
    // associate differently.
    ref::expect_close(ref::values(parallel[i]), ref::values(serial[i]),
                      i == 3 || i == 4 ? 1e-5 : 0, i == 3 || i == 4 ? 1e-4 : 0);
  }
}

// A value that another thread's compiled region has not computed yet (its
// handle passed on in the middle of the region) cannot be used: a clear
// error, not a read of memory that is not there.
TEST(Threads, AValueAnotherThreadHasNotComputedYetIsAClearError) {
  ejtest::JitScope jit; // on, compiling at once
  ej::Tensor x = ej::random_uniform({256});
  auto body = [&](const std::function<void(const ej::Tensor &)> &middle) {
    ej::Step step;
    ej::Tensor y = x * 2;
    middle(y);
    return y + 1;
  };
  for (int i = 0; i < 3; ++i) // hot and compiled
    body([](const ej::Tensor &) {});
  std::string error;
  ej::Tensor z = body([&](const ej::Tensor &y) {
    std::thread other([&] {
      try {
        ej::Tensor w = y - 1;
      } catch (const ej::Error &e) {
        error = e.what();
      }
    });
    other.join();
  });
  EXPECT_NE(error.find("sub: input 0 is a value that another thread's "
                       "compiled region has not computed yet"),
            std::string::npos)
      << error;
  // The region itself goes on and ends as usual.
  ref::expect_close(ref::values(z), ref::values(x * 2 + 1), 0);
}

// The same value reaching the other thread while that thread follows a
// compiled region of its own: the records it deferred still run.
TEST(Threads, AValueNotComputedYetIsAClearErrorInADeferredRegionToo) {
  ejtest::JitScope jit;
  ej::Tensor x = ej::random_uniform({256}), v = ej::random_uniform({256});
  auto own = [&](const ej::Tensor &operand) {
    ej::Step step;
    ej::Tensor a = v * 3;
    return a - operand;
  };
  for (int i = 0; i < 3; ++i) // the other thread's region: hot and compiled
    own(v);
  std::string error;
  ej::Tensor a;
  {
    ej::Step step;
    ej::Tensor y = x * 2;
    std::thread other([&] {
      ej::Step s;
      a = v * 3; // deferred: the stream follows `own`'s region
      try {
        ej::Tensor w = a - y;
      } catch (const ej::Error &e) {
        error = e.what();
      }
    });
    other.join();
  }
  EXPECT_NE(error.find("sub: input 1 is a value that another thread's "
                       "compiled region has not computed yet"),
            std::string::npos)
      << error;
  ref::expect_close(ref::values(a), ref::values(v * 3), 0);
}
