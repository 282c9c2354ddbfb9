//===- Kernels.h - The interpreter's CUDA kernels -----------------*- C++ -*-===//
//
// The GPU side of the interpreter: one kernel per op of lib/Ops.def that runs
// on a CUDA device, found by opcode, with the contract of the CPU kernels
// (runtime/cpu/Kernels.h): a kernel reads its record's inputs and attributes
// and fills the record's result, allocating its buffer on the result's
// device (detail::allocate) or viewing an input's storage. Every input of a
// record run here is on the result's device (lib/ moves scalars over first).
//
// The kernels are CUDA C, generated per op and dtypes from the same scalar
// definitions as the fused kernels, compiled by NVRTC on first use and
// launched on the device's stream (runtime/cuda/Runtime.h).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_KERNELS_H
#define EJ_RUNTIME_CUDA_KERNELS_H

#include "runtime/cpu/Kernels.h"

namespace ej::runtime {

/// The CUDA kernel of `op`: every op has one.
Kernel cuda_kernel(detail::OpCode op);

} // namespace ej::runtime

#endif // EJ_RUNTIME_CUDA_KERNELS_H
