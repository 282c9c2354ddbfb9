//===- ThreadTest.cpp - Tensors shared across threads, per-thread traces --===//
#include "Reference.h"

#include <atomic>
#include <thread>

TEST(Threads, ConcurrentOpsOnSharedInputsGiveTheSerialResults) {
  ej::Tensor shared = ej::random_uniform({64, 64}, ej::float64);
  ej::Tensor big = ej::random_uniform({1 << 20});
  ej::Tensor want_small = ej::reduce_sum(ej::matmul(shared, shared) * 2 - shared);
  ej::Tensor want_big = ej::reduce_sum(big + big);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        ej::Tensor s = ej::reduce_sum(ej::matmul(shared, shared) * 2 - shared);
        if (s.item<double>() != want_small.item<double>())
          ++mismatches;
        if (i % 25 == 0 &&
            ej::reduce_sum(big + big).item<float>() != want_big.item<float>())
          ++mismatches;
      }
    });
  for (auto &t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}
