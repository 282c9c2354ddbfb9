//===- nn.h - Activations, losses, initializers and layers ------*- C++ -*-===//
//
// The C++ form of tf.nn and tf.keras.layers. Functions are eager ops built
// from the core ops (so they differentiate and fuse like them); layers are
// objects that own Variables and are called like functions. A layer makes
// its variables on its first call, from the input's shape (Keras style):
//
//   ej::nn::Sequential model(ej::nn::Flatten(),
//                            ej::nn::Dense(128, ej::nn::relu),
//                            ej::nn::Dense(10));
//   ej::Tensor logits = model(images, /*training=*/true);
//   ej::Tensor loss = ej::reduce_mean(
//       ej::nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
//
// Variables are named "<layer>/<weight>" ("dense/kernel"); inside a model
// or Sequential, layer names are made unique ("dense", "dense_1") and
// named_variables() gives paths ("dense_1/bias") that checkpoints use.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_NN_H
#define EJ_NN_H

#include "ej/Tensor.h"
#include "ej/Variable.h"
#include "ej/ops.h"

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ej::nn {

// --- Activations -------------------------------------------------------------
using ej::relu;
using ej::sigmoid;
using ej::tanh;
/// x * Phi(x), Phi the standard normal CDF (tf.nn.gelu's default,
/// approximate=false), through ej::erf.
Tensor gelu(const Tensor &x);
/// approximate: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Tensor gelu(const Tensor &x, bool approximate);
using ej::erf;
/// exp(x - max) / sum(exp(x - max)) along `axis`.
Tensor softmax(const Tensor &logits);
Tensor softmax(const Tensor &logits, int64_t axis);
/// x - max - log(sum(exp(x - max))) along `axis`: stable for large logits.
Tensor log_softmax(const Tensor &logits);
Tensor log_softmax(const Tensor &logits, int64_t axis);
/// (x - mean) / sqrt(variance + epsilon) * gamma + beta, the mean and the
/// (biased) variance taken along `axis` (tf.keras's LayerNormalization,
/// torch's layer_norm); gamma and beta broadcast against x (usually of
/// the normalized axis' length).
Tensor layer_norm(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                  int64_t axis = -1, double epsilon = 1e-5);

/// An activation of a layer: any function of one tensor. A plain function
/// name picks its one-argument overload: `Dense(10, ej::nn::gelu)`.
class Activation {
public:
  Activation() = default;
  Activation(Tensor (*fn)(const Tensor &)) : fn_(fn) {}
  template <class F,
            std::enable_if_t<std::is_invocable_r_v<Tensor, F &, const Tensor &>,
                             int> = 0>
  Activation(F fn) : fn_(std::move(fn)) {}
  explicit operator bool() const { return bool(fn_); }
  Tensor operator()(const Tensor &x) const { return fn_ ? fn_(x) : x; }

private:
  std::function<Tensor(const Tensor &)> fn_;
};

// --- Losses (TensorFlow's argument order; one value per example) ------------
/// max(x, 0) - x z + log(1 + exp(-|x|)) elementwise, for logits x and
/// labels z of the same shape.
Tensor sigmoid_cross_entropy_with_logits(const Tensor &labels,
                                         const Tensor &logits);
/// -sum(labels * log_softmax(logits)) along `axis` (labels are a
/// probability distribution per example); the result drops `axis`.
Tensor softmax_cross_entropy_with_logits(const Tensor &labels,
                                         const Tensor &logits,
                                         int64_t axis = -1);
/// -log_softmax(logits)[label] for integer labels of shape logits.shape[:-1].
/// A label outside [0, classes) gives NaN for its example (as TensorFlow
/// does on GPUs), rather than stopping the step to look at the labels.
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor &labels,
                                                const Tensor &logits);

// --- Initializers (Philox random ops: ej::set_seed makes them reproducible) --
/// Makes a tensor of a shape and dtype.
using Initializer =
    std::function<Tensor(const std::vector<int64_t> &shape, DType dtype)>;
/// Uniform in +-sqrt(6 / (fan_in + fan_out)) (Keras' default).
Initializer glorot_uniform();
/// Normal with stddev sqrt(2 / fan_in), not truncated (PyTorch's
/// kaiming_normal_; Keras truncates at two stddevs, and the library has no
/// truncated-normal op yet).
Initializer he_normal();
Initializer zeros();
Initializer ones();
/// Uniform in [minval, maxval).
Initializer random_uniform(double minval = -0.05, double maxval = 0.05);
/// fan_in and fan_out of a weight shape: (in, out) for matrices,
/// (..., in, out) times the receptive field for convolution kernels.
std::pair<int64_t, int64_t> fans(const std::vector<int64_t> &shape);

