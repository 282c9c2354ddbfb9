//===- Optimizers.cpp - Gradient descent, Momentum, Adam(W), RMSProp ------===//
//
// Every update is a few eager ops ending in Variable::assign, so that a
// traced training step holds the whole optimizer step and the JIT can fuse
// the many small same-shape updates into one kernel.
//
//===----------------------------------------------------------------------===//
#include "ej/autodiff.h"
#include "ej/ops.h"
#include "ej/optim.h"
#include "lib/Device.h"
#include "lib/OpSupport.h"
#include "lib/VariableImpl.h"

#include <cmath>

namespace ej::optim {
namespace {

std::string var_label(const Variable &v) {
  return v.name().empty() ? "#" + std::to_string(v.id()) : "'" + v.name() + "'";
}

} // namespace

Optimizer::Optimizer(Schedule learning_rate, std::string name)
    : learning_rate_(std::move(learning_rate)), name_(std::move(name)),
      iterations_(Tensor::from_vector(std::vector<int64_t>{0}, {}),
                  name_ + "/iterations", /*trainable=*/false) {}

Optimizer::~Optimizer() = default;

Tensor Optimizer::learning_rate() const { return rate_at(iterations_.read()); }

Tensor Optimizer::rate_at(const Tensor &iteration) const {
  Tensor lr = learning_rate_(iteration);
  if (!lr.defined() || lr.rank() != 0 || !is_floating(lr.dtype()))
    throw Error(name_ + ": the learning rate must be a float scalar, got " +
                (lr.defined() ? std::string(dtype_name(lr.dtype())) + " " +
                                    shape_str(lr.shape())
                              : std::string("an undefined tensor")));
  return lr;
}

std::vector<Variable> &Optimizer::slots_of(const Variable &var) {
  auto it = slots_.find(var.id());
  if (it != slots_.end())
    return it->second;
  std::vector<Variable> slots;
  // The slots live beside their variable.
  detail::DeviceIndexScope on(var.impl()->device);
  for (const std::string &s : slot_names())
    slots.emplace_back(zeros(var.shape(), var.dtype()),
                       name_ + "/" + var.name() + "/" + s,
                       /*trainable=*/false);
  return slots_.emplace(var.id(), std::move(slots)).first->second;
}

void Optimizer::build(const std::vector<Variable> &vars) {
  for (const Variable &v : vars) {
    if (!v.defined())
      throw Error(name_ + ".build: a variable is undefined");
    if (!is_floating(v.dtype()))
      throw Error(name_ + ".build: variable " + var_label(v) +
                  " must be float32 or float64, got " + dtype_name(v.dtype()));
    slots_of(v);
  }
}

Variable Optimizer::slot(const Variable &var, const std::string &slot) const {
  auto it = slots_.find(var.id());
  std::vector<std::string> names = slot_names();
  if (it != slots_.end())
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == slot)
        return it->second[i];
  throw Error(name_ + ".slot: no slot '" + slot + "' for variable " +
              var_label(var));
}

void Optimizer::apply_gradients(const GradsAndVars &grads_and_vars) {
  // Everything is checked before the first variable changes.
  for (const auto &[g, v] : grads_and_vars) {
    if (!v.defined())
      throw Error(name_ + ".apply_gradients: a variable is undefined");
    if (!g.defined())
      continue;
    if (!is_floating(v.dtype()))
      throw Error(name_ + ".apply_gradients: variable " + var_label(v) +
                  " must be float32 or float64, got " + dtype_name(v.dtype()));
    if (g.dtype() != v.dtype() || g.shape() != v.shape())
      throw Error(name_ + ".apply_gradients: the gradient of " + var_label(v) +
                  " must be " + dtype_name(v.dtype()) + " " +
                  shape_str(v.shape()) + ", got " + dtype_name(g.dtype()) +
                  " " + shape_str(g.shape()));
  }
  // The step counter lives beside the variables: a step's scalar
  // arithmetic then runs where its updates do, and a GPU step is one
  // device's program for the tracing JIT.
  if (!grads_and_vars.empty())
    detail::move_variable(iterations_.impl(),
                          grads_and_vars.front().second.impl()->device);
  Tensor iter = iterations_.read();
  Tensor lr = rate_at(iter);
  // So does the learning rate, before its casts: a constant schedule's
  // rate is a host literal, and its cast on the host, used by every
  // update, would tie the GPU regions of a step cut in pieces (a long one)
  // to the host.
  if (!grads_and_vars.empty())
    lr = detail::copy_to(lr.impl(), iter.impl()->device);
  Tensor step = cast(iter + 1, float64);
  Tensor lr_of[2]; // float32, float64
  for (const auto &[g, v] : grads_and_vars) {
    if (!g.defined())
      continue;
    Tensor &l = lr_of[v.dtype() == float64];
    if (!l.defined())
      l = cast(lr, v.dtype());
    Variable var = v;
    update(var, g, slots_of(v), l, step);
  }
  iterations_.assign(iter + 1);
}

Tensor Optimizer::minimize(const std::function<Tensor()> &loss,
                           const std::vector<Variable> &vars) {
  if (!loss)
    throw Error(name_ + ": minimize: the loss function is empty");
  Tensor value;
  std::vector<Tensor> grads;
  {
    GradientTape tape;
    for (const Variable &v : vars)
      tape.watch(v);
    value = loss();
    grads = tape.gradient(value, vars);
  }
  GradsAndVars pairs;
  for (size_t i = 0; i < vars.size(); ++i)
    pairs.emplace_back(grads[i], vars[i]);
  apply_gradients(pairs);
  return value;
}

