//===- HostGridShim.h - CUDA's built-ins for CUDA C compiled on the host -===//
//
// Included before the CUDA C that the emitter (codegen/EjToCUDA.h) or the
// interpreter's kernel sources (runtime/cuda/KernelSource.h) give NVRTC,
// so that the host C++ compiler builds the same text into a shared object
// whose kernels HostGrid.cpp runs, one fiber per thread. It defines what
// that text uses of CUDA and nothing more: the qualifiers, the built-in
// indices, the vector types, the bit casts and rounded arithmetic,
// __syncthreads and __shfl_down_sync. The source is compiled with
// __CUDACC_RTC__ defined, as NVRTC compiles it. `__shared__` variables become
// statics: the blocks of a launch run one after another, so each block has them
// to itself.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_CUDA_HOSTGRIDSHIM_H
#define EJ_TEST_CUDA_HOSTGRIDSHIM_H

#include "HostGridAbi.h"

#include <cmath>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __grid_constant__
#define __shared__ static

// Set by HostGrid.cpp when it loads the object.
static EjHostGridState *ej_host_grid;
extern "C" void ej_host_grid_bind(EjHostGridState *state) {
  ej_host_grid = state;
}

#define threadIdx (ej_host_grid->thread)
#define blockIdx (ej_host_grid->block)
#define blockDim (ej_host_grid->block_dim)
#define gridDim (ej_host_grid->grid_dim)

inline void __syncthreads() { ej_host_grid->sync_threads(ej_host_grid); }

template <class T>
inline T __shfl_down_sync(unsigned mask, T value, unsigned delta,
                          int width = 32) {
  const EjHostGridState &s = *ej_host_grid;
  const unsigned linear =
      s.thread.x + s.block_dim.x * (s.thread.y + s.block_dim.y * s.thread.z);
  const unsigned lane = linear % 32;
  const unsigned source =
      lane % unsigned(width) + delta < unsigned(width) ? lane + delta : lane;
  T result;
  ej_host_grid->shuffle(ej_host_grid, mask, &value, &result, sizeof(T), source);
  return result;
}

// Rounded once each (the host compile contracts nothing).
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }

inline float __int_as_float(int x) {
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}
inline double __longlong_as_double(long long x) {
  double d;
  std::memcpy(&d, &x, sizeof d);
  return d;
}

// The vector types: CUDA's alignment, fields and make_ functions.
#define EJ_HOST_VECTOR2(T, name)                                               \
  struct alignas(2 * sizeof(T)) name {                                         \
    T x, y;                                                                    \
  };                                                                           \
  inline name make_##name(T x, T y) { return name{x, y}; }
#define EJ_HOST_VECTOR4(T, name)                                               \
  struct alignas(4 * sizeof(T)) name {                                         \
    T x, y, z, w;                                                              \
  };                                                                           \
  inline name make_##name(T x, T y, T z, T w) { return name{x, y, z, w}; }
EJ_HOST_VECTOR4(float, float4)
EJ_HOST_VECTOR2(double, double2)
EJ_HOST_VECTOR4(int, int4)
EJ_HOST_VECTOR2(long long, longlong2)
EJ_HOST_VECTOR4(unsigned char, uchar4)
#undef EJ_HOST_VECTOR2
#undef EJ_HOST_VECTOR4

// Calls kernel `f` with its arguments as cuLaunchKernel takes them: a
// pointer to each.
template <class... P, std::size_t... I>
void ej_host_grid_call(void (*f)(P...), void **args,
                       std::index_sequence<I...>) {
  f(*static_cast<std::remove_cv_t<P> *>(args[I])...);
}
template <class... P> void ej_host_grid_call(void (*f)(P...), void **args) {
  ej_host_grid_call(f, args, std::index_sequence_for<P...>{});
}

// Kernel `f`'s parameter sizes into `sizes` (when not null); their number.
template <class... P>
unsigned ej_host_grid_sizes(void (*)(P...), std::size_t *sizes) {
  const std::size_t each[] = {sizeof(P)..., 0};
  if (sizes)
    std::memcpy(sizes, each, sizeof...(P) * sizeof(std::size_t));
  return sizeof...(P);
}

#endif // EJ_TEST_CUDA_HOSTGRIDSHIM_H
