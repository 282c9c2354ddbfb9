//===- Initializers.cpp - Glorot, He, zeros and uniform initializers ------===//
//
// All random initializers draw from the library's Philox ops, so that
// ej::set_seed makes a model's initial weights reproducible.
//
//===----------------------------------------------------------------------===//
#include "ej/nn.h"

#include <cmath>

namespace ej::nn {

std::pair<int64_t, int64_t> fans(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return {1, 1};
  if (shape.size() == 1)
    return {shape[0], shape[0]};
  int64_t receptive = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i)
    receptive *= shape[i];
  return {shape[shape.size() - 2] * receptive, shape.back() * receptive};
}

Initializer glorot_uniform() {
  return [](const std::vector<int64_t> &shape, DType dtype) {
    auto [in, out] = fans(shape);
    double limit = std::sqrt(6.0 / double(std::max<int64_t>(in + out, 1)));
    return ej::random_uniform(shape, dtype, -limit, limit);
  };
}

Initializer he_normal() {
  return [](const std::vector<int64_t> &shape, DType dtype) {
    int64_t in = fans(shape).first;
    return random_normal(shape, dtype, 0,
                         std::sqrt(2.0 / double(std::max<int64_t>(in, 1))));
  };
}

Initializer zeros() {
  return [](const std::vector<int64_t> &shape, DType dtype) {
    return ej::zeros(shape, dtype);
  };
}

Initializer ones() {
  return [](const std::vector<int64_t> &shape, DType dtype) {
    return ej::ones(shape, dtype);
  };
}

Initializer random_uniform(double minval, double maxval) {
  if (!(minval < maxval))
    throw Error("random_uniform: minval must be below maxval, got " +
                std::to_string(minval) + " and " + std::to_string(maxval));
  return [=](const std::vector<int64_t> &shape, DType dtype) {
    return ej::random_uniform(shape, dtype, minval, maxval);
  };
}

} // namespace ej::nn