// --- Layers ------------------------------------------------------------------
using NamedVariables = std::vector<std::pair<std::string, Variable>>;

/// A callable that owns Variables. Subclasses implement call() and, if
/// they have weights, build() (from the first input's shape).
class Layer {
public:
  explicit Layer(std::string name);
  virtual ~Layer();

  /// Builds the layer on its first call, then runs call(). `training`
  /// selects training behaviour (dropout on, batch statistics).
  Tensor operator()(const Tensor &x, bool training = false);
  /// Makes the variables for inputs of `input_shape` and `dtype` now, if
  /// not yet built (a checkpoint can then be restored before the first
  /// call). A model runs a forward pass on zeros to build its sublayers.
  virtual void build(const std::vector<int64_t> &input_shape,
                     DType dtype = float32);
  bool built() const { return built_; }

  /// The dtype of the weights: by default the first input's if it is
  /// floating, else float32. Set it before the layer is built.
  void set_dtype(DType dtype);
  DType dtype() const { return dtype_; }

  const std::string &name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  /// Every variable of the layer and its sublayers, in creation order.
  std::vector<Variable> variables() const;
  std::vector<Variable> trainable_variables() const;
  std::vector<Variable> non_trainable_variables() const;
  /// The variables with paths relative to this layer: "kernel",
  /// "dense_1/bias".
  NamedVariables named_variables() const;

protected:
  virtual Tensor call(const Tensor &x, bool training) = 0;
  /// Makes the weights; the default makes none.
  virtual void build_weights(const std::vector<int64_t> &input_shape);
  /// A new Variable named "<layer>/<name>" of the layer's dtype from
  /// `init`.
  Variable add_weight(const std::string &name, std::vector<int64_t> shape,
                      const Initializer &init, bool trainable = true);
  /// Adopts `layer` as a sublayer (its name is made unique among the
  /// sublayers) and returns it.
  std::shared_ptr<Layer> track(std::shared_ptr<Layer> layer);
  const std::vector<std::shared_ptr<Layer>> &sublayers() const {
    return sublayers_;
  }
  /// "<op>: <layer name>: " for error messages.
  std::string where(const char *op) const;
  void mark_built(DType input_dtype);

private:
  std::string name_;
  bool built_ = false;
  bool dtype_set_ = false;
  DType dtype_ = float32;
  std::vector<std::pair<std::string, Variable>> weights_;
  std::vector<std::shared_ptr<Layer>> sublayers_;
};

/// activation(x @ kernel + bias) over the last axis; kernel (in, units)
/// with Glorot-uniform values, bias zeros.
class Dense : public Layer {
public:
  explicit Dense(int64_t units, Activation activation = {},
                 bool use_bias = true,
                 Initializer kernel_initializer = glorot_uniform(),
                 Initializer bias_initializer = zeros());
  Variable kernel() const { return kernel_; }
  Variable bias() const { return bias_; }

protected:
  Tensor call(const Tensor &x, bool training) override;
  void build_weights(const std::vector<int64_t> &input_shape) override;

private:
  int64_t units_;
  Activation activation_;
  bool use_bias_;
  Initializer kernel_init_, bias_init_;
  Variable kernel_, bias_;
};

/// In training, zeroes each element with probability `rate` and scales the
/// others by 1 / (1 - rate); otherwise the identity.
class Dropout : public Layer {
public:
  explicit Dropout(double rate);

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  double rate_;
};

/// (batch, d1, d2, ...) -> (batch, d1 * d2 * ...).
class Flatten : public Layer {
public:
  Flatten();

protected:
  Tensor call(const Tensor &x, bool training) override;
};

/// Normalizes over every axis but `axis`: with batch statistics in
/// training (and moving averages updated: moving = moving * momentum +
/// batch * (1 - momentum), the batch variance biased as in Keras), with the
/// moving statistics otherwise. gamma and beta are trainable;
/// moving_mean and moving_variance are not.
class BatchNormalization : public Layer {
public:
  explicit BatchNormalization(int64_t axis = -1, double momentum = 0.99,
                              double epsilon = 1e-3);
  Variable gamma() const { return gamma_; }
  Variable beta() const { return beta_; }
  Variable moving_mean() const { return moving_mean_; }
  Variable moving_variance() const { return moving_variance_; }

protected:
  Tensor call(const Tensor &x, bool training) override;
  void build_weights(const std::vector<int64_t> &input_shape) override;

private:
  int64_t axis_;
  double momentum_, epsilon_;
  int64_t rank_ = 0;
  Variable gamma_, beta_, moving_mean_, moving_variance_;
};

