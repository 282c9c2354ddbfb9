//===- devices.cpp - Seed 002: timing a matmul, and the devices ----------===//
#include "Examples.h"

#include <chrono>
#include <ej/ej.h>
#include <iostream>

namespace {

std::string measure(const ej::Tensor &x) {
  // The first call warms up (allocator caches, BLAS threads).
  ej::matmul(x, x);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i)
    ej::matmul(x, x);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return "Took " + std::to_string(took.count()) + " seconds to multiply a " +
         ej::shape_str(x.shape()) + " matrix by itself 10 times";
}

} // namespace

void examples::devices() {
  std::cout << "CPU: " << measure(ej::random_normal({1000, 1000})) << "\n";
  std::cout << "GPUs visible: " << ej::num_gpus() << "\n";

  // The seed's `with tf.device("gpu:0")`: on a machine without a GPU the
  // request is an ej::Error that says so, and the program goes on on the CPU.
  try {
    ej::DeviceScope gpu("gpu:0");
    std::cout << "GPU: " << measure(ej::random_normal({1000, 1000})) << "\n";
  } catch (const ej::Error &e) {
    std::cout << "GPU: " << e.what() << "\n";
  }

  ej::Tensor x = ej::random_normal({10, 10});
  std::cout << "x lives on " << x.device() << "\n";
  ej::Tensor back = x.cpu();
  std::cout << "x.cpu() lives on " << back.device() << "\n";
}
