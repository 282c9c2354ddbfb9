//===- first_program.cpp - Seed 002's first eager program ----------------===//
//
//   x = tf.matmul([[1, 2], [3, 4]], [[4, 5], [6, 7]])
//   y = tf.add(x, 1)
//   z = tf.random_uniform([5, 3])
//
//===----------------------------------------------------------------------===//
#include "Examples.h"

#include <ej/ej.h>
#include <iostream>

void examples::first_program() {
  // Multiply two 2x2 matrices, then add one to each element (add
  // broadcasts).
  ej::Tensor x = ej::matmul({{1, 2}, {3, 4}}, {{4, 5}, {6, 7}});
  ej::Tensor y = ej::add(x, 1);
  // A random 5x3 matrix.
  ej::Tensor z = ej::random_uniform({5, 3});
  std::cout << x << "\n" << y << "\n" << z << "\n\n";

  // Operators are the ops: + is add, * is mul, ...
  std::cout << (ej::ones({1}, ej::float32) + 1) * 2 - 1 << "\n\n";

  // Host values become tensors, and tensors give host values back.
  ej::Tensor a = ej::constant(2.f);
  ej::Tensor b = ej::constant(3.f);
  ej::Tensor c = a + b + 1;
  std::cout << c << "\n" << c.item<float>() << "\n";
}
