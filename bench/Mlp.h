//===- Mlp.h - The MLP that the autodiff benchmarks differentiate -*- C++
//-*-===//
//
// A Fashion-MNIST-sized classifier: batch 64, 784 -> 128 (relu) -> 10,
// softmax cross-entropy written with elementary ops (max, exp, log, sum),
// the same ops in EagerJIT and in libtorch.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_BENCH_MLP_H
#define EJ_BENCH_MLP_H

#include <cstdint>

namespace mlp {
inline constexpr int64_t kBatch = 64, kIn = 784, kHidden = 128, kClasses = 10;
} // namespace mlp

#endif // EJ_BENCH_MLP_H
