//===- Examples.h - The seeds' programs, one function each --------*- C++
//-*-===//
#ifndef EJ_EXAMPLES_EXAMPLES_H
#define EJ_EXAMPLES_EXAMPLES_H

#include <string>

namespace examples {
/// Seed 002, "A library for numerical computation": matmul, add, random,
/// operator overloading, z = x + y + 1.
void first_program();
/// Seed 000, "Features": printing, tensors in conditionals, the
/// `while global_norm < 1000` loop, variables; seed 001's assign_sub loop.
void control_flow();
/// Seed 002, "GPU acceleration": timing a 1000x1000 matmul, devices.
void devices();
/// Seeds 000, 002 and 003 on gradients: tape gradients, derivatives of
/// every order, implicit gradients over Variables, the linear regressions.
void gradients();
struct TrainingOptions {
  bool full = false;           // the long schedules (MLP: ten epochs; CNN:
                               // the seed's 20000 steps) instead of one epoch
  std::string out_dir = "out"; // CSV, SVG and checkpoint
};
/// Seed 002, "Building and training models": an MLP and a CNN on
/// Fashion-MNIST.
void training(const TrainingOptions &options);
} // namespace examples

#endif // EJ_EXAMPLES_EXAMPLES_H
