//===- HostDevice.h - Plain functions for the host and NVRTC ----*- C++ -*-===//
//
// Headers of plain functions that the GPU kernels embed as text
// (runtime/cuda/KernelSource.cpp) include this first. The host compiler sees
// inline functions; NVRTC, which has no standard headers, sees device
// functions and the fixed-width integer types it lacks. The arithmetic
// functions round every operation on their own: NVRTC would otherwise fuse
// `a + b * c` into one fma, and the values would no longer match the host's
// bit for bit (the host's default x86-64 target has no fma to fuse into).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_HOSTDEVICE_H
#define EJ_RUNTIME_CPU_HOSTDEVICE_H

#ifdef __CUDACC_RTC__
#define EJ_HOST_DEVICE __device__ __forceinline__
namespace ej::runtime {
using int64_t = long long;
using uint32_t = unsigned int;
using uint64_t = unsigned long long;
} // namespace ej::runtime
#else
#include <cstdint>
#define EJ_HOST_DEVICE inline
#endif

namespace ej::runtime {

/// a * b and a + b, each rounded once, in double and in float.
EJ_HOST_DEVICE double mul_rn(double a, double b) {
#ifdef __CUDACC_RTC__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
EJ_HOST_DEVICE double add_rn(double a, double b) {
#ifdef __CUDACC_RTC__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
EJ_HOST_DEVICE float mul_rn(float a, float b) {
#ifdef __CUDACC_RTC__
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
EJ_HOST_DEVICE float add_rn(float a, float b) {
#ifdef __CUDACC_RTC__
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

} // namespace ej::runtime

#endif // EJ_RUNTIME_CPU_HOSTDEVICE_H
