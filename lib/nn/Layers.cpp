//===- Layers.cpp - Layer, Dense, Dropout, Flatten, BatchNorm, Embedding --===//
//
// Layers build their weights on the first call, from the input's shape
// (Keras style); a Model is a layer made of sublayers, Sequential the model
// that applies them in order.
//
//===----------------------------------------------------------------------===//
#include "ej/device.h"
#include "ej/nn.h"

#include <algorithm>
#include <functional>

namespace ej::nn {
namespace {

std::string dims(const std::vector<int64_t> &shape) { return shape_str(shape); }

} // namespace

// --- Layer -------------------------------------------------------------------

Layer::Layer(std::string name) : name_(std::move(name)) {}
Layer::~Layer() = default;

std::string Layer::where(const char *op) const {
  return std::string(op) + ": layer '" + name_ + "': ";
}

void Layer::mark_built(DType input_dtype) {
  if (!dtype_set_)
    dtype_ = is_floating(input_dtype) ? input_dtype : float32;
  built_ = true;
}

void Layer::set_dtype(DType dtype) {
  if (built_)
    throw Error(where("set_dtype") + "the layer is built already");
  if (!is_floating(dtype))
    throw Error(where("set_dtype") + "expected float32 or float64, got " +
                dtype_name(dtype));
  dtype_ = dtype;
  dtype_set_ = true;
}

void Layer::build(const std::vector<int64_t> &input_shape, DType dtype) {
  if (built_)
    return;
  mark_built(dtype);
  try {
    build_weights(input_shape);
  } catch (...) {
    built_ = false;
    throw;
  }
}

void Layer::build_weights(const std::vector<int64_t> &) {}

Tensor Layer::operator()(const Tensor &x, bool training) {
  if (!x.defined())
    throw Error(where("call") + "the input is undefined");
  if (!built_) {
    // Weights built on the first call live where its input does (a model
    // called on GPU tensors is a GPU model), unless a DeviceScope says.
    bool scoped = current_device() != "cpu:0";
    DeviceScope on(scoped ? current_device() : x.device());
    Layer::build(x.shape(), x.dtype());
  }
  return call(x, training);
}

Variable Layer::add_weight(const std::string &name, std::vector<int64_t> shape,
                           const Initializer &init, bool trainable) {
  if (!init)
    throw Error(where("add_weight") + "the initializer of '" + name +
                "' is empty");
  Tensor value = init(shape, dtype_);
  if (!value.defined())
    throw Error(where("add_weight") + "the initializer of '" + name +
                "' returned an undefined tensor");
  if (value.shape() != shape || value.dtype() != dtype_)
    throw Error(where("add_weight") + "the initializer of '" + name +
                "' must make " + dtype_name(dtype_) + " " + dims(shape) +
                ", it made " + dtype_name(value.dtype()) + " " +
                dims(value.shape()));
  Variable v(value, name_ + "/" + name, trainable);
  weights_.emplace_back(name, v);
  return v;
}

std::shared_ptr<Layer> Layer::track(std::shared_ptr<Layer> layer) {
  if (!layer)
    throw Error(where("track") + "the layer is null");
  // A layer inside itself would call itself for ever.
  std::function<bool(const Layer &)> holds_this = [&](const Layer &l) {
    return &l == this ||
           std::any_of(l.sublayers_.begin(), l.sublayers_.end(),
                       [&](const auto &s) { return holds_this(*s); });
  };
  if (holds_this(*layer))
    throw Error(where("track") + "'" + layer->name() +
                "' is this layer or holds it: a layer cannot contain itself");
  auto taken = [&](const std::string &n) {
    return std::any_of(sublayers_.begin(), sublayers_.end(),
                       [&](const auto &l) { return l->name() == n; });
  };
  std::string base = layer->name(), name = base;
  for (int i = 1; taken(name); ++i)
    name = base + "_" + std::to_string(i);
  layer->set_name(name);
  sublayers_.push_back(layer);
  return layer;
}

NamedVariables Layer::named_variables() const {
  NamedVariables out(weights_.begin(), weights_.end());
  for (const auto &l : sublayers_)
    for (auto &[name, v] : l->named_variables())
      out.emplace_back(l->name() + "/" + name, v);
  return out;
}

std::vector<Variable> Layer::variables() const {
  std::vector<Variable> out;
  for (auto &[name, v] : named_variables())
    out.push_back(v);
  return out;
}

std::vector<Variable> Layer::trainable_variables() const {
  std::vector<Variable> out;
  for (auto &[name, v] : named_variables())
    if (v.trainable())
      out.push_back(v);
  return out;
}

std::vector<Variable> Layer::non_trainable_variables() const {
  std::vector<Variable> out;
  for (auto &[name, v] : named_variables())
    if (!v.trainable())
      out.push_back(v);
  return out;
}

// --- Dense -------------------------------------------------------------------

Dense::Dense(int64_t units, Activation activation, bool use_bias,
             Initializer kernel_initializer, Initializer bias_initializer)
    : Layer("dense"), units_(units), activation_(std::move(activation)),
      use_bias_(use_bias), kernel_init_(std::move(kernel_initializer)),
      bias_init_(std::move(bias_initializer)) {
  if (units <= 0)
    throw Error("Dense: units must be positive, got " + std::to_string(units));
}

void Dense::build_weights(const std::vector<int64_t> &input_shape) {
  if (input_shape.empty())
    throw Error(where("Dense") + "expected inputs with at least one axis, got "
                                 "a scalar");
  kernel_ = add_weight("kernel", {input_shape.back(), units_}, kernel_init_);
  if (use_bias_)
    bias_ = add_weight("bias", {units_}, bias_init_);
}

Tensor Dense::call(const Tensor &x, bool) {
  int64_t in = kernel_.shape()[0];
  if (x.rank() == 0 || x.dim(-1) != in)
    throw Error(where("Dense") + "expected inputs whose last axis is " +
                std::to_string(in) + ", got " + dims(x.shape()));
  Tensor y = x.rank() == 1 ? squeeze(matmul(expand_dims(x, 0), kernel_), {0})
                           : matmul(x, kernel_);
  if (use_bias_)
    y = y + bias_;
  return activation_(y);
}

// --- Dropout -----------------------------------------------------------------

Dropout::Dropout(double rate) : Layer("dropout"), rate_(rate) {
  if (!(rate >= 0 && rate < 1))
    throw Error("Dropout: rate must be in [0, 1), got " + std::to_string(rate));
}

Tensor Dropout::call(const Tensor &x, bool training) {
  if (!training || rate_ == 0)
    return x;
  if (!is_floating(x.dtype()))
    throw Error(where("Dropout") + "expected float inputs, got " +
                dtype_name(x.dtype()));
  DeviceScope on(x.device()); // the mask is drawn where x lives
  Tensor keep = ej::random_uniform(x.shape(), x.dtype()) >= rate_;
  return x * cast(keep, x.dtype()) * (1.0 / (1.0 - rate_));
}

// --- Flatten -----------------------------------------------------------------

Flatten::Flatten() : Layer("flatten") {}

Tensor Flatten::call(const Tensor &x, bool) {
  if (x.rank() == 0)
    throw Error(where("Flatten") + "expected a batch axis, got a scalar");
  std::vector<int64_t> s = x.shape();
  int64_t rest = 1;
  for (size_t i = 1; i < s.size(); ++i)
    rest *= s[i];
  return reshape(x, {s[0], rest});
}

// --- BatchNormalization
// ---------------------------------------------------------

BatchNormalization::BatchNormalization(int64_t axis, double momentum,
                                       double epsilon)
    : Layer("batch_normalization"), axis_(axis), momentum_(momentum),
      epsilon_(epsilon) {
  if (!(momentum >= 0 && momentum <= 1))
    throw Error("BatchNormalization: momentum must be in [0, 1], got " +
                std::to_string(momentum));
  if (!(epsilon > 0))
    throw Error("BatchNormalization: epsilon must be positive, got " +
                std::to_string(epsilon));
}

void BatchNormalization::build_weights(const std::vector<int64_t> &shape) {
  rank_ = int64_t(shape.size());
  if (axis_ < -rank_ || axis_ >= rank_)
    throw Error(where("BatchNormalization") + "axis " + std::to_string(axis_) +
                " is out of range for inputs of shape " + dims(shape));
  if (axis_ < 0)
    axis_ += rank_;
  int64_t c = shape[size_t(axis_)];
  gamma_ = add_weight("gamma", {c}, ones());
  beta_ = add_weight("beta", {c}, zeros());
  moving_mean_ = add_weight("moving_mean", {c}, zeros(), false);
  moving_variance_ = add_weight("moving_variance", {c}, ones(), false);
}

Tensor BatchNormalization::call(const Tensor &x, bool training) {
  int64_t c = gamma_.shape()[0];
  if (x.rank() != rank_ || x.dim(axis_) != c)
    throw Error(where("BatchNormalization") + "expected rank-" +
                std::to_string(rank_) + " inputs with " + std::to_string(c) +
                " channels on axis " + std::to_string(axis_) + ", got " +
                dims(x.shape()));
  std::vector<int64_t> axes, bshape(size_t(rank_), 1);
  for (int64_t i = 0; i < rank_; ++i)
    if (i != axis_)
      axes.push_back(i);
  bshape[size_t(axis_)] = c;
  Tensor mean, variance;
  if (training) {
    // Statistics of no examples are NaN, which would stay in the moving
    // ones for good.
    if (x.size() == 0)
      throw Error(where("BatchNormalization") +
                  "training needs a batch with elements, got " +
                  dims(x.shape()));
    mean = reduce_mean(x, axes, true);
    variance = reduce_mean(square(x - mean), axes, true);
    Tensor m = reshape(stop_gradient(mean), {c});
    Tensor v = reshape(stop_gradient(variance), {c});
    moving_mean_.assign(moving_mean_.read() * momentum_ +
                        cast(m, moving_mean_.dtype()) * (1 - momentum_));
    moving_variance_.assign(moving_variance_.read() * momentum_ +
                            cast(v, moving_variance_.dtype()) *
                                (1 - momentum_));
  } else {
    mean = reshape(moving_mean_, bshape);
    variance = reshape(moving_variance_, bshape);
  }
  Tensor scale = reshape(gamma_, bshape) * rsqrt(variance + epsilon_);
  return (x - mean) * scale + reshape(beta_, bshape);
}

// --- Embedding
// -----------------------------------------------------------------

Embedding::Embedding(int64_t input_dim, int64_t output_dim,
                     Initializer initializer)
    : Layer("embedding"), input_dim_(input_dim), output_dim_(output_dim),
      init_(std::move(initializer)) {
  if (input_dim <= 0 || output_dim <= 0)
    throw Error("Embedding: input_dim and output_dim must be positive, got " +
                std::to_string(input_dim) + " and " +
                std::to_string(output_dim));
}

void Embedding::build_weights(const std::vector<int64_t> &) {
  embeddings_ = add_weight("embeddings", {input_dim_, output_dim_}, init_);
}

Tensor Embedding::call(const Tensor &x, bool) {
  if (!is_integer(x.dtype()))
    throw Error(where("Embedding") + "expected int32 or int64 indices, got " +
                dtype_name(x.dtype()));
  return gather(embeddings_, x, 0);
}

// --- Model and Sequential
// -------------------------------------------------------

Model::Model(std::string name) : Layer(std::move(name)) {}

void Model::build(const std::vector<int64_t> &input_shape, DType dtype) {
  if (built())
    return;
  call(ej::zeros(input_shape, dtype), false);
  mark_built(dtype);
}

Layer &Sequential::layer(size_t i) const {
  if (i >= sublayers().size())
    throw Error(where("layer") + "index " + std::to_string(i) +
                " is out of range for " + std::to_string(sublayers().size()) +
                " layers");
  return *sublayers()[i];
}

Tensor Sequential::call(const Tensor &x, bool training) {
  Tensor y = x;
  for (const auto &l : sublayers())
    y = (*l)(y, training);
  return y;
}

} // namespace ej::nn
