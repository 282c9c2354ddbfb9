//===- demo.cpp - Runs the seeds' programs -------------------------------===//
//
//   ej-demo [--full] [--out DIR]
//
// --full trains the Fashion-MNIST models on their long schedules (the MLP
// for ten epochs, the CNN for the seed's 20000 steps) instead of one epoch;
// --out is where the training writes its CSV, SVG and checkpoint (out/).
//
//===----------------------------------------------------------------------===//
#include "Examples.h"

#include <cstring>
#include <ej/ej.h>
#include <iostream>

int main(int argc, char **argv) {
  examples::TrainingOptions training;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--full") == 0) {
      training.full = true;
    } else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      training.out_dir = argv[++i];
    } else {
      std::cerr << "usage: ej-demo [--full] [--out DIR]\n";
      return 2;
    }
  }
  try {
    std::cout << "== A first eager program (seed 002) ==\n";
    examples::first_program();
    std::cout << "\n== Tensors in C++ control flow (seed 000) ==\n";
    examples::control_flow();
    std::cout << "\n== Timing and devices (seed 002) ==\n";
    examples::devices();
    std::cout << "\n== Automatic differentiation (seeds 000, 002, 003) ==\n";
    examples::gradients();
    std::cout << "\n== Building and training models (seed 002) ==\n";
    examples::training(training);
  } catch (const ej::Error &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
