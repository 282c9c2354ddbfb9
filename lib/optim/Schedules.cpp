//===- Schedules.cpp - Learning-rate schedules ----------------------------===//
//
// Each schedule is a function of the step computed with eager ops in
// float64, so that the recorded program of a training step is the same at
// every step while the rate it computes changes.
//
//===----------------------------------------------------------------------===//
#include "ej/ops.h"
#include "ej/optim.h"
#include "lib/Device.h"

#include <cmath>

namespace ej::optim {
namespace {

Tensor scalar(double v) { return detail::host_scalar(v, float64); }

Tensor step_as_double(const Tensor &step, const char *what) {
  if (!step.defined() || step.rank() != 0)
    throw Error(std::string(what) + ": the step must be a scalar, got " +
                (step.defined() ? shape_str(step.shape()) : "undefined"));
  return cast(step, float64);
}

void require_finite(const char *what, const char *name, double v) {
  if (!std::isfinite(v))
    throw Error(std::string(what) + ": " + name + " must be finite, got " +
                std::to_string(v));
}

} // namespace

Schedule::Fn Schedule::constant_fn(double value) {
  require_finite("constant", "the learning rate", value);
  return [value](const Tensor &step) {
    step_as_double(step, "constant");
    return scalar(value);
  };
}

Schedule::Schedule(Fn fn) : fn_(std::move(fn)) {
  if (!fn_)
    throw Error("Schedule: the function is empty");
}

Tensor Schedule::operator()(const Tensor &step) const { return fn_(step); }

double Schedule::operator()(int64_t step) const {
  return fn_(Tensor::from_vector(std::vector<int64_t>{step}, {}))
      .item<double>();
}

Schedule constant(double value) { return Schedule(value); }

Schedule exponential_decay(double initial, int64_t decay_steps, double rate,
                           bool staircase) {
  if (decay_steps <= 0)
    throw Error("exponential_decay: decay_steps must be positive, got " +
                std::to_string(decay_steps));
  require_finite("exponential_decay", "the initial rate", initial);
  // A negative base has no real power at fractional steps.
  if (!(rate >= 0) || !std::isfinite(rate))
    throw Error("exponential_decay: the decay rate must be finite and >= 0, "
                "got " +
                std::to_string(rate));
  return Schedule([=](const Tensor &step) {
    Tensor p = step_as_double(step, "exponential_decay") / double(decay_steps);
    if (staircase)
      p = floor(p);
    return pow(scalar(rate), p) * initial;
  });
}

Schedule piecewise_constant(std::vector<int64_t> boundaries,
                            std::vector<double> values) {
  if (values.size() != boundaries.size() + 1)
    throw Error("piecewise_constant: expected " +
                std::to_string(boundaries.size() + 1) + " values for " +
                std::to_string(boundaries.size()) + " boundaries, got " +
                std::to_string(values.size()));
  for (double v : values)
    require_finite("piecewise_constant", "every value", v);
  for (size_t i = 1; i < boundaries.size(); ++i)
    if (boundaries[i] <= boundaries[i - 1])
      throw Error("piecewise_constant: boundaries must increase, got " +
                  std::to_string(boundaries[i - 1]) + " then " +
                  std::to_string(boundaries[i]));
  return Schedule([boundaries = std::move(boundaries),
                   values = std::move(values)](const Tensor &step) {
    Tensor s = step_as_double(step, "piecewise_constant");
    Tensor rate = scalar(values.back());
    for (size_t i = boundaries.size(); i-- > 0;)
      rate = where(s <= double(boundaries[i]), scalar(values[i]), rate);
    return rate;
  });
}

Schedule cosine_decay(double initial, int64_t decay_steps, double alpha) {
  if (decay_steps <= 0)
    throw Error("cosine_decay: decay_steps must be positive, got " +
                std::to_string(decay_steps));
  require_finite("cosine_decay", "the initial rate", initial);
  require_finite("cosine_decay", "alpha", alpha);
  return Schedule([=](const Tensor &step) {
    Tensor s = minimum(step_as_double(step, "cosine_decay"),
                       scalar(double(decay_steps)));
    Tensor cosine = (cos(s * (M_PI / double(decay_steps))) + 1.0) * 0.5;
    return (cosine * (1 - alpha) + alpha) * initial;
  });
}

} // namespace ej::optim
