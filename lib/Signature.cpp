//===- Signature.cpp - Recorded calls numbered by structure ---------------===//
#include "lib/Signature.h"
#include "lib/VariableImpl.h"

namespace ej::detail {

void Signature::put_type(DType dtype, IntList shape) {
  put(uint8_t(dtype));
  put(uint8_t(shape.size()));
  for (int64_t d : shape)
    put(d);
}

void Signature::put_tensor(const TensorImpl *t) {
  auto [it, fresh] =
      tensors.try_emplace(t, Ref{Ref::External, externals.size()});
  put(it->second.kind);
  put(it->second.index);
  if (fresh) {
    auto *held = const_cast<TensorImpl *>(t);
    retain(held);
    externals.emplace_back(held);
    put_type(t->dtype, t->dims());
  }
}

void Signature::put_variable(VariableImpl *v) {
  auto [it, fresh] = variable_index.try_emplace(v, variables.size());
  put(it->second);
  if (fresh) {
    variables.emplace_back(v->shared_from_this());
    put_type(v->dtype, v->shape);
  }
}

void Signature::add(const Record &r) {
  put(r.op);
  put_type(r.result->dtype, r.result->dims());
  put(uint8_t(r.size()));
  for (size_t j = 0; j < r.size(); ++j)
    put_tensor(r.input(j));
  if (r.attrs.var)
    put_variable(r.attrs.var);
  if (!is_leaf(r)) {
    const Attrs &a = r.attrs;
    put(a.num_ints);
    key.append(reinterpret_cast<const char *>(a.ints),
               a.num_ints * sizeof(int64_t));
    put(a.keepdims);
    put(a.dtype);
    put(a.f[0]);
    put(a.f[1]);
  }
  tensors[r.result] = Ref{Ref::Result, records_++};
}

void Signature::clear() {
  key.clear();
  externals.clear();
  variables.clear();
  tensors.clear();
  variable_index.clear();
  records_ = 0;
}

} // namespace ej::detail
