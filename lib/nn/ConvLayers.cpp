//===- ConvLayers.cpp - Conv2D, MaxPooling2D, AveragePooling2D -----------===//
#include "ej/nn.h"

namespace ej::nn {
namespace {

bool channels_last(DataFormat f) { return f == DataFormat::ChannelsLast; }

void check_pair(const char *layer, const char *what,
                const std::vector<int64_t> &v, bool allow_empty = false) {
  if (allow_empty && v.empty())
    return;
  if (v.size() != 1 && v.size() != 2)
    throw Error(std::string(layer) + ": " + what +
                " must have one or two entries, got " + shape_str(v));
  for (int64_t d : v)
    if (d < 1)
      throw Error(std::string(layer) + ": " + what + " must be >= 1, got " +
                  shape_str(v));
}

} // namespace

// --- Conv2D ------------------------------------------------------------------

Conv2D::Conv2D(int64_t filters, std::vector<int64_t> kernel_size,
               std::vector<int64_t> strides, Padding padding,
               DataFormat data_format, Activation activation, bool use_bias,
               Initializer kernel_initializer, Initializer bias_initializer)
    : Layer("conv2d"), filters_(filters), kernel_size_(std::move(kernel_size)),
      strides_(std::move(strides)), padding_(padding),
      data_format_(data_format), activation_(std::move(activation)),
      use_bias_(use_bias), kernel_init_(std::move(kernel_initializer)),
      bias_init_(std::move(bias_initializer)) {
  if (filters <= 0)
    throw Error("Conv2D: filters must be positive, got " +
                std::to_string(filters));
  check_pair("Conv2D", "kernel_size", kernel_size_);
  check_pair("Conv2D", "strides", strides_);
}

void Conv2D::build_weights(const std::vector<int64_t> &input_shape) {
  if (input_shape.size() != 4)
    throw Error(where("Conv2D") + "expected 4-d inputs (" +
                (channels_last(data_format_) ? "N, H, W, C" : "N, C, H, W") +
                "), got " + shape_str(input_shape));
  int64_t in = channels_last(data_format_) ? input_shape[3] : input_shape[1];
  kernel_ = add_weight(
      "kernel", {kernel_size_.front(), kernel_size_.back(), in, filters_},
      kernel_init_);
  if (use_bias_)
    bias_ = add_weight("bias", {filters_}, bias_init_);
}

Tensor Conv2D::call(const Tensor &x, bool) {
  Tensor y = conv2d(x, kernel_, strides_, padding_, data_format_);
  if (use_bias_)
    y = y + (channels_last(data_format_) ? Tensor(bias_)
                                         : reshape(bias_, {filters_, 1, 1}));
  return activation_(y);
}

// --- Pooling -----------------------------------------------------------------

MaxPooling2D::MaxPooling2D(std::vector<int64_t> pool_size,
                           std::vector<int64_t> strides, Padding padding,
                           DataFormat data_format)
    : Layer("max_pooling2d"), pool_size_(std::move(pool_size)),
      strides_(std::move(strides)), padding_(padding),
      data_format_(data_format) {
  check_pair("MaxPooling2D", "pool_size", pool_size_);
  check_pair("MaxPooling2D", "strides", strides_, /*allow_empty=*/true);
}

Tensor MaxPooling2D::call(const Tensor &x, bool) {
  return max_pool2d(x, pool_size_, strides_, padding_, data_format_);
}

AveragePooling2D::AveragePooling2D(std::vector<int64_t> pool_size,
                                   std::vector<int64_t> strides,
                                   Padding padding, DataFormat data_format)
    : Layer("average_pooling2d"), pool_size_(std::move(pool_size)),
      strides_(std::move(strides)), padding_(padding),
      data_format_(data_format) {
  check_pair("AveragePooling2D", "pool_size", pool_size_);
  check_pair("AveragePooling2D", "strides", strides_, /*allow_empty=*/true);
}

Tensor AveragePooling2D::call(const Tensor &x, bool) {
  return avg_pool2d(x, pool_size_, strides_, padding_, data_format_);
}

} // namespace ej::nn
