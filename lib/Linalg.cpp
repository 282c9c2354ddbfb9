//===- Linalg.cpp - matmul and transpose ---------------------------------===//
#include "ej/ops.h"
#include "lib/OpSupport.h"

namespace ej {
using namespace detail;

Tensor matmul(const Tensor &a, const Tensor &b) {
  TensorImpl *x = need(a, "matmul", "a"), *y = need(b, "matmul", "b");
  if (x->rank < 2 || y->rank < 2)
    fail("matmul", "expected operands of rank >= 2, got " + shape_of(x) +
                       " x " + shape_of(y));
  int64_t k = x->shape[x->rank - 1];
  if (y->shape[y->rank - 2] != k)
    fail("matmul", "inner dimensions differ: " + shape_of(x) + " x " +
                       shape_of(y));
  DType dt = join(x, y);
  if (dt == bool_)
    fail("matmul", "bool operands are not supported; cast them first");
  Dims batch = broadcast_shapes("matmul", IntList(x->shape, size_t(x->rank - 2)),
                                IntList(y->shape, size_t(y->rank - 2)));
  if (batch.n + 2 > kMaxRank)
    fail("matmul", "the result's rank exceeds the maximum rank " +
                       std::to_string(kMaxRank));
  batch.push(x->shape[x->rank - 2]);
  batch.push(y->shape[y->rank - 1]);
  Tensor ca = coerce(a, dt), cb = coerce(b, dt);
  Record r(OpCode::MatMul);
  r.add_input(ca.impl());
  r.add_input(cb.impl());
  return run(r, dt, batch.list());
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
    if (perm.size() != size_t(t->rank))
      fail("transpose", "perm " + shape_str(perm) + " has " +
                            std::to_string(perm.size()) +
                            " entries for a tensor of rank " +
                            std::to_string(t->rank));
    bool seen[kMaxRank] = {};
    for (int64_t p : perm) {
      int64_t d = normalize_axis("transpose", p, t->rank);
      if (seen[d])
        fail("transpose", "perm " + shape_str(perm) + " is not a permutation");
      seen[d] = true;
      r.attrs.push(d);
      shape.push(t->shape[d]);
    }
  }
  r.add_input(t);
  return run(r, t->dtype, shape.list());
}

} // namespace ej
