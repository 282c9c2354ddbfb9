//===- Philox.h - The counter-based random generator --------------*- C++
//-*-===//
//
// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC'11). A random op with seed s and offset o draws element i from
// block o + i / k of the stream (k = 4 for 32-bit, 2 for 64-bit elements), so
// any element can be computed on its own: kernels split the work freely and
// a CUDA kernel gives the same bits. Plain functions, usable from CUDA C too:
// the CUDA kernels embed this header as text (runtime/cpu/HostDevice.h).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_PHILOX_H
#define EJ_RUNTIME_CPU_PHILOX_H

#ifndef __CUDACC_RTC__
#include "runtime/cpu/HostDevice.h"

#include <cmath>
#include <cstdint>
#endif

namespace ej::runtime::philox {

struct Block {
  uint32_t v[4];
};

EJ_HOST_DEVICE Block philox4x32_10(uint64_t counter, uint64_t key) {
  uint32_t c0 = uint32_t(counter), c1 = uint32_t(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = uint32_t(key), k1 = uint32_t(key >> 32);
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t(0xD2511F53u) * c0;
    uint64_t p1 = uint64_t(0xCD9E8D57u) * c2;
    uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0;
    uint32_t n2 = uint32_t(p0 >> 32) ^ c3 ^ k1;
    c1 = uint32_t(p1);
    c3 = uint32_t(p0);
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Block{{c0, c1, c2, c3}};
}

/// Elements of `elem_bytes` bytes that one block yields.
EJ_HOST_DEVICE int64_t per_block(int64_t elem_bytes) {
  return elem_bytes == 8 ? 2 : 4;
}

/// Uniform in [0, 1) with 24 (float) or 53 (double) random bits.
EJ_HOST_DEVICE float to_unit_float(uint32_t u) {
  return float(u >> 8) * (1.0f / 16777216.0f);
}
EJ_HOST_DEVICE double to_unit_double(uint32_t hi, uint32_t lo) {
  return double(((uint64_t(hi) << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
}

/// Box-Muller on a pair of uniforms in [0, 1): two standard normals. The
/// GPU's double log, cos and sin are CUDA's (within 1 ulp, like glibc's
/// but not always the same value): float32 normals match the CPU's except
/// in rare cases where the double results round to different floats, and
/// float64 normals agree within a few ulp.
EJ_HOST_DEVICE void box_muller(double u0, double u1, double &z0, double &z1) {
  const double two_pi = 6.283185307179586476925286766559;
  double r = ::sqrt(-2.0 * ::log(1.0 - u0)); // 1 - u0 is in (0, 1]
  z0 = r * ::cos(two_pi * u1);
  z1 = r * ::sin(two_pi * u1);
}

/// The values of block `blk` of a random op with `seed` and `offset`: the
/// first per_block(Wide ? 8 : 4) entries of `u`, uniform in [a, b) or
/// normal with mean a and standard deviation b. Uniform values are the same
/// bits on the CPU and the GPU.
template <bool Wide, bool Normal>
EJ_HOST_DEVICE void block_values(uint64_t seed, uint64_t offset, uint64_t blk,
                                 double a, double b, double u[4]) {
  Block w = philox4x32_10(offset + blk, seed);
  const int k = Wide ? 2 : 4;
  if (Wide) {
    u[0] = to_unit_double(w.v[0], w.v[1]);
    u[1] = to_unit_double(w.v[2], w.v[3]);
  } else {
    for (int j = 0; j < 4; ++j)
      u[j] = to_unit_float(w.v[j]);
  }
  if (Normal) {
    for (int j = 0; j < k; j += 2)
      box_muller(u[j], u[j + 1], u[j], u[j + 1]);
    for (int j = 0; j < k; ++j)
      u[j] = add_rn(a, mul_rn(b, u[j]));
  } else {
    for (int j = 0; j < k; ++j)
      u[j] = add_rn(a, mul_rn(b - a, u[j]));
  }
}

} // namespace ej::runtime::philox

#endif // EJ_RUNTIME_CPU_PHILOX_H
