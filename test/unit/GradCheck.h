//===- GradCheck.h - Gradients against central finite differences -*- C++
//-*-===//
//
// The generic gradient checker that every differentiable op's test uses:
// the tape's gradient of sum(f(xs) * w), with w a fixed random weighting
// (so that a wrong permutation or broadcast cannot cancel out in a plain
// sum), against central differences of the same function in float64.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_UNIT_GRADCHECK_H
#define EJ_TEST_UNIT_GRADCHECK_H

#include "test/unit/Reference.h"

namespace gradcheck {

using Fn = std::function<ej::Tensor(const std::vector<ej::Tensor> &)>;

/// Checks every input's gradient element by element. The inputs are
/// float64 tensors; f may compute in any float dtype.
inline void check(const Fn &f, const std::vector<ej::Tensor> &inputs,
                  double tol = 1e-6, double eps = 1e-6) {
  ej::Tensor out = f(inputs);
  ej::Tensor w = ref::tensor(ref::uniform(ref::numel(out.shape()), 0.5, 1.5, 7),
                             out.shape(), ej::float64);
  auto objective = [&](const std::vector<ej::Tensor> &xs) {
    return ej::reduce_sum(ej::cast(f(xs), ej::float64) * w);
  };
  std::vector<ej::Tensor> grads;
  {
    ej::GradientTape tape;
    for (const ej::Tensor &x : inputs)
      tape.watch(x);
    grads = tape.gradient(objective(inputs), inputs);
  }
  ASSERT_EQ(grads.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(grads[i].shape(), inputs[i].shape()) << "input " << i;
    ASSERT_EQ(grads[i].dtype(), inputs[i].dtype()) << "input " << i;
    std::vector<double> x = ref::values(inputs[i]);
    std::vector<double> got = ref::values(grads[i]);
    for (size_t k = 0; k < x.size(); ++k) {
      auto at = [&](double delta) {
        std::vector<double> moved = x;
        moved[k] += delta;
        std::vector<ej::Tensor> xs = inputs;
        xs[i] = ref::tensor(moved, inputs[i].shape(), ej::float64);
        return objective(xs).item<double>();
      };
      double numeric = (at(eps) - at(-eps)) / (2 * eps);
      EXPECT_NEAR(got[k], numeric, tol * (1 + std::fabs(numeric)))
          << "input " << i << ", element " << k;
    }
  }
}

/// A float64 tensor of `shape` with values in [lo, hi), |x| >= min_abs.
inline ej::Tensor input(const ref::Shape &shape, unsigned seed, double lo = -2,
                        double hi = 2, double min_abs = 0.1) {
  return ref::tensor(ref::uniform(ref::numel(shape), lo, hi, seed, min_abs),
                     shape, ej::float64);
}

} // namespace gradcheck

#endif // EJ_TEST_UNIT_GRADCHECK_H
