//===- Kernels.cpp - The kernel table and the interpreter ----------------===//
#include "runtime/cpu/Kernels.h"

namespace ej::runtime {

namespace {
constexpr Kernel kKernels[] = {
#define EJ_OP(Name, name) &kernel_##Name,
#include "lib/Ops.def"
};
static_assert(sizeof(kKernels) / sizeof(kKernels[0]) == detail::kNumOps);
} // namespace

Kernel cpu_kernel(detail::OpCode op) { return kKernels[static_cast<int>(op)]; }

void no_kernel(const char *op, DType dtype) {
  throw Error(std::string(op) + ": no CPU kernel for dtype " +
              dtype_name(dtype));
}

void copy_into(const Operand &dst, const Operand &src, int rank,
               const int64_t *shape) {
  Loop<2> loop(rank, shape, {dst, src});
  auto typed = [&](auto tag) {
    using T = decltype(tag);
    loop.run([](char **p, const int64_t *s, int64_t n) {
      T *d = reinterpret_cast<T *>(p[0]);
      const T *a = reinterpret_cast<const T *>(p[1]);
      int64_t sd = s[0] / int64_t(sizeof(T)), sa = s[1] / int64_t(sizeof(T));
      if (sd == 1 && sa == 1)
        std::memcpy(d, a, size_t(n) * sizeof(T));
      else if (sa == 0)
        for (int64_t i = 0; i < n; ++i)
          d[i * sd] = *a;
      else
        for (int64_t i = 0; i < n; ++i)
          d[i * sd] = a[i * sa];
    });
  };
  switch (dst.elsize) {
  case 1:
    return typed(uint8_t{});
  case 4:
    return typed(uint32_t{});
  default:
    return typed(uint64_t{});
  }
}

} // namespace ej::runtime
