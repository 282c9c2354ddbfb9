//===- TrainStep.h - The models of the training-step benchmarks ---*- C++
//-*-===//
//
// Two training steps measured in EagerJIT (JIT on and off) and libtorch:
// an MLP 784-512-512-10 at batch 128 and the seed's Fashion-MNIST CNN
// (conv 32 5x5 SAME, relu, max pool 2; conv 64 5x5 SAME, relu, max pool 2;
// dense 1024, relu, dropout 0.5; dense 10) at batch 64. A step is the
// forward pass in training mode, sparse softmax cross-entropy, the
// gradients of every weight and one Adam update (learning rate 1e-3).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_BENCH_TRAINSTEP_H
#define EJ_BENCH_TRAINSTEP_H

#include <cstdint>

namespace train_step {
inline constexpr int64_t kMlpBatch = 128, kMlpIn = 784, kMlpHidden = 512,
                         kClasses = 10;
inline constexpr int64_t kCnnBatch = 64, kImage = 28;
inline constexpr double kLearningRate = 1e-3;
} // namespace train_step

#endif // EJ_BENCH_TRAINSTEP_H
