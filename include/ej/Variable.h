//===- Variable.h - Mutable, named tensors ----------------------------*- C++
//-*-===//
//
// A Variable is a shared handle to a mutable tensor value, as in
// TensorFlow's eager variables: copies of the handle name the same
// variable. Reading gives the current value (later assignments do not
// change a value already read); `assign` replaces it with a value of the
// same shape and dtype. Reads and assignments are recorded like any op, so
// traces show them. A Variable converts to a Tensor (its current value)
// wherever one is expected: `inputs * W + B`.
//
//   ej::Variable x(1.0f, "x");
//   for (int i = 0; i < 10; ++i)
//     x.assign_sub(0.1f);
//
//===----------------------------------------------------------------------===//
#ifndef EJ_VARIABLE_H
#define EJ_VARIABLE_H

#include "ej/Tensor.h"

#include <memory>
#include <string>

namespace ej {

namespace detail {
struct VariableImpl;
} // namespace detail

class Variable {
public:
  /// An undefined handle.
  Variable() = default;
  /// A variable holding `initial` (a copy of its value).
  explicit Variable(const Tensor &initial, std::string name = "",
                    bool trainable = true);
  /// A scalar variable: `Variable W(5.f, "weight")` is float32.
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  explicit Variable(T initial, std::string name = "", bool trainable = true)
      : Variable(Tensor::from_vector(std::vector<T>{initial}, {}),
                 std::move(name), trainable) {}

  bool defined() const { return impl_ != nullptr; }
  /// The current value (recorded as a read).
  Tensor read() const;
  operator Tensor() const { return read(); }

  /// Replaces the value; `value` must have the variable's shape and dtype
  /// (a C++ scalar takes the variable's dtype and broadcasts). Reads and
  /// assignments are each atomic, but assign_add and assign_sub are a read
  /// and an assignment: threads that update one variable at once (or share
  /// an optimizer) must take turns themselves, as with TensorFlow's
  /// variables without use_locking, or updates are lost.
  void assign(const Tensor &value);
  void assign_add(const Tensor &delta);
  void assign_sub(const Tensor &delta);

  const std::string &name() const;
  bool trainable() const;
  DType dtype() const;
  std::vector<int64_t> shape() const;
  /// A number unique to this variable in the process.
  uint64_t id() const;

  detail::VariableImpl *impl() const { return impl_.get(); }
  /// Another handle to an existing variable (used by the library).
  explicit Variable(std::shared_ptr<detail::VariableImpl> impl)
      : impl_(std::move(impl)) {}

private:
  std::shared_ptr<detail::VariableImpl> impl_;
};

} // namespace ej

#endif // EJ_VARIABLE_H
