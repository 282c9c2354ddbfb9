//===- Conv.cpp - conv2d, max_pool2d and avg_pool2d -----------------------===//
//
// The records hold NHWC operands and explicit paddings (lib/Ops.def lays
// out their ints); channels-first tensors go through transposes, which are
// views, on the way in and out.
//
//===----------------------------------------------------------------------===//
#include "ej/ops.h"
#include "lib/OpSupport.h"
#include "lib/ShapeRules.h"

namespace ej {
using namespace detail;

namespace {

// Two entries (along H, W) from one or two, all >= 1.
void pair_of(const char *op, const char *what, IntList v, int64_t &h,
             int64_t &w) {
  if (v.size() != 1 && v.size() != 2)
    fail(op, std::string(what) + " must have one or two entries, got " +
                 shape_str(v));
  h = v[0];
  w = v[v.size() - 1];
  if (h < 1 || w < 1)
    fail(op, std::string(what) + " must be >= 1, got " + shape_str(v));
}

// A float tensor of rank 4, made NHWC.
Tensor nhwc(const Tensor &x, const char *op, const char *arg,
            DataFormat format) {
  TensorImpl *t = need(x, op, arg);
  if (t->rank != 4)
    fail(op, std::string(arg) + " must be 4-d (" +
                 (format == DataFormat::ChannelsLast ? "N, H, W, C"
                                                     : "N, C, H, W") +
                 "), got " + shape_of(t));
  if (!is_floating(t->dtype))
    fail(op, std::string(arg) + " must be float32 or float64, got " +
                 dtype_name(t->dtype));
  return format == DataFormat::ChannelsLast ? x : transpose(x, {0, 2, 3, 1});
}

Tensor from_nhwc(const Tensor &y, DataFormat format) {
  return format == DataFormat::ChannelsLast ? y : transpose(y, {0, 3, 1, 2});
}

void pad_for(Padding padding, const int64_t *x, rules::Window2D &w) {
  if (padding == Padding::Valid)
    return;
  rules::same_padding(x[1], w.kh, w.sh, w.pt, w.pb);
  rules::same_padding(x[2], w.kw, w.sw, w.pl, w.pr);
}

// A stride along an axis with one window position changes nothing; as 1 it
// stays within every kernel library's range (oneDNN refuses strides past
// int32's).
void single_position_strides(const int64_t *out, rules::Window2D &w) {
  if (out[1] == 1)
    w.sh = 1;
  if (out[2] == 1)
    w.sw = 1;
}

std::string window_str(const rules::Window2D &w) {
  return "window " + shape_str({w.kh, w.kw}) + ", strides " +
         shape_str({w.sh, w.sw}) + ", padding " +
         shape_str({w.pt, w.pb, w.pl, w.pr});
}

Tensor pool(OpCode code, const char *op, const Tensor &input, IntList window,
            IntList strides, Padding padding, DataFormat format) {
  Tensor x = nhwc(input, op, "input", format);
  TensorImpl *t = x.impl();
  rules::Window2D w;
  pair_of(op, "window", window, w.kh, w.kw);
  if (strides.empty()) {
    w.sh = w.kh;
    w.sw = w.kw;
  } else {
    pair_of(op, "strides", strides, w.sh, w.sw);
  }
  pad_for(padding, t->shape, w);
  Dims shape;
  shape.n = 4;
  if (rules::pool2d_shape(t->shape, 4, w, shape.d) != rules::WindowCheck::Ok)
    fail(op, "the " + window_str(w) + " does not fit the input " + shape_of(t) +
                 " (NHWC)");
  single_position_strides(shape.d, w);
  Record r(code);
  for (int64_t v : {w.kh, w.kw, w.sh, w.sw, w.pt, w.pb, w.pl, w.pr})
    r.attrs.push(v);
  r.add_input(t);
  return from_nhwc(run(r, t->dtype, shape.list()), format);
}

} // namespace

Tensor conv2d(const Tensor &input, const Tensor &filter, IntList strides,
              Padding padding, DataFormat data_format) {
  const char *op = "conv2d";
  Tensor x = nhwc(input, op, "input", data_format);
  TensorImpl *t = x.impl(), *f = need(filter, op, "filter");
  if (f->rank != 4)
    fail(op, "filter must be 4-d (KH, KW, C, O), got " + shape_of(f));
  if (f->dtype != t->dtype)
    fail(op, "input and filter dtypes differ: " +
                 std::string(dtype_name(t->dtype)) + " and " +
                 dtype_name(f->dtype));
  if (f->shape[2] != t->shape[3])
    fail(op, "input channels differ: input " + shape_of(t) + " (NHWC) has " +
                 std::to_string(t->shape[3]) + ", filter " + shape_of(f) +
                 " expects " + std::to_string(f->shape[2]));
  rules::Window2D w;
  pair_of(op, "strides", strides, w.sh, w.sw);
  w.kh = f->shape[0];
  w.kw = f->shape[1];
  pad_for(padding, t->shape, w);
  Dims shape;
  shape.n = 4;
  if (rules::conv2d_shape(t->shape, 4, f->shape, 4, w, shape.d) !=
      rules::WindowCheck::Ok)
    fail(op, "the filter " + shape_of(f) + " does not fit the input " +
                 shape_of(t) + " (NHWC) with " + window_str(w));
  single_position_strides(shape.d, w);
  Record r(OpCode::Conv2D);
  for (int64_t v : {w.sh, w.sw, w.pt, w.pb, w.pl, w.pr})
    r.attrs.push(v);
  r.add_input(t);
  r.add_input(f);
  return from_nhwc(run(r, t->dtype, shape.list()), data_format);
}

Tensor max_pool2d(const Tensor &input, IntList window, IntList strides,
                  Padding padding, DataFormat data_format) {
  return pool(OpCode::MaxPool, "max_pool2d", input, window, strides, padding,
              data_format);
}

Tensor avg_pool2d(const Tensor &input, IntList window, IntList strides,
                  Padding padding, DataFormat data_format) {
  return pool(OpCode::AvgPool, "avg_pool2d", input, window, strides, padding,
              data_format);
}

} // namespace ej
