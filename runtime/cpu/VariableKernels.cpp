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

namespace {

// `out` becomes a view of `x` (same storage, offset and strides).
void alias(TensorImpl *out, const TensorImpl *x) {
  share_storage(out, x);
  for (int d = 0; d < x->rank; ++d)
    out->strides[d] = x->strides[d];
  detail::update_contiguous(out);
}

} // namespace

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