/// Integer indices of any shape -> their rows of an (input_dim,
/// output_dim) table, uniform in +-0.05 at first. Indices are gather's:
/// in [-input_dim, input_dim), a negative one counting from the end.
class Embedding : public Layer {
public:
  Embedding(int64_t input_dim, int64_t output_dim,
            Initializer initializer = random_uniform());
  Variable embeddings() const { return embeddings_; }

protected:
  Tensor call(const Tensor &x, bool training) override;
  void build_weights(const std::vector<int64_t> &input_shape) override;

private:
  int64_t input_dim_, output_dim_;
  Initializer init_;
  Variable embeddings_;
};

/// activation(conv2d(x, kernel) + bias): tf.keras.layers.Conv2D. The
/// kernel is (KH, KW, in channels, filters) with Glorot-uniform values, the
/// bias (filters) zeros. kernel_size and strides hold one entry (square)
/// or two (along H, W).
class Conv2D : public Layer {
public:
  Conv2D(int64_t filters, std::vector<int64_t> kernel_size,
         std::vector<int64_t> strides = {1, 1},
         Padding padding = Padding::Valid,
         DataFormat data_format = DataFormat::ChannelsLast,
         Activation activation = {}, bool use_bias = true,
         Initializer kernel_initializer = glorot_uniform(),
         Initializer bias_initializer = zeros());
  Variable kernel() const { return kernel_; }
  Variable bias() const { return bias_; }

protected:
  Tensor call(const Tensor &x, bool training) override;
  void build_weights(const std::vector<int64_t> &input_shape) override;

private:
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_;
  Padding padding_;
  DataFormat data_format_;
  Activation activation_;
  bool use_bias_;
  Initializer kernel_init_, bias_init_;
  Variable kernel_, bias_;
};

/// The maximum over pool_size windows every `strides` (default: the pool
/// size) elements: tf.keras.layers.MaxPooling2D.
class MaxPooling2D : public Layer {
public:
  explicit MaxPooling2D(std::vector<int64_t> pool_size = {2, 2},
                        std::vector<int64_t> strides = {},
                        Padding padding = Padding::Valid,
                        DataFormat data_format = DataFormat::ChannelsLast);

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  std::vector<int64_t> pool_size_, strides_;
  Padding padding_;
  DataFormat data_format_;
};

/// The average over pool_size windows (padding excluded):
/// tf.keras.layers.AveragePooling2D.
class AveragePooling2D : public Layer {
public:
  explicit AveragePooling2D(std::vector<int64_t> pool_size = {2, 2},
                            std::vector<int64_t> strides = {},
                            Padding padding = Padding::Valid,
                            DataFormat data_format = DataFormat::ChannelsLast);

protected:
  Tensor call(const Tensor &x, bool training) override;

private:
  std::vector<int64_t> pool_size_, strides_;
  Padding padding_;
  DataFormat data_format_;
};

/// The base of user models: a layer whose call() uses sublayers made with
/// add(), which returns a reference that stays valid (layers are shared):
///
///   struct Mlp : ej::nn::Model {
///     ej::nn::Dense &hidden = add(ej::nn::Dense(128, ej::nn::relu));
///     ej::nn::Dense &out = add(ej::nn::Dense(10));
///     ej::Tensor call(const ej::Tensor &x, bool) override {
///       return out(hidden(x));
///     }
///   };
class Model : public Layer {
public:
  explicit Model(std::string name = "model");

  /// Runs call() on zeros of `input_shape` (training off) if not built.
  void build(const std::vector<int64_t> &input_shape,
             DType dtype = float32) override;

  template <class L> L &add(L layer) {
    static_assert(std::is_base_of_v<Layer, L>, "add() takes a layer");
    auto p = std::make_shared<L>(std::move(layer));
    track(p);
    return *p;
  }

protected:
  Tensor call(const Tensor &x, bool training) override = 0;
};

/// Layers applied in order: `Sequential(Flatten(), Dense(10))`.
class Sequential : public Model {
public:
  Sequential() : Model("sequential") {}
  template <class... Ls,
            std::enable_if_t<
                (std::is_base_of_v<Layer, std::decay_t<Ls>> && ...), int> = 0>
  explicit Sequential(Ls &&...layers) : Model("sequential") {
    (add(std::forward<Ls>(layers)), ...);
  }
  /// Appends a layer this model shares with the caller.
  void add_shared(std::shared_ptr<Layer> layer) { track(std::move(layer)); }
  size_t size() const { return sublayers().size(); }
  Layer &layer(size_t i) const;

protected:
  Tensor call(const Tensor &x, bool training) override;
};

} // namespace ej::nn

#endif // EJ_NN_H
