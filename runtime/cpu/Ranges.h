//===- Ranges.h - Element formulas of arange, linspace, eye -----*- C++ -*-===//
//
// Element i of each op, computed in double and then converted to the
// result's dtype by the kernel. The CPU kernels and the CUDA kernels (which
// embed this header as text) compute the same values bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_RANGES_H
#define EJ_RUNTIME_CPU_RANGES_H

#ifndef __CUDACC_RTC__
#include "runtime/cpu/HostDevice.h"
#endif

namespace ej::runtime::ranges {

EJ_HOST_DEVICE double arange(double start, double step, int64_t i) {
  return add_rn(start, mul_rn(double(i), step));
}

/// The step of a linspace of `n` values.
EJ_HOST_DEVICE double linspace_step(double start, double stop, int64_t n) {
  return n > 1 ? (stop - start) / double(n - 1) : 0;
}
/// The last value is `stop` itself, not start + (n - 1) * step.
EJ_HOST_DEVICE double linspace(double start, double stop, double step,
                               int64_t n, int64_t i) {
  return i == n - 1 && n > 1 ? stop : arange(start, step, i);
}

/// Element i of an identity matrix with `m` columns.
EJ_HOST_DEVICE double eye(int64_t m, int64_t i) {
  return i / m == i % m ? 1.0 : 0.0;
}

} // namespace ej::runtime::ranges

#endif // EJ_RUNTIME_CPU_RANGES_H
