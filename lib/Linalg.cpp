//===- Linalg.cpp - matmul and transpose ---------------------------------===//
#include "ej/ops.h"
#include "lib/OpSupport.h"
#include "lib/ShapeRules.h"

namespace ej {
using namespace detail;

Tensor matmul(const Tensor &a, const Tensor &b) {
  TensorImpl *x = need(a, "matmul", "a"), *y = need(b, "matmul", "b");
  DType dt = join(x, y);
  if (dt == bool_)
    fail("matmul", "bool operands are not supported; cast them first");
  Dims shape;
  size_t rank = 0;
  switch (rules::matmul_shape(x->shape, x->rank, y->shape, y->rank, shape.d,
                              rank)) {
  case rules::MatMulCheck::Rank:
    fail("matmul", "expected operands of rank >= 2, got " + shape_of(x) +
                       " x " + shape_of(y));
  case rules::MatMulCheck::Inner:
    fail("matmul",
         "inner dimensions differ: " + shape_of(x) + " x " + shape_of(y));
  case rules::MatMulCheck::Batch:
    fail("matmul", "batch dimensions of " + shape_of(x) + " and " +
                       shape_of(y) + " cannot be broadcast together");
  case rules::MatMulCheck::Ok:
    break;
  }
  shape.n = int(rank);
  Tensor ma, mb;
  Record r(OpCode::MatMul);
  r.add_input(coerce(a, dt, ma));
  r.add_input(coerce(b, dt, mb));
  return run(r, dt, shape.list());
}

Tensor transpose(const Tensor &x, IntList perm) {
  TensorImpl *t = need(x, "transpose", "x");
  Record r(OpCode::Transpose);
  Dims shape;
  if (perm.empty()) {
    for (int d = t->rank - 1; d >= 0; --d) {
      r.attrs.push(d);
      shape.push(t->shape[d]);
    }
  } else {
    int64_t p[kMaxRank];
    if (!rules::permutation(perm.data(), perm.size(), t->rank, p))
      fail("transpose",
           "perm " + shape_str(perm) +
               " is not a permutation of the axes of a tensor of rank " +
               std::to_string(t->rank));
    for (size_t i = 0; i < perm.size(); ++i) {
      r.attrs.push(p[i]);
      shape.push(t->shape[p[i]]);
    }
  }
  r.add_input(t);
  return run(r, t->dtype, shape.list());
}

} // namespace ej
