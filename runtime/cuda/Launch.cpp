//===- Launch.cpp - Finding and launching the interpreter's kernels -------===//
//
// Kernels are looked up by a small integer key (device, op, dtypes,
// variant) under a lock, so that a launch costs no string work once its
// kernel is loaded.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Launch.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace ej::cuda {
using runtime::Operand;

static_assert(kArgRank == detail::kMaxRank && kArgRank == runtime::kMaxLoopRank,
              "kernel arguments describe every tensor's axes");

Function kernel(int device, const KernelSpec &spec, Variant variant) {
  static std::mutex mu;
  static std::unordered_map<uint64_t, Function> loaded;
  const uint64_t key = uint64_t(device) << 32 | uint64_t(spec.op) << 16 |
                       uint64_t(spec.a) << 12 | uint64_t(spec.b) << 8 |
                       uint64_t(variant);
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = loaded.find(key);
    if (it != loaded.end())
      return it->second;
  }
  if (!has_kernel(spec))
    throw Error(std::string(detail::op_name(spec.op)) +
                ": no CUDA kernel for dtype " + dtype_name(spec.a));
  // Compiled outside the lock: another op's kernel need not wait for it.
  Function f =
      function(device, program_source({spec}), kernel_name(spec, variant));
  std::lock_guard<std::mutex> lock(mu);
  loaded.emplace(key, f);
  return f;
}

unsigned blocks_for(int device, int64_t work, unsigned block) {
  // 2048 resident threads per multiprocessor on sm_70 and later.
  int64_t full = int64_t(properties(device).multiprocessors) * (2048 / block);
  int64_t wanted = (work + block - 1) / block;
  return unsigned(std::clamp<int64_t>(wanted, 1, std::max<int64_t>(full, 1)));
}

void row_major_strides(int rank, const int64_t *shape, int64_t *strides) {
  int64_t step = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = step;
    step *= shape[d];
  }
}

int64_t max_offset(int rank, const int64_t *shape, const int64_t *strides) {
  int64_t m = 0;
  for (int d = 0; d < rank; ++d)
    m += (shape[d] - 1) * std::abs(strides[d]);
  return m;
}

int64_t Axes::numel() const {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d)
    n *= shape[d];
  return n;
}

void Axes::store(int &to_rank, long long *to_shape,
                 long long *to_strides) const {
  to_rank = rank;
  for (int d = 0; d < rank; ++d) {
    to_shape[d] = shape[d];
    to_strides[d] = strides[d];
  }
}

Axes Axes::simplified() const {
  runtime::Loop<1> loop(rank, shape,
                        {Operand{nullptr, 1, rank, shape, strides}});
  Axes s;
  for (int d = 0; d < loop.rank; ++d)
    s.push(loop.shape[d], loop.strides[0][d]);
  return s;
}

void map(int device, const KernelSpec &spec, const Operand &out,
         std::initializer_list<Operand> inputs, int rank,
         const int64_t *shape) {
  // Operands past the inputs are placeholders with no axes, which every
  // merge of axes accepts.
  const Operand none{nullptr, 1, 0, nullptr, nullptr};
  Operand ops[4] = {out, none, none, none};
  const int n_in = int(inputs.size());
  std::copy(inputs.begin(), inputs.end(), ops + 1);
  runtime::Loop<4> loop(rank, shape, ops);
  if (loop.numel == 0)
    return;

  MapArgs a{};
  a.out = loop.base[0];
  for (int k = 0; k < n_in; ++k)
    a.in[k] = loop.base[k + 1];
  a.n = loop.numel;
  // Linear when the space is one axis (after Loop merged what it could)
  // along which the result is dense and each input dense or fixed.
  bool linear =
      loop.rank == 0 || (loop.rank == 1 && loop.strides[0][0] == out.elsize);
  for (int k = 0; k < n_in && loop.rank == 1; ++k) {
    int64_t s = loop.strides[k + 1][0];
    linear &= s == 0 || s == ops[k + 1].elsize;
  }
  if (linear) {
    // Packs of 16 bytes of the widest operand, as Map.cuh's map_width.
    int64_t widest = out.elsize;
    for (int k = 0; k < n_in; ++k)
      widest = std::max(widest, ops[k + 1].elsize);
    const int64_t width = 16 / widest;
    auto aligned = [&](const void *p, int64_t elsize) {
      return reinterpret_cast<uintptr_t>(p) % uintptr_t(width * elsize) == 0;
    };
    a.vector = aligned(a.out, out.elsize);
    for (int k = 0; k < n_in; ++k) {
      a.scalar[k] = loop.rank == 0 || loop.strides[k + 1][0] == 0;
      if (!a.scalar[k])
        a.vector &= aligned(a.in[k], ops[k + 1].elsize);
    }
    int64_t work = a.vector ? a.n / width + a.n % width : a.n;
    launch_with(device, kernel(device, spec, Variant::Linear),
                {blocks_for(device, work)}, {kBlock}, a);
    return;
  }
  a.rank = loop.rank;
  bool fits = a.n < kIndex32Limit;
  for (int d = 0; d < loop.rank; ++d)
    a.shape[d] = loop.shape[d];
  for (int k = 0; k <= n_in; ++k) {
    int64_t strides[kArgRank];
    for (int d = 0; d < loop.rank; ++d)
      a.strides[k][d] = strides[d] = loop.strides[k][d] / ops[k].elsize;
    fits &= max_offset(loop.rank, loop.shape, strides) < kIndex32Limit;
  }
  launch_with(
      device,
      kernel(device, spec, fits ? Variant::Strided32 : Variant::Strided64),
      {blocks_for(device, a.n)}, {kBlock}, a);
}

void copy(int device, DType dtype, const Operand &dst, const Operand &src,
          int rank, const int64_t *shape) {
  map(device, {detail::OpCode::Copy, bits_dtype(dtype)}, dst, {src}, rank,
      shape);
}

uint64_t value_bits(DType dtype, double value) {
  uint64_t bits = 0;
  runtime::dispatch<runtime::math::kAll>(dtype, "fill", [&](auto tag) {
    auto v = static_cast<decltype(tag)>(value);
    std::memcpy(&bits, &v, sizeof v);
  });
  return bits;
}

void fill_bits(int device, DType dtype, void *data, int64_t n, uint64_t bits) {
  if (n == 0)
    return;
  CreateArgs a{};
  a.out = data;
  a.n = n;
  a.bits = bits;
  launch_with(device,
              kernel(device, {detail::OpCode::Fill, bits_dtype(dtype)},
                     Variant::Single),
              {blocks_for(device, n)}, {kBlock}, a);
}

} // namespace ej::cuda
