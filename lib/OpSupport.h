//===- OpSupport.h - What every API op shares ---------------------*- C++
//-*-===//
//
// Checks that throw ej::Error with the op's name, shape arithmetic
// (broadcasting, axes), dtype joins with weak scalars, and `run`, which
// makes the result, records the call and runs it.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_OPSUPPORT_H
#define EJ_LIB_OPSUPPORT_H

#include "lib/Record.h"

#include <string>

namespace ej::detail {

/// A shape held inline (no heap).
struct Dims {
  int64_t d[kMaxRank];
  int n = 0;
  Dims() = default;
  Dims(IntList l);
  IntList list() const { return IntList(d, size_t(n)); }
  void push(int64_t v) { d[n++] = v; }
};

[[noreturn]] void fail(const char *op, const std::string &msg);
/// The impl of `t`, or an error naming the op and argument if undefined.
TensorImpl *need(const Tensor &t, const char *op, const char *arg);
/// need(), for reading the elements (`observe`: an observation point, which
/// ends the current region) or the layout: a value still deferred inside a
/// compiled region is computed first.
TensorImpl *need_value(const Tensor &t, const char *op, const char *arg,
                       bool observe = true);
/// `axis` in [-rank, rank) made non-negative, or an error.
int64_t normalize_axis(const char *op, int64_t axis, int64_t rank);
/// Checks dims >= 0 and rank <= kMaxRank.
void check_shape(const char *op, IntList shape);
/// The NumPy broadcast of two shapes, or an error showing both.
Dims broadcast_shapes(const char *op, IntList a, IntList b);
std::string shape_of(const TensorImpl *t);

enum class Category { Bool, Int, Float };
Category category(DType t);
/// The dtype two operands meet in, honouring weak scalars (DType.h).
DType join(const TensorImpl *a, const TensorImpl *b);
/// `t` in dtype `to`: a weak scalar is re-made directly (a fill record),
/// anything else gets a cast record.
Tensor coerce(const Tensor &t, DType to);
/// The same as a record's input: `t`'s own impl when it has dtype `to`
/// (the caller's handle keeps it alive: no reference is taken, which every
/// op would pay twice, in atomic operations), else the coerced value's,
/// which `made` holds.
inline TensorImpl *coerce(const Tensor &t, DType to, Tensor &made) {
  if (t.impl()->dtype == to)
    return t.impl();
  made = coerce(t, to);
  return made.impl();
}

/// A row-major copy of `t` in a buffer of its own on `t`'s device, made by
/// the interpreter and not recorded (`t` must have its value).
Tensor interpreted_copy(TensorImpl *t);

/// Writes the value of `from`, row-major on the host, into `to`, a buffer
/// of as many elements on a GPU; asynchronous, in stream order.
void upload(TensorImpl *to, const TensorImpl *from);

/// A row-major copy of `t`'s value on `device` (`t` itself when it is
/// there already), not recorded. A value a compiled region still defers is
/// computed first; a copy to the host waits for the device.
Tensor transfer(TensorImpl *t, int device);

/// `t` on `device` through a recorded copy (`t` itself when it is there):
/// tapes and the tracing JIT see the move as an ej.copy.
Tensor copy_to(TensorImpl *t, int device);

/// `device` for run(): place the result where the record's inputs are.
inline constexpr int kByInputs = -2;

/// Makes the result (dtype, shape), records `r` on the thread's trace and
/// runs it. `weak` marks results of weak scalars only. The result goes on
/// `device`, or by default on the inputs' device: that of the non-scalar
/// inputs, which must agree (else ej::Error), else that of a GPU scalar
/// input, else the host; a record without inputs uses the thread's current
/// device. Inputs on another device (scalars, or anything when `device` is
/// given) are copied over first, by copy_to().
Tensor run(Record &r, DType dtype, IntList shape, bool weak = false,
           int device = kByInputs);

} // namespace ej::detail

#endif // EJ_LIB_OPSUPPORT_H
