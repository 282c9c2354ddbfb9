//===- Variable.cpp - Mutable, named tensors ------------------------------===//
#include "ej/Variable.h"
#include "ej/ops.h"
#include "lib/OpSupport.h"
#include "lib/VariableImpl.h"

#include <atomic>

namespace ej {
using namespace detail;

namespace {

VariableImpl *need_var(const Variable &v, const char *op) {
  if (!v.defined())
    fail(op, "the variable is undefined");
  return v.impl();
}

std::atomic<uint64_t> g_next_id{1};

} // namespace

Variable::Variable(const Tensor &initial, std::string name, bool trainable) {
  // The first value is data, like a constant: copied here (row-major, a
  // buffer of its own) and not recorded. A recorded copy could be deferred
  // inside a compiled region, and the variable would hold a value that the
  // region computes only at its end, while the region reads the variable's
  // value as one of its inputs.
  TensorImpl *t = need_value(initial, "Variable", "initial", /*observe=*/false);
  impl_ = std::make_shared<VariableImpl>();
  impl_->value = interpreted_copy(t);
  impl_->name = std::move(name);
  impl_->trainable = trainable;
  impl_->id = g_next_id.fetch_add(1);
  impl_->dtype = t->dtype;
  impl_->shape = t->dims().vec();
  impl_->device = t->device;
}

Tensor Variable::read() const {
  VariableImpl *v = need_var(*this, "variable_read");
  Record r(OpCode::VariableRead);
  r.attrs.var = v;
  return run(r, v->dtype, v->shape, false, v->device);
}

void Variable::assign(const Tensor &value) {
  VariableImpl *v = need_var(*this, "assign");
  TensorImpl *t = need(value, "assign", "value");
  if (!t->weak && t->dtype != v->dtype)
    fail("assign", std::string("the variable '") + v->name + "' holds " +
                       dtype_name(v->dtype) + ", got " + dtype_name(t->dtype));
  Tensor x = coerce(value, v->dtype);
  if (x.shape() != v->shape) {
    if (!t->weak || t->rank != 0)
      fail("assign", "the variable '" + v->name + "' has shape " +
                         shape_str(v->shape) + ", got " + shape_of(t));
    x = broadcast_to(x, v->shape);
  }
  Record r(OpCode::Assign);
  r.attrs.var = v;
  r.add_input(x.impl());
  run(r, v->dtype, v->shape, false, v->device);
}

void Variable::assign_add(const Tensor &delta) { assign(read() + delta); }
void Variable::assign_sub(const Tensor &delta) { assign(read() - delta); }

const std::string &Variable::name() const {
  return need_var(*this, "name")->name;
}
bool Variable::trainable() const {
  return need_var(*this, "trainable")->trainable;
}
DType Variable::dtype() const { return need_var(*this, "dtype")->dtype; }
std::vector<int64_t> Variable::shape() const {
  return need_var(*this, "shape")->shape;
}
uint64_t Variable::id() const { return need_var(*this, "id")->id; }

namespace detail {

void move_variable(VariableImpl *v, int device) {
  if (v->device == device)
    return;
  Tensor moved = transfer(v->value.impl(), device);
  std::lock_guard<std::mutex> lock(v->mu);
  v->value = moved;
  v->device = device;
}

} // namespace detail

} // namespace ej
