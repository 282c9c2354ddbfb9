//===- optim.h - Optimizers and learning-rate schedules ---------*- C++ -*-===//
//
// The C++ form of tf.train / tf.keras.optimizers. An optimizer turns
// (gradient, variable) pairs -- what ej::implicit_gradients returns -- into
// in-place updates of the variables, written as eager ops on Variables (so
// that the JIT records and fuses one optimizer step like any other code):
//
//   ej::optim::Adam opt(1e-3);
//   auto grad = ej::implicit_gradients(loss);
//   for (...)
//     opt.apply_gradients(grad(model, x, y));
//
// State lives in Variables: `iterations` (int64, the number of steps
// applied) and per-variable slots (Adam's m and v, ...), created on first
// use or by build(). named_variables() names them for a checkpoint.
//
// The learning rate is a Schedule: a constant or a callable of the step
// (the value of `iterations` before the update), evaluated with eager ops
// on the step so that a decaying rate does not change the recorded program.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_OPTIM_H
#define EJ_OPTIM_H

#include "ej/Tensor.h"
#include "ej/Variable.h"

#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ej::optim {

using GradsAndVars = std::vector<std::pair<Tensor, Variable>>;
using NamedVariables = std::vector<std::pair<std::string, Variable>>;

/// A learning rate as a function of the step. `Schedule s = 0.01;` is a
/// constant. The tensor form takes an integer scalar step and returns a
/// float64 scalar computed with eager ops; the host form is a convenience
/// for printing and tests.
class Schedule {
public:
  using Fn = std::function<Tensor(const Tensor &step)>;
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Schedule(T constant) : Schedule(constant_fn(static_cast<double>(constant))) {}
  explicit Schedule(Fn fn);

  Tensor operator()(const Tensor &step) const;
  double operator()(int64_t step) const;

private:
  static Fn constant_fn(double value);
  Fn fn_;
};

/// `value` at every step.
Schedule constant(double value);
/// initial * rate^(step / decay_steps); with `staircase` the exponent is
/// floored (tf.keras.optimizers.schedules.ExponentialDecay).
Schedule exponential_decay(double initial, int64_t decay_steps, double rate,
                           bool staircase = false);
/// values[0] while step <= boundaries[0], values[i] while step <=
/// boundaries[i], values.back() after (PiecewiseConstantDecay); values has
/// one entry more than the increasing boundaries.
Schedule piecewise_constant(std::vector<int64_t> boundaries,
                            std::vector<double> values);
/// initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
/// decay_steps)) + alpha) (CosineDecay without warmup).
Schedule cosine_decay(double initial, int64_t decay_steps, double alpha = 0);

/// The base of every optimizer: iterations, slots, the learning rate, and
/// apply_gradients / minimize built on one per-variable update rule. Its
/// step counter and slots are variables updated by reading and assigning
/// (ej/Variable.h): threads that share an optimizer must take turns.
class Optimizer {
public:
  explicit Optimizer(Schedule learning_rate, std::string name);
  virtual ~Optimizer();
  Optimizer(const Optimizer &) = delete;
  Optimizer &operator=(const Optimizer &) = delete;

  /// Updates each variable from its gradient, then adds one to
  /// iterations. Pairs with an undefined gradient are skipped; a gradient
  /// whose shape or dtype differs from its variable's is an ej::Error
  /// (thrown before any variable changes).
  void apply_gradients(const GradsAndVars &grads_and_vars);
  /// Computes `loss()` under a GradientTape, applies its gradients with
  /// respect to `vars`, and returns the loss.
  Tensor minimize(const std::function<Tensor()> &loss,
                  const std::vector<Variable> &vars);

  /// Creates the slots of `vars` now (restoring a checkpoint into a fresh
  /// optimizer needs them to exist).
  void build(const std::vector<Variable> &vars);

  /// Steps applied so far (an int64 scalar Variable).
  const Variable &iterations() const { return iterations_; }
  /// The learning rate at the current step, as a float64 scalar.
  Tensor learning_rate() const;
  const std::string &name() const { return name_; }

