//===- ElementwiseKernels.cpp - Unary, binary, where and cast on CUDA -----===//
//
// Every elementwise op is one launch of its unit's map kernel
// (runtime/cuda/Launch.h): the result is fresh and row-major, the inputs
// broadcast through zero strides and may be any views.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Launch.h"

namespace ej::cuda {
using detail::Record;
using detail::TensorImpl;
using runtime::operand;

namespace {

// The op of `r` on its inputs, with unit `spec`.
void elementwise(Record &r, const KernelSpec &spec) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  const int device = out->device;
  const runtime::Operand o = operand(out);
  switch (r.size()) {
  case 1:
    return map(device, spec, o, {operand(r.input(0))}, out->rank, out->shape);
  case 2:
    return map(device, spec, o, {operand(r.input(0)), operand(r.input(1))},
               out->rank, out->shape);
  default:
    return map(device, spec, o,
               {operand(r.input(0)), operand(r.input(1)), operand(r.input(2))},
               out->rank, out->shape);
  }
}

// Unary, binary and comparison ops: the unit of the (first) input's dtype.
void same_dtype(Record &r) { elementwise(r, {r.op, r.input(0)->dtype}); }

} // namespace

#define EJ_UNARY(Name, name)                                                   \
  void kernel_##Name(Record &r) { same_dtype(r); }
#define EJ_BINARY(Name, name)                                                  \
  void kernel_##Name(Record &r) { same_dtype(r); }
#define EJ_COMPARE(Name, name)                                                 \
  void kernel_##Name(Record &r) { same_dtype(r); }
#include "lib/Ops.def"

void kernel_Where(Record &r) {
  elementwise(r, {detail::OpCode::Where, r.input(1)->dtype});
}

void kernel_Cast(Record &r) {
  elementwise(r, {detail::OpCode::Cast, r.input(0)->dtype, r.result->dtype});
}

} // namespace ej::cuda
