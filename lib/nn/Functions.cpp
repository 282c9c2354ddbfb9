//===- Functions.cpp - Activations and losses -----------------------------===//
//
// Built from the core ops only, so that each one differentiates through the
// ops' VJP rules and fuses like them. Maxima are subtracted under
// stop_gradient: the result does not depend on them, and their gradient
// would only cost a reduction.
//
//===----------------------------------------------------------------------===//
#include "ej/nn.h"
#include "lib/Device.h"

#include <cmath>

namespace ej::nn {
namespace {

void need_float(const Tensor &t, const char *op, const char *arg) {
  if (!t.defined())
    throw Error(std::string(op) + ": " + arg + " is undefined");
  if (!is_floating(t.dtype()))
    throw Error(std::string(op) + ": " + arg +
                " must be float32 or float64, got " + dtype_name(t.dtype()));
}

void need_rank(const Tensor &t, const char *op, const char *arg) {
  if (t.rank() == 0)
    throw Error(std::string(op) + ": " + arg +
                " must have at least one axis, got a scalar");
}

Tensor shifted(const Tensor &logits, int64_t axis) {
  return logits - stop_gradient(reduce_max(logits, {axis}, true));
}

} // namespace

Tensor gelu(const Tensor &x) { return gelu(x, false); }

Tensor gelu(const Tensor &x, bool approximate) {
  need_float(x, "gelu", "x");
  if (approximate) {
    const double k = std::sqrt(2.0 / M_PI);
    return x * 0.5 * (tanh((x + x * x * x * 0.044715) * k) + 1.0);
  }
  return x * 0.5 * (erf(x * M_SQRT1_2) + 1.0);
}

Tensor softmax(const Tensor &logits) { return softmax(logits, -1); }

Tensor softmax(const Tensor &logits, int64_t axis) {
  need_float(logits, "softmax", "logits");
  need_rank(logits, "softmax", "logits");
  Tensor e = exp(shifted(logits, axis));
  return e / reduce_sum(e, {axis}, true);
}

Tensor layer_norm(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                  int64_t axis, double epsilon) {
  need_float(x, "layer_norm", "x");
  need_rank(x, "layer_norm", "x");
  need_float(gamma, "layer_norm", "gamma");
  need_float(beta, "layer_norm", "beta");
  if (!(epsilon >= 0))
    throw Error("layer_norm: epsilon must be at least 0, got " +
                std::to_string(epsilon));
  Tensor d = x - reduce_mean(x, {axis}, true);
  Tensor variance = reduce_mean(square(d), {axis}, true);
  return d * rsqrt(variance + epsilon) * gamma + beta;
}

Tensor log_softmax(const Tensor &logits) { return log_softmax(logits, -1); }

Tensor log_softmax(const Tensor &logits, int64_t axis) {
  need_float(logits, "log_softmax", "logits");
  need_rank(logits, "log_softmax", "logits");
  Tensor s = shifted(logits, axis);
  return s - log(reduce_sum(exp(s), {axis}, true));
}

Tensor sigmoid_cross_entropy_with_logits(const Tensor &labels,
                                         const Tensor &logits) {
  const char *op = "sigmoid_cross_entropy_with_logits";
  need_float(logits, op, "logits");
  need_float(labels, op, "labels");
  if (labels.shape() != logits.shape())
    throw Error(
        std::string(op) + ": labels and logits must have the same shape, got " +
        shape_str(labels.shape()) + " and " + shape_str(logits.shape()));
  return relu(logits) - logits * labels + log(exp(-abs(logits)) + 1.0);
}

Tensor softmax_cross_entropy_with_logits(const Tensor &labels,
                                         const Tensor &logits, int64_t axis) {
  const char *op = "softmax_cross_entropy_with_logits";
  need_float(logits, op, "logits");
  need_float(labels, op, "labels");
  need_rank(logits, op, "logits");
  if (labels.shape() != logits.shape())
    throw Error(
        std::string(op) + ": labels and logits must have the same shape, got " +
        shape_str(labels.shape()) + " and " + shape_str(logits.shape()));
  return -reduce_sum(labels * log_softmax(logits, axis), {axis});
}

Tensor sparse_softmax_cross_entropy_with_logits(const Tensor &labels,
                                                const Tensor &logits) {
  const char *op = "sparse_softmax_cross_entropy_with_logits";
  need_float(logits, op, "logits");
  need_rank(logits, op, "logits");
  if (!labels.defined() || !is_integer(labels.dtype()))
    throw Error(std::string(op) + ": labels must be int32 or int64, got " +
                (labels.defined() ? dtype_name(labels.dtype()) : "undefined"));
  std::vector<int64_t> batch = logits.shape();
  int64_t classes = batch.back();
  batch.pop_back();
  if (labels.shape() != batch)
    throw Error(std::string(op) + ": labels must have shape " +
                shape_str(batch) + " (the logits' " +
                shape_str(logits.shape()) + " without the class axis), got " +
                shape_str(labels.shape()));
  Tensor picked =
      one_hot(labels, classes, 1, 0, logits.dtype()) * log_softmax(logits);
  Tensor loss = -reduce_sum(picked, {-1});
  Tensor valid = (labels >= 0) && (labels < classes);
  return where(valid, loss, detail::host_scalar(NAN, logits.dtype()));
}

} // namespace ej::nn
