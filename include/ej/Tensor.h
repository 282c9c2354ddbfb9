//===- Tensor.h - The eager tensor handle -------------------------*- C++
//-*-===//
//
// A Tensor is a cheap, reference-counted handle to an immutable n-d array.
// Every op returns a real value at once (eager execution); views (reshape,
// transpose, slicing, broadcast_to) share their input's buffer. Tensors may be
// shared read-only across threads.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TENSOR_H
#define EJ_TENSOR_H

#include "ej/DType.h"
#include "ej/Error.h"

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace ej {

namespace detail {
struct TensorImpl;
void retain(TensorImpl *impl) noexcept;
void release(TensorImpl *impl) noexcept;
} // namespace detail

/// A non-owning list of integers (shapes, axes, permutations), built from a
/// braced list or a std::vector: `reshape(x, {2, -1})`. It refers to its
/// source, so it is for parameters only.
class IntList {
public:
  IntList() = default;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  // The braced list lives until the end of the full expression: the call.
  IntList(std::initializer_list<int64_t> l)
      : data_(l.begin()), size_(l.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  IntList(const std::vector<int64_t> &v) : data_(v.data()), size_(v.size()) {}
  IntList(const int64_t *data, size_t size) : data_(data), size_(size) {}
  const int64_t *begin() const { return data_; }
  const int64_t *end() const { return data_ + size_; }
  const int64_t *data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t operator[](size_t i) const { return data_[i]; }
  std::vector<int64_t> vec() const { return {begin(), end()}; }

private:
  const int64_t *data_ = nullptr;
  size_t size_ = 0;
};

/// A scalar or a nested list of scalars, for `constant({{1, 2}, {3, 4}})`.
/// Integers give int32 (int64 when a value needs it), any floating value
/// makes the whole list float32, bools alone give bool.
class NestedList {
public:
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  NestedList(T v) {
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = Kind::Bool;
      i_ = v;
    } else if constexpr (std::is_floating_point_v<T>) {
      kind_ = Kind::Float;
      f_ = static_cast<double>(v);
    } else {
      kind_ = Kind::Int;
      i_ = static_cast<int64_t>(v);
    }
  }
  NestedList(std::initializer_list<NestedList> items)
      : kind_(Kind::List), items_(items) {}

  enum class Kind : uint8_t { Bool, Int, Float, List };
  Kind kind() const { return kind_; }
  int64_t int_value() const { return i_; }
  double float_value() const { return f_; }
  const std::vector<NestedList> &items() const { return items_; }

private:
  Kind kind_;
  int64_t i_ = 0;
  double f_ = 0;
  std::vector<NestedList> items_;
};

/// One index of `Tensor::index`: an integer (drops the axis, negative counts
/// from the end) or a Slice (keeps it). `Slice()` is the whole axis,
/// `Slice(1, std::nullopt, 2)` is `1::2`.
struct Slice {
  std::optional<int64_t> start, stop;
  int64_t step = 1;
  Slice() = default;
  Slice(std::optional<int64_t> start, std::optional<int64_t> stop,
        int64_t step = 1)
      : start(start), stop(stop), step(step) {}
};

struct Index {
  Index(int64_t i) : is_slice(false), index(i) {}
  Index(int i) : is_slice(false), index(i) {}
  Index(Slice s) : is_slice(true), slice(s) {}
  bool is_slice;
  int64_t index = 0;
  Slice slice;
};

class Tensor {
public:
  /// An undefined handle; most ops throw on it.
  Tensor() = default;
  /// A weakly typed 0-d tensor from a C++ scalar: `x + 1`, `2 * x`.
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Tensor(T v)
      : Tensor(make_weak_scalar(static_cast<double>(v), dtype_of<T>(),
                                static_cast<int64_t>(v))) {}
  /// The same as `ej::constant(values)`: `matmul({{1, 2}, {3, 4}}, x)`.
  Tensor(std::initializer_list<NestedList> values);

  Tensor(const Tensor &o) noexcept : impl_(o.impl_) {
    if (impl_)
      detail::retain(impl_);
  }
  Tensor(Tensor &&o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
  Tensor &operator=(const Tensor &o) noexcept {
    Tensor(o).swap(*this);
    return *this;
  }
  Tensor &operator=(Tensor &&o) noexcept {
    Tensor(std::move(o)).swap(*this);
    return *this;
  }
  ~Tensor() {
    if (impl_)
      detail::release(impl_);
  }
  void swap(Tensor &o) noexcept { std::swap(impl_, o.impl_); }

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const;
  std::vector<int64_t> shape() const;
  int64_t rank() const;
  /// The extent of axis `axis` (negative counts from the end).
  int64_t dim(int64_t axis) const;
  /// The number of elements.
  int64_t size() const;
  /// Strides in elements.
  std::vector<int64_t> strides() const;
  bool is_contiguous() const;
  /// The device holding the tensor: "cpu:0" or "gpu:N" (see ej/device.h).
  std::string device() const;
  /// A copy of the tensor on CUDA device `index` (the tensor itself when it
  /// is there); throws ej::Error when that device is not present
  /// (ej::check_device says why).
  Tensor gpu(int index = 0) const;
  /// A copy of the tensor in host memory (the tensor itself when it is
  /// there); waits for the GPU's work on it.
  Tensor cpu() const;

  /// The value of a one-element tensor, converted to T.
  template <class T> T item() const;
  /// All elements in row-major order, converted to T.
  template <class T> std::vector<T> to_vector() const;
  /// The elements of a contiguous tensor whose dtype stores T.
  template <class T> const T *data() const;
  /// A tensor of the given shape holding a copy of `values`.
  template <class T>
  static Tensor from_vector(const std::vector<T> &values, IntList shape);
  template <class T> static Tensor from_vector(const std::vector<T> &values) {
    return from_vector(values, {static_cast<int64_t>(values.size())});
  }

  /// The truth of a one-element tensor: `if (x > 4)`. Throws on others.
  explicit operator bool() const;

  /// `x[i]` drops axis 0; `x[Slice(a, b, s)]` slices it.
  Tensor operator[](Index i) const;
  /// NumPy basic indexing over leading axes: `x.index({1, Slice(0, 4, 2)})`.
  Tensor index(std::initializer_list<Index> indices) const;
  Tensor index(const std::vector<Index> &indices) const;

  /// A row-major copy (or this tensor if it is one already).
  Tensor contiguous() const;
  /// What `std::cout << t` prints.
  std::string str() const;
  /// True for tensors made from C++ scalars (they adopt the other operand's
  /// dtype in binary ops).
  bool is_weak() const;

  detail::TensorImpl *impl() const { return impl_; }
  /// Adopts a reference (no retain).
  explicit Tensor(detail::TensorImpl *impl) noexcept : impl_(impl) {}

private:
  static Tensor make_weak_scalar(double f, DType dt, int64_t i);
  detail::TensorImpl *impl_ = nullptr;
};

std::ostream &operator<<(std::ostream &os, const Tensor &t);

/// "(2, 3)" as TensorFlow writes shapes.
std::string shape_str(IntList shape);

} // namespace ej

#endif // EJ_TENSOR_H
