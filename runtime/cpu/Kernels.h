//===- Kernels.h - The interpreter's CPU kernels ------------------*- C++
//-*-===//
//
// One kernel per op of lib/Ops.def, found by opcode. A kernel reads its
// record's inputs and attributes and fills the record's result (allocating
// its buffer, or pointing it into an input's buffer for views).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_KERNELS_H
#define EJ_RUNTIME_CPU_KERNELS_H

#include "lib/Record.h"
#include "runtime/cpu/Loops.h"
#include "runtime/cpu/Math.h"

#include <string>
#include <vector>

namespace ej::runtime {

using Kernel = void (*)(detail::Record &);
Kernel cpu_kernel(detail::OpCode op);

#define EJ_OP(Name, name) void kernel_##Name(detail::Record &r);
#include "lib/Ops.def"

/// The loop operand for a tensor.
inline Operand operand(const detail::TensorImpl *t) {
  return Operand{t->data(), static_cast<int64_t>(dtype_size(t->dtype)), t->rank,
                 t->shape, t->strides};
}

[[noreturn]] void no_kernel(const char *op, DType dtype);

/// Makes `out` share `x`'s storage from the same offset (views keep their
/// own strides; see the view kernels).
inline void share_storage(detail::TensorImpl *out,
                          const detail::TensorImpl *x) {
  out->storage = x->storage;
  retain(out->storage);
  out->offset = x->offset;
}

/// Makes `out` a view of `x`: the same storage, offset and strides.
inline void alias(detail::TensorImpl *out, const detail::TensorImpl *x) {
  share_storage(out, x);
  for (int d = 0; d < x->rank; ++d)
    out->strides[d] = x->strides[d];
  detail::update_contiguous(out);
}

/// Calls f(T{}) with T the C++ type of `dtype`, for the dtypes in `Types`
/// (a mask of math::k*); others throw.
template <unsigned Types, class F>
void dispatch(DType dtype, const char *op, F &&f) {
  using namespace math;
  switch (dtype) {
  case DType::Bool:
    if constexpr ((Types & kBool) != 0)
      return f(bool{});
    break;
  case DType::Int32:
    if constexpr ((Types & kInt32) != 0)
      return f(int32_t{});
    break;
  case DType::Int64:
    if constexpr ((Types & kInt64) != 0)
      return f(int64_t{});
    break;
  case DType::Float32:
    if constexpr ((Types & kFloat32) != 0)
      return f(float{});
    break;
  case DType::Float64:
    if constexpr ((Types & kFloat64) != 0)
      return f(double{});
    break;
  }
  no_kernel(op, dtype);
}

/// concat's copies, on any device: calls copy(dst, src) for each input of
/// `r`, `dst` the view of the (allocated) result that the input fills.
template <class Copy> void concat_into(detail::Record &r, Copy &&copy) {
  detail::TensorImpl *out = r.result;
  int axis = int(r.attrs.ints[0]);
  int64_t elsize = int64_t(dtype_size(out->dtype));
  int64_t at = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const detail::TensorImpl *x = r.input(i);
    Operand dst = operand(out);
    dst.data += at * out->strides[axis] * elsize;
    dst.shape = x->shape;
    copy(dst, operand(x), x);
    at += x->shape[axis];
  }
}

/// gather's indices made non-negative, each checked against the axis's
/// length `len` (an ej::Error names the first out of range), on any device.
inline void check_gather_indices(std::vector<int64_t> &indices, int64_t len,
                                 int axis) {
  for (int64_t &i : indices) {
    if (i < -len || i >= len)
      throw Error("gather: index " + std::to_string(i) +
                  " is out of range for axis " + std::to_string(axis) +
                  " of size " + std::to_string(len));
    if (i < 0)
      i += len;
  }
}

/// Copies `src` (any strides, broadcast to dst's shape) into `dst`
/// (any strides, same dtype).
void copy_into(const Operand &dst, const Operand &src, int rank,
               const int64_t *shape);

} // namespace ej::runtime

#endif // EJ_RUNTIME_CPU_KERNELS_H
