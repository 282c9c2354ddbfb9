//===- demo.cpp - Runs the seeds' programs -------------------------------===//
#include "Examples.h"

#include <ej/ej.h>
#include <iostream>

int main() {
  try {
    std::cout << "== A first eager program (seed 002) ==\n";
    examples::first_program();
    std::cout << "\n== Tensors in C++ control flow (seed 000) ==\n";
    examples::control_flow();
    std::cout << "\n== Timing and devices (seed 002) ==\n";
    examples::devices();
    std::cout << "\n== Automatic differentiation (seeds 000, 002, 003) ==\n";
    examples::gradients();
  } catch (const ej::Error &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
