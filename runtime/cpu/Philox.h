//===- Philox.h - The counter-based random generator --------------*- C++
//-*-===//
//
// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC'11). A random op with seed s and offset o draws element i from
// block o + i / k of the stream (k = 4 for 32-bit, 2 for 64-bit elements), so
// any element can be computed on its own: kernels split the work freely and
// a CUDA kernel gives the same bits. Plain functions, usable from CUDA C too.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_PHILOX_H
#define EJ_RUNTIME_CPU_PHILOX_H

#include <cmath>
#include <cstdint>

namespace ej::runtime::philox {

struct Block {
  uint32_t v[4];
};

inline Block philox4x32_10(uint64_t counter, uint64_t key) {
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
inline int64_t per_block(int64_t elem_bytes) { return elem_bytes == 8 ? 2 : 4; }

/// Uniform in [0, 1) with 24 (float) or 53 (double) random bits.
inline float to_unit_float(uint32_t u) {
  return float(u >> 8) * (1.0f / 16777216.0f);
}
inline double to_unit_double(uint32_t hi, uint32_t lo) {
  return double(((uint64_t(hi) << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
}

/// Box-Muller on a pair of uniforms in [0, 1): two standard normals.
inline void box_muller(double u0, double u1, double &z0, double &z1) {
  const double two_pi = 6.283185307179586476925286766559;
  double r = std::sqrt(-2.0 * std::log(1.0 - u0)); // 1 - u0 is in (0, 1]
  z0 = r * std::cos(two_pi * u1);
  z1 = r * std::sin(two_pi * u1);
}

} // namespace ej::runtime::philox

#endif // EJ_RUNTIME_CPU_PHILOX_H