NamedVariables Optimizer::named_variables(const NamedVariables &model_vars) {
  NamedVariables out{{name_ + "/iterations", iterations_}};
  std::vector<std::string> names = slot_names();
  for (const auto &[name, v] : model_vars) {
    if (!v.trainable())
      continue;
    build({v});
    std::vector<Variable> &slots = slots_of(v);
    for (size_t i = 0; i < names.size(); ++i)
      out.emplace_back(name_ + "/" + name + "/" + names[i], slots[i]);
  }
  return out;
}

// --- The update rules --------------------------------------------------------

namespace {

// Hyperparameters are checked as constructed, NaN included (which no
// comparison admits): a bad one would turn every variable into NaN.
void require(bool ok, const std::string &who, const std::string &what,
             double got) {
  if (!ok)
    throw Error(who + ": " + what + ", got " + std::to_string(got));
}
void require_unit(const std::string &who, const char *name, double v) {
  require(v >= 0 && v < 1, who, std::string(name) + " must be in [0, 1)", v);
}
void require_nonnegative(const std::string &who, const char *name, double v) {
  require(v >= 0 && std::isfinite(v), who,
          std::string(name) + " must be finite and >= 0", v);
}
void require_epsilon(const std::string &who, double v) {
  require(v > 0 && std::isfinite(v), who, "epsilon must be finite and > 0", v);
}

} // namespace

GradientDescent::GradientDescent(Schedule learning_rate)
    : Optimizer(std::move(learning_rate), "GradientDescent") {}

void GradientDescent::update(Variable &var, const Tensor &grad,
                             std::vector<Variable> &, const Tensor &lr,
                             const Tensor &) {
  var.assign_sub(grad * lr);
}

Momentum::Momentum(Schedule learning_rate, double momentum, bool nesterov)
    : Optimizer(std::move(learning_rate), "Momentum"), momentum_(momentum),
      nesterov_(nesterov) {
  require_nonnegative("Momentum", "momentum", momentum);
}

void Momentum::update(Variable &var, const Tensor &grad,
                      std::vector<Variable> &slots, const Tensor &lr,
                      const Tensor &) {
  Tensor a = slots[0].read() * momentum_ + grad;
  slots[0].assign(a);
  if (nesterov_)
    var.assign_sub((grad + a * momentum_) * lr);
  else
    var.assign_sub(a * lr);
}

Adam::Adam(Schedule learning_rate, double beta_1, double beta_2, double epsilon)
    : Adam(std::move(learning_rate), beta_1, beta_2, epsilon, "Adam") {}

Adam::Adam(Schedule learning_rate, double beta_1, double beta_2, double epsilon,
           std::string name)
    : Optimizer(std::move(learning_rate), std::move(name)), beta_1_(beta_1),
      beta_2_(beta_2), epsilon_(epsilon) {
  require_unit(this->name(), "beta_1", beta_1);
  require_unit(this->name(), "beta_2", beta_2);
  require_epsilon(this->name(), epsilon);
}

void Adam::update(Variable &var, const Tensor &grad,
                  std::vector<Variable> &slots, const Tensor &lr,
                  const Tensor &step) {
  Variable &m = slots[0], &v = slots[1];
  Tensor new_m = m.read() * beta_1_ + grad * (1 - beta_1_);
  Tensor new_v = v.read() * beta_2_ + square(grad) * (1 - beta_2_);
  m.assign(new_m);
  v.assign(new_v);
  Tensor b1 = detail::host_scalar(beta_1_, float64),
         b2 = detail::host_scalar(beta_2_, float64);
  Tensor correction =
      cast(sqrt(1.0 - pow(b2, step)) / (1.0 - pow(b1, step)), var.dtype());
  var.assign_sub(new_m * (lr * correction) / (sqrt(new_v) + epsilon_));
}

AdamW::AdamW(Schedule learning_rate, double weight_decay, double beta_1,
             double beta_2, double epsilon)
    : Adam(std::move(learning_rate), beta_1, beta_2, epsilon, "AdamW"),
      weight_decay_(weight_decay) {
  require_nonnegative("AdamW", "weight_decay", weight_decay);
}

void AdamW::update(Variable &var, const Tensor &grad,
                   std::vector<Variable> &slots, const Tensor &lr,
                   const Tensor &step) {
  var.assign_sub(var.read() * (lr * weight_decay_));
  Adam::update(var, grad, slots, lr, step);
}

RMSProp::RMSProp(Schedule learning_rate, double rho, double momentum,
                 double epsilon, bool centered)
    : Optimizer(std::move(learning_rate), "RMSProp"), rho_(rho),
      momentum_(momentum), epsilon_(epsilon), centered_(centered) {
  require_unit("RMSProp", "rho", rho);
  require_nonnegative("RMSProp", "momentum", momentum);
  require_epsilon("RMSProp", epsilon);
}

std::vector<std::string> RMSProp::slot_names() const {
  std::vector<std::string> names{"velocity"};
  if (momentum_ > 0)
    names.push_back("momentum");
  if (centered_)
    names.push_back("average_gradient");
  return names;
}

void RMSProp::update(Variable &var, const Tensor &grad,
                     std::vector<Variable> &slots, const Tensor &lr,
                     const Tensor &) {
  Variable &velocity = slots[0];
  Tensor v = velocity.read() * rho_ + square(grad) * (1 - rho_);
  velocity.assign(v);
  Tensor denominator = v + epsilon_;
  if (centered_) {
    Variable &average = slots.back();
    Tensor a = average.read() * rho_ + grad * (1 - rho_);
    average.assign(a);
    denominator = v - square(a) + epsilon_;
  }
  Tensor increment = grad * lr / sqrt(denominator);
  if (momentum_ > 0) {
    Tensor mom = slots[1].read() * momentum_ + increment;
    slots[1].assign(mom);
    var.assign_sub(mom);
  } else {
    var.assign_sub(increment);
  }
}

} // namespace ej::optim
