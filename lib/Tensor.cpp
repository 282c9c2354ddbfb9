//===- Tensor.cpp - Tensor handles, constants and host interop -----------===//
#include "ej/device.h"
#include "ej/ops.h"
#include "lib/Device.h"
#include "lib/OpSupport.h"
#include "runtime/cpu/Kernels.h"

#include <cmath>
#include <limits>

namespace ej {
using namespace detail;

namespace {

// The values [src, src + n) converted to the storage type of `to`, as bytes.
template <class T>
std::vector<uint8_t> stage(const T *src, size_t n, DType to) {
  std::vector<uint8_t> buf(n * dtype_size(to));
  runtime::dispatch<runtime::math::kAll>(to, "constant", [&](auto tag) {
    using D = decltype(tag);
    D *d = reinterpret_cast<D *>(buf.data());
    for (size_t i = 0; i < n; ++i)
      d[i] = runtime::math::convert<D>(src[i]);
  });
  return buf;
}

Tensor constant_from_bytes(const std::vector<uint8_t> &bytes, DType dtype,
                           IntList shape, int device = kByInputs) {
  Record r(OpCode::Constant);
  r.attrs.host = bytes.data();
  r.attrs.dtype = dtype;
  return run(r, dtype, shape, false, device);
}

int64_t numel_of(IntList shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// Shape and leaf kinds of a nested list; throws on ragged lists.
void scan(const NestedList &l, int depth, Dims &shape, bool &any_float,
          bool &all_bool, bool &big_int, size_t &leaves) {
  using K = NestedList::Kind;
  if (l.kind() != K::List) {
    if (depth != shape.n)
      fail("constant", "ragged nested list: a scalar at depth " +
                           std::to_string(depth) + " where the shape is " +
                           shape_str(shape.list()));
    any_float |= l.kind() == K::Float;
    all_bool &= l.kind() == K::Bool;
    if (l.kind() == K::Int &&
        (l.int_value() > std::numeric_limits<int32_t>::max() ||
         l.int_value() < std::numeric_limits<int32_t>::min()))
      big_int = true;
    ++leaves;
    return;
  }
  int64_t n = int64_t(l.items().size());
  if (depth == shape.n) {
    if (depth >= kMaxRank)
      fail("constant",
           "nesting exceeds the maximum rank " + std::to_string(kMaxRank));
    shape.push(n);
  } else if (depth > shape.n || shape.d[depth] != n) {
    fail("constant", "ragged nested list: a list of " + std::to_string(n) +
                         " items at depth " + std::to_string(depth) +
                         " where the shape is " + shape_str(shape.list()));
  }
  for (const NestedList &item : l.items())
    scan(item, depth + 1, shape, any_float, all_bool, big_int, leaves);
}

void flatten(const NestedList &l, std::vector<double> &f,
             std::vector<int64_t> &i) {
  if (l.kind() == NestedList::Kind::List) {
    for (const NestedList &item : l.items())
      flatten(item, f, i);
    return;
  }
  bool is_float = l.kind() == NestedList::Kind::Float;
  f.push_back(is_float ? l.float_value() : double(l.int_value()));
  i.push_back(is_float ? int64_t(l.float_value()) : l.int_value());
}

} // namespace

Tensor constant(const NestedList &values, std::optional<DType> dtype) {
  Dims shape;
  bool any_float = false, all_bool = true, big_int = false;
  size_t leaves = 0;
  scan(values, 0, shape, any_float, all_bool, big_int, leaves);
  if (size_t(numel_of(shape.list())) != leaves)
    fail("constant", "ragged nested list of shape " + shape_str(shape.list()));
  DType dt = dtype                      ? *dtype
             : any_float                ? float32
             : (all_bool && leaves > 0) ? bool_
             : big_int                  ? int64
                                        : (leaves == 0 ? float32 : int32);
  std::vector<double> f;
  std::vector<int64_t> ints;
  flatten(values, f, ints);
  // Integers stay exact (int64 through int64), floats go through double.
  std::vector<uint8_t> bytes = is_floating(dt) || any_float
                                   ? stage(f.data(), f.size(), dt)
                                   : stage(ints.data(), ints.size(), dt);
  return constant_from_bytes(bytes, dt, shape.list());
}

template <class T>
Tensor constant(const std::vector<T> &values, IntList shape,
                std::optional<DType> dtype) {
  check_shape("constant", shape);
  if (numel_of(shape) != int64_t(values.size()))
    fail("constant", std::to_string(values.size()) +
                         " values do not fill shape " + shape_str(shape) +
                         " (" + std::to_string(numel_of(shape)) + " elements)");
  DType dt = dtype ? *dtype : dtype_of<T>();
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> b(values.begin(), values.end());
    return constant_from_bytes(stage(b.data(), b.size(), dt), dt, shape);
  } else {
    return constant_from_bytes(stage(values.data(), values.size(), dt), dt,
                               shape);
  }
}

template <class T>
Tensor Tensor::from_vector(const std::vector<T> &values, IntList shape) {
  return constant(values, shape);
}

Tensor::Tensor(std::initializer_list<NestedList> values)
    : Tensor(constant(NestedList(values))) {}

Tensor Tensor::make_weak_scalar(double f, DType dt, int64_t i) {
  std::vector<uint8_t> bytes =
      is_floating(dt) ? stage(&f, 1, dt) : stage(&i, 1, dt);
  // A C++ value stays on the host: an op moves it to its device.
  Tensor t = constant_from_bytes(bytes, dt, {}, runtime::kHost);
  t.impl()->weak = true;
  t.impl()->literal = true;
  return t;
}

DType Tensor::dtype() const { return need(*this, "dtype", "self")->dtype; }
std::vector<int64_t> Tensor::shape() const {
  return need(*this, "shape", "self")->dims().vec();
}
int64_t Tensor::rank() const { return need(*this, "rank", "self")->rank; }
int64_t Tensor::dim(int64_t axis) const {
  TensorImpl *t = need(*this, "dim", "self");
  return t->shape[normalize_axis("dim", axis, t->rank)];
}
int64_t Tensor::size() const { return need(*this, "size", "self")->numel; }
std::vector<int64_t> Tensor::strides() const {
  TensorImpl *t = need_value(*this, "strides", "self", false);
  return std::vector<int64_t>(t->strides, t->strides + t->rank);
}
bool Tensor::is_contiguous() const {
  return need_value(*this, "is_contiguous", "self", false)->contiguous;
}
bool Tensor::is_weak() const { return need(*this, "is_weak", "self")->weak; }
std::string Tensor::device() const {
  return device_name(need(*this, "device", "self")->device);
}
Tensor Tensor::gpu(int index) const {
  TensorImpl *t = need(*this, "gpu", "self");
  return copy_to(t, device_index("gpu:" + std::to_string(index)));
}
Tensor Tensor::cpu() const {
  return copy_to(need(*this, "cpu", "self"), runtime::kHost);
}

template <class T> std::vector<T> Tensor::to_vector() const {
  Tensor host =
      transfer(need_value(*this, "to_vector", "self"), runtime::kHost);
  TensorImpl *t = host.impl();
  std::vector<T> out(size_t(t->numel));
  runtime::dispatch<runtime::math::kAll>(t->dtype, "to_vector", [&](auto tag) {
    using S = decltype(tag);
    runtime::Loop<1> loop(t->rank, t->shape, {runtime::operand(t)});
    size_t k = 0;
    loop.run_range(0, loop.numel, [&](char **p, const int64_t *s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        out[k++] = runtime::math::convert<T>(
            *reinterpret_cast<const S *>(p[0] + i * s[0]));
    });
  });
  return out;
}

template <class T> T Tensor::item() const {
  TensorImpl *t = need(*this, "item", "self");
  if (t->numel != 1)
    fail("item", "expected a tensor of one element, got shape " + shape_of(t));
  return to_vector<T>()[0];
}

template <class T> const T *Tensor::data() const {
  TensorImpl *t = need_value(*this, "data", "self");
  if (t->dtype != dtype_of<T>() || sizeof(T) != dtype_size(t->dtype))
    fail("data", std::string("the tensor holds ") + dtype_name(t->dtype) +
                     ", not the requested C++ type");
  if (!t->contiguous)
    fail("data", "the tensor of shape " + shape_of(t) +
                     " is a strided view; call contiguous() first");
  if (t->device != runtime::kHost)
    fail("data", "the tensor is on " + device_name(t->device) +
                     ", not in host memory; call cpu() first");
  return t->numel ? t->data_as<T>() : nullptr;
}

Tensor::operator bool() const {
  TensorImpl *t = need(*this, "bool", "self");
  if (t->numel != 1)
    fail("bool", "the truth value of a tensor of shape " + shape_of(t) +
                     " is ambiguous; reduce it to one element first");
  return item<bool>();
}

Tensor Tensor::contiguous() const {
  TensorImpl *t = need_value(*this, "contiguous", "self", false);
  return t->contiguous ? *this : identity(*this);
}

Tensor Tensor::operator[](Index i) const { return slice(*this, {i}); }
Tensor Tensor::index(std::initializer_list<Index> indices) const {
  return slice(*this, std::vector<Index>(indices));
}
Tensor Tensor::index(const std::vector<Index> &indices) const {
  return slice(*this, indices);
}

std::string shape_str(IntList shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

#define EJ_INSTANTIATE(T)                                                      \
  template Tensor constant<T>(const std::vector<T> &, IntList,                 \
                              std::optional<DType>);                           \
  template Tensor Tensor::from_vector<T>(const std::vector<T> &, IntList);     \
  template std::vector<T> Tensor::to_vector<T>() const;                        \
  template T Tensor::item<T>() const;
EJ_INSTANTIATE(bool)
EJ_INSTANTIATE(uint8_t)
EJ_INSTANTIATE(int32_t)
EJ_INSTANTIATE(uint32_t)
EJ_INSTANTIATE(int64_t)
EJ_INSTANTIATE(long long)
EJ_INSTANTIATE(uint64_t)
EJ_INSTANTIATE(float)
EJ_INSTANTIATE(double)
#undef EJ_INSTANTIATE
template const bool *Tensor::data<bool>() const;
template const int32_t *Tensor::data<int32_t>() const;
template const int64_t *Tensor::data<int64_t>() const;
template const float *Tensor::data<float>() const;
template const double *Tensor::data<double>() const;

} // namespace ej
