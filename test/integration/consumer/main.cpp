//===- main.cpp - A program built against an EagerJIT it did not build ---===//
//
// Uses the public header only; exits non-zero if the result is wrong.
//
//===----------------------------------------------------------------------===//
#include <ej/ej.h>

#include <cstdint>
#include <iostream>
#include <vector>

int main() {
  ej::Tensor a = ej::constant({{1, 2}, {3, 4}});
  ej::Tensor b = ej::constant({{4, 5}, {6, 7}});
  ej::Tensor y = ej::matmul(a, b) + 1;
  std::cout << y << "\n";
  const std::vector<int32_t> expected = {17, 20, 37, 44};
  if (y.to_vector<int32_t>() != expected) {
    std::cerr << "consumer: expected [[17, 20], [37, 44]]\n";
    return 1;
  }
  return 0;
}
