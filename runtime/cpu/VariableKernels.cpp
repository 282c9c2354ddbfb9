//===- VariableKernels.cpp - Reading and assigning variables --------------===//
//
// Values are immutable, so a read shares the current value's buffer and an
// assignment makes the variable hold the assigned tensor; earlier reads keep
// the value they saw.
//
//===----------------------------------------------------------------------===//
#include "lib/VariableImpl.h"
#include "runtime/cpu/Kernels.h"

namespace ej::runtime {
using detail::Record;
using detail::TensorImpl;

void kernel_VariableRead(Record &r) {
  detail::VariableImpl *v = r.attrs.var;
  std::lock_guard<std::mutex> lock(v->mu);
  alias(r.result, v->value.impl());
}

void kernel_Assign(Record &r) {
  detail::VariableImpl *v = r.attrs.var;
  alias(r.result, r.input(0));
  detail::retain(r.result);
  Tensor value(r.result);
  std::lock_guard<std::mutex> lock(v->mu);
  v->value = std::move(value);
}

} // namespace ej::runtime
