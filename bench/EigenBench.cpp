//===- EigenBench.cpp - Hand-fused expressions, the compile-time bound ----===//
//
// Built when Eigen is installed (scripts/setup --bench). One expression
// template is one loop: what a perfect fusion of the same ops achieves.
//
//===----------------------------------------------------------------------===//
#include "Sizes.h"

#include <Eigen/Core>

static void BM_Eigen_Chain8(benchmark::State &state) {
  int64_t n = int64_t(1) << 20;
  Eigen::ArrayXf x = Eigen::ArrayXf::Random(n);
  Eigen::ArrayXf y = (Eigen::ArrayXf::Random(n) + 1) / 2;
  Eigen::ArrayXf r(n);
  for (auto _ : state) {
    r = ((((x * y + 1) * x - y) / (y + 2)).exp()).tanh();
    benchmark::DoNotOptimize(r.data());
  }
  set_traffic(state, n, 3);
}
BENCHMARK(BM_Eigen_Chain8)->Unit(benchmark::kMicrosecond)->UseRealTime();
