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

  // Variables need no initializer: x = tf.Variable(random 2x2);
  // z = tf.matmul(tf.constant([[1, 2.]]), x).
  ej::Variable m(ej::random_normal({2, 2}), "x");
  std::cout << ej::matmul(ej::constant({{1, 2.}}), m) << "\n";

  // Seed 001: a variable counted down by assign_sub.
  ej::Variable c(1.0f, "c");
  for (int i = 0; i < 10; ++i)
    c.assign_sub(0.1f);
  std::cout << "after 10 steps of assign_sub(0.1): " << c.read() << "\n";
}
