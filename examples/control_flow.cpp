//===- control_flow.cpp - Seed 000: tensors in C++ control flow ----------===//
#include "Examples.h"

#include <ej/ej.h>
#include <iostream>

void examples::control_flow() {
  // Printing fetches the value.
  ej::Tensor x = ej::constant(10);
  ej::Tensor y = ej::constant(32);
  std::cout << x + y << "\n";

  // A one-element tensor is a bool in a condition.
  x = ej::constant(30);
  if (x > 4)
    std::cout << "Greater than 4\n";

  // Plain loops over tensor values.
  ej::set_seed(0);
  ej::Tensor v = ej::random_normal({3});
  ej::Tensor w = v * 2;
  int doublings = 0;
  while (ej::global_norm({w}) < 1000) {
    w = w * 2;
    ++doublings;
  }
  std::cout << w << "  (after " << doublings << " doublings, norm "
            << ej::global_norm({w}).item<float>() << ")\n";

  // tf.matmul(tf.constant([[1, 2.]]), x) with a random 2x2 x.
  ej::Tensor m = ej::random_normal({2, 2});
  std::cout << ej::matmul(ej::constant({{1, 2.}}), m) << "\n";
}
