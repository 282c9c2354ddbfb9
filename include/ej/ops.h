//===- ops.h - The eager ops --------------------------------------*- C++
//-*-===//
//
// Every function here validates its inputs, infers the result's shape and
// dtype, records one call on the thread's trace and returns the result at
// once. A user error throws ej::Error at the call.
//
// Binary ops broadcast like NumPy and promote dtypes as DType.h says.
// Floating-only math (exp, log, sqrt, rsqrt, tanh, sigmoid, sin, cos, div,
// reduce_mean) turns integer and bool inputs into float32.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_OPS_H
#define EJ_OPS_H

#include "ej/Tensor.h"

#include <utility>
#include <vector>

namespace ej {

// --- Creation ---------------------------------------------------------------
/// A tensor from a scalar or a nested list: `constant({{1, 2}, {3, 4}})` is a
/// 2x2 int32 tensor; `constant({1.5, 2})` is float32.
Tensor constant(const NestedList &values, std::optional<DType> dtype = {});
/// A tensor of the given shape holding a copy of `values`.
template <class T>
Tensor constant(const std::vector<T> &values, IntList shape,
                std::optional<DType> dtype = {});
Tensor zeros(IntList shape, DType dtype = float32);
Tensor ones(IntList shape, DType dtype = float32);
Tensor fill(IntList shape, double value, DType dtype = float32);
Tensor zeros_like(const Tensor &x);
Tensor ones_like(const Tensor &x);
/// [start, stop) in steps of `step`; the dtype is int32 for integral
/// arguments unless given.
Tensor arange(double start, double stop, double step = 1,
              std::optional<DType> dtype = {});
Tensor arange(int64_t stop, DType dtype = int32);
/// `num` evenly spaced values from start to stop, both included.
Tensor linspace(double start, double stop, int64_t num, DType dtype = float32);
/// An n x m identity matrix (m defaults to n).
Tensor eye(int64_t n, std::optional<int64_t> m = {}, DType dtype = float32);

// --- Random (counter-based Philox-4x32-10, reproducible with set_seed) -------
void set_seed(uint64_t seed);
/// Uniform in [minval, maxval).
Tensor random_uniform(IntList shape, DType dtype = float32, double minval = 0,
                      double maxval = 1);
Tensor random_normal(IntList shape, DType dtype = float32, double mean = 0,
                     double stddev = 1);

// --- Elementwise
// --------------------------------------------------------------
Tensor add(const Tensor &a, const Tensor &b);
Tensor sub(const Tensor &a, const Tensor &b);
Tensor mul(const Tensor &a, const Tensor &b);
/// True division: integers give float32.
Tensor div(const Tensor &a, const Tensor &b);
Tensor pow(const Tensor &a, const Tensor &b);
Tensor maximum(const Tensor &a, const Tensor &b);
Tensor minimum(const Tensor &a, const Tensor &b);

Tensor neg(const Tensor &x);
Tensor abs(const Tensor &x);
Tensor exp(const Tensor &x);
Tensor log(const Tensor &x);
Tensor sqrt(const Tensor &x);
Tensor rsqrt(const Tensor &x);
Tensor square(const Tensor &x);
Tensor tanh(const Tensor &x);
Tensor sigmoid(const Tensor &x);
Tensor relu(const Tensor &x);
Tensor sin(const Tensor &x);
Tensor cos(const Tensor &x);
/// The Gauss error function, 2/sqrt(pi) * integral of exp(-t^2) from 0 to x.
Tensor erf(const Tensor &x);
Tensor floor(const Tensor &x);
Tensor ceil(const Tensor &x);
/// -1, 0 or 1 in the input's dtype.
Tensor sign(const Tensor &x);

/// Comparisons give bool tensors.
Tensor equal(const Tensor &a, const Tensor &b);
Tensor not_equal(const Tensor &a, const Tensor &b);
Tensor less(const Tensor &a, const Tensor &b);
Tensor less_equal(const Tensor &a, const Tensor &b);
Tensor greater(const Tensor &a, const Tensor &b);
Tensor greater_equal(const Tensor &a, const Tensor &b);

/// Logical ops take bool tensors.
Tensor logical_and(const Tensor &a, const Tensor &b);
Tensor logical_or(const Tensor &a, const Tensor &b);
Tensor logical_not(const Tensor &x);

/// `cond ? a : b` elementwise; the three broadcast together.
Tensor where(const Tensor &cond, const Tensor &a, const Tensor &b);
Tensor cast(const Tensor &x, DType dtype);

Tensor operator+(const Tensor &a, const Tensor &b);
Tensor operator-(const Tensor &a, const Tensor &b);
Tensor operator*(const Tensor &a, const Tensor &b);
Tensor operator/(const Tensor &a, const Tensor &b);
Tensor operator-(const Tensor &x);
Tensor operator==(const Tensor &a, const Tensor &b);
Tensor operator!=(const Tensor &a, const Tensor &b);
Tensor operator<(const Tensor &a, const Tensor &b);
Tensor operator<=(const Tensor &a, const Tensor &b);
Tensor operator>(const Tensor &a, const Tensor &b);
Tensor operator>=(const Tensor &a, const Tensor &b);
Tensor operator&&(const Tensor &a, const Tensor &b);
Tensor operator||(const Tensor &a, const Tensor &b);
Tensor operator!(const Tensor &x);

// --- Reductions (empty `axes` means every axis; negative axes count back)
// -----
Tensor reduce_sum(const Tensor &x, IntList axes = {}, bool keepdims = false);
Tensor reduce_mean(const Tensor &x, IntList axes = {}, bool keepdims = false);
Tensor reduce_max(const Tensor &x, IntList axes = {}, bool keepdims = false);
Tensor reduce_min(const Tensor &x, IntList axes = {}, bool keepdims = false);
Tensor reduce_prod(const Tensor &x, IntList axes = {}, bool keepdims = false);
/// The index of the largest (smallest) value along `axis`, as int64; the
/// first one on ties.
Tensor argmax(const Tensor &x, int64_t axis = 0);
Tensor argmin(const Tensor &x, int64_t axis = 0);
/// sqrt of the sum of squares of every element of every tensor.
Tensor global_norm(const std::vector<Tensor> &tensors);

// --- Linear algebra
// -------------------------------------------------------------
/// (..., n, k) x (..., k, m) -> (..., n, m); batch axes broadcast.
Tensor matmul(const Tensor &a, const Tensor &b);
/// Permutes the axes; an empty `perm` reverses them.
Tensor transpose(const Tensor &x, IntList perm = {});

// --- Convolution and pooling (tf.nn's conv2d, max_pool2d, avg_pool2d) -------
/// SAME pads so that ceil(extent / stride) windows fit (the odd element of
/// padding after, as TensorFlow does); VALID pads nothing.
enum class Padding { Same, Valid };
/// ChannelsLast is (batch, height, width, channels) (NHWC, TensorFlow's
/// default); ChannelsFirst is (batch, channels, height, width) (NCHW).
enum class DataFormat { ChannelsLast, ChannelsFirst };
/// 2-d convolution (cross-correlation, as in every deep learning library)
/// of `input` (N, H, W, C) or (N, C, H, W) with `filter` (KH, KW, C, O);
/// `strides` holds one or two entries (along H, W). The result is
/// (N, OH, OW, O) or (N, O, OH, OW). Float inputs only.
Tensor conv2d(const Tensor &input, const Tensor &filter,
              IntList strides = {1, 1}, Padding padding = Padding::Valid,
              DataFormat data_format = DataFormat::ChannelsLast);
/// The maximum (average) over `window` (one or two extents) placed every
/// `strides` (default: the window) elements, per channel. With SAME
/// padding, padded positions take no part: an average divides by the
/// number of input elements under its window.
Tensor max_pool2d(const Tensor &input, IntList window, IntList strides = {},
                  Padding padding = Padding::Valid,
                  DataFormat data_format = DataFormat::ChannelsLast);
Tensor avg_pool2d(const Tensor &input, IntList window, IntList strides = {},
                  Padding padding = Padding::Valid,
                  DataFormat data_format = DataFormat::ChannelsLast);

// --- Shape
// ------------------------------------------------------------------------
/// One entry may be -1 (inferred).
Tensor reshape(const Tensor &x, IntList shape);
Tensor expand_dims(const Tensor &x, int64_t axis);
/// Drops the given size-1 axes, or all of them when `axes` is empty.
Tensor squeeze(const Tensor &x, IntList axes = {});
Tensor concat(const std::vector<Tensor> &tensors, int64_t axis);
Tensor stack(const std::vector<Tensor> &tensors, int64_t axis = 0);
/// The slices of `params` along `axis` picked by integer `indices`, each in
/// [-n, n) for an axis of n: a negative index counts from the end, as in
/// Python; one outside that range is an ej::Error when the op runs.
Tensor gather(const Tensor &params, const Tensor &indices, int64_t axis = 0);
Tensor one_hot(const Tensor &indices, int64_t depth, double on_value = 1,
               double off_value = 0, DType dtype = float32);
Tensor broadcast_to(const Tensor &x, IntList shape);
/// `paddings` holds (before, after) for every axis.
Tensor pad(const Tensor &x,
           const std::vector<std::pair<int64_t, int64_t>> &paddings,
           double constant_value = 0);
/// Basic slicing, as `x.index(...)`: `slice(x, {Slice(1, 3)})`.
Tensor slice(const Tensor &x, const std::vector<Index> &indices);
/// `x` itself (a view), but gradients do not flow through it: to autodiff
/// it is a constant.
Tensor stop_gradient(const Tensor &x);
/// A copy of `x` (a new buffer, row-major). Inside a compiled region the
/// result may share `x`'s buffer instead: buffers are never written after
/// they are made, so only the address tells.
Tensor identity(const Tensor &x);

} // namespace ej

#endif // EJ_OPS_H