  /// The slot `slot` ("m", "v", ...) of `var`, or an error if there is none.
  Variable slot(const Variable &var, const std::string &slot) const;
  /// The names of the slots each variable gets, in order.
  virtual std::vector<std::string> slot_names() const = 0;
  /// iterations and every slot, for saving: "<name>/iterations" and
  /// "<name>/<variable name>/<slot>" for the trainable variables of
  /// `model_vars`, building their slots if needed.
  NamedVariables named_variables(const NamedVariables &model_vars);

protected:
  /// One variable's update from its gradient. `lr` is the learning rate in
  /// the variable's dtype, `step` the 1-based step number as a float64
  /// scalar; `slots` are the variable's slots in slot_names() order.
  virtual void update(Variable &var, const Tensor &grad,
                      std::vector<Variable> &slots, const Tensor &lr,
                      const Tensor &step) = 0;

private:
  std::vector<Variable> &slots_of(const Variable &var);
  /// The schedule's rate at `iteration`, checked to be a float scalar.
  Tensor rate_at(const Tensor &iteration) const;

  Schedule learning_rate_;
  std::string name_;
  Variable iterations_;
  std::map<uint64_t, std::vector<Variable>> slots_;
};

/// var -= lr * g.
class GradientDescent : public Optimizer {
public:
  explicit GradientDescent(Schedule learning_rate = 0.01);
  std::vector<std::string> slot_names() const override { return {}; }

protected:
  void update(Variable &var, const Tensor &grad, std::vector<Variable> &slots,
              const Tensor &lr, const Tensor &step) override;
};

/// The heavy-ball form of tf.compat.v1.train.MomentumOptimizer (and
/// PyTorch's SGD): a = momentum * a + g; var -= lr * a, or with Nesterov
/// var -= lr * (g + momentum * a). Slot: "accumulator".
class Momentum : public Optimizer {
public:
  explicit Momentum(Schedule learning_rate = 0.01, double momentum = 0.9,
                    bool nesterov = false);
  std::vector<std::string> slot_names() const override {
    return {"accumulator"};
  }

protected:
  void update(Variable &var, const Tensor &grad, std::vector<Variable> &slots,
              const Tensor &lr, const Tensor &step) override;

private:
  double momentum_;
  bool nesterov_;
};

/// Adam as in tf.keras: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// var -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon).
/// Slots: "m", "v".
class Adam : public Optimizer {
public:
  explicit Adam(Schedule learning_rate = 0.001, double beta_1 = 0.9,
                double beta_2 = 0.999, double epsilon = 1e-7);
  std::vector<std::string> slot_names() const override { return {"m", "v"}; }

protected:
  Adam(Schedule learning_rate, double beta_1, double beta_2, double epsilon,
       std::string name);
  void update(Variable &var, const Tensor &grad, std::vector<Variable> &slots,
              const Tensor &lr, const Tensor &step) override;

private:
  double beta_1_, beta_2_, epsilon_;
};

/// Adam with decoupled weight decay (tf.keras AdamW): first
/// var -= lr * weight_decay * var, then the Adam update.
class AdamW : public Adam {
public:
  explicit AdamW(Schedule learning_rate = 0.001, double weight_decay = 0.004,
                 double beta_1 = 0.9, double beta_2 = 0.999,
                 double epsilon = 1e-7);

protected:
  void update(Variable &var, const Tensor &grad, std::vector<Variable> &slots,
              const Tensor &lr, const Tensor &step) override;

private:
  double weight_decay_;
};

/// RMSProp as in tf.keras: v = rho v + (1 - rho) g^2; centered also keeps
/// mg = rho mg + (1 - rho) g and uses v - mg^2; the increment is
/// lr g / sqrt(denominator + epsilon), applied directly or through a
/// momentum slot (mom = momentum * mom + increment; var -= mom).
/// Slots: "velocity", then "momentum" if momentum > 0, then
/// "average_gradient" if centered.
class RMSProp : public Optimizer {
public:
  explicit RMSProp(Schedule learning_rate = 0.001, double rho = 0.9,
                   double momentum = 0, double epsilon = 1e-7,
                   bool centered = false);
  std::vector<std::string> slot_names() const override;

protected:
  void update(Variable &var, const Tensor &grad, std::vector<Variable> &slots,
              const Tensor &lr, const Tensor &step) override;

private:
  double rho_, momentum_, epsilon_;
  bool centered_;
};

} // namespace ej::optim

#endif // EJ_OPTIM_H
