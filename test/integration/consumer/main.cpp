//===- main.cpp - A program built against an EagerJIT it did not build ---===//
#include <ej/ej.h>
#include <iostream>

int main() {
  ej::Tensor y = ej::matmul(ej::constant({{1, 2}, {3, 4}}),
                            ej::constant({{4, 5}, {6, 7}})) + 1;
  std::cout << y << "\n";
  return y.to_vector<int32_t>() == std::vector<int32_t>{17, 20, 37, 44} ? 0 : 1;
}
