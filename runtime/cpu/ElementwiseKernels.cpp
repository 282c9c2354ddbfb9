//===- ElementwiseKernels.cpp - Unary, binary, where and cast kernels ----===//
//
// The result is always fresh and row-major, so after Loop's simplification
// its inner stride is one element; the inner loops special-case unit and
// zero (broadcast) input strides so that the common cases vectorise.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Kernels.h"

#include <immintrin.h>

#include <cstring>
#include <dlfcn.h>
#include <limits>

namespace ej::runtime {
using detail::Record;
using detail::TensorImpl;

namespace {

// glibc's vector math library (libmvec): AVX2's 8-float and 4-double
// versions of the transcendentals (and sigmoid's exp) replace one libm call per
// element on contiguous inputs, where the CPU has AVX2 and FMA and the library
// is there (compiled kernels use the same functions, or polynomials: see
// codegen/LlvmOptimize.cpp). Every element goes through the vector
// function, the tail padded, so that a value's result does not depend on
// where the loop's chunks begin.
void *vector_math(const char *name) {
  static void *library =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
          ? dlopen("libmvec.so.1", RTLD_NOW)
          : nullptr;
  return library ? dlsym(library, name) : nullptr;
}

template <class F> struct VectorMath {
  static constexpr const char *f32 = nullptr, *f64 = nullptr;
};
#define EJ_VECTOR_MATH(Name, name)                                             \
  template <> struct VectorMath<math::Name> {                                  \
    static constexpr const char *f32 = "_ZGVdN8v_" name "f",                   \
                                *f64 = "_ZGVdN4v_" name;                       \
  };
EJ_VECTOR_MATH(Exp, "exp")
EJ_VECTOR_MATH(Log, "log")
EJ_VECTOR_MATH(Tanh, "tanh")
EJ_VECTOR_MATH(Sin, "sin")
EJ_VECTOR_MATH(Cos, "cos")
EJ_VECTOR_MATH(Erf, "erf")
#undef EJ_VECTOR_MATH

// F's vector version for T (float or double), or null.
template <class F, class T> void *vector_version() {
  static void *fn = [] {
    const char *name =
        std::is_same_v<T, float> ? VectorMath<F>::f32 : VectorMath<F>::f64;
    return name ? vector_math(name) : nullptr;
  }();
  return fn;
}

// One call of an AVX2 vector function: 8 floats or 4 doubles.
__attribute__((target("avx2,fma"))) inline void
apply_lanes(void *fn, const float *in, float *out) {
  auto f = reinterpret_cast<__m256 (*)(__m256)>(fn);
  _mm256_storeu_ps(out, f(_mm256_loadu_ps(in)));
}
__attribute__((target("avx2,fma"))) inline void
apply_lanes(void *fn, const double *in, double *out) {
  auto f = reinterpret_cast<__m256d (*)(__m256d)>(fn);
  _mm256_storeu_pd(out, f(_mm256_loadu_pd(in)));
}

template <class T>
__attribute__((target("avx2,fma"))) void map_vector(void *fn, const T *a, T *o,
                                                    int64_t n) {
  constexpr int64_t kLanes = 32 / sizeof(T);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    apply_lanes(fn, a + i, o + i);
  if (i < n) {
    T tail[kLanes] = {};
    std::memcpy(tail, a + i, size_t(n - i) * sizeof(T));
    apply_lanes(fn, tail, tail);
    std::memcpy(o + i, tail, size_t(n - i) * sizeof(T));
  }
}

template <class F> void unary(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  dispatch<F::kTypes>(x->dtype, detail::op_name(r.op), [&](auto tag) {
    using T = decltype(tag);
    Loop<2> loop(out->rank, out->shape, {operand(out), operand(x)});
    loop.run(
        [](char **p, const int64_t *s, int64_t n) {
          T *__restrict o = reinterpret_cast<T *>(p[0]);
          const T *__restrict a = reinterpret_cast<const T *>(p[1]);
          int64_t sa = s[1] / int64_t(sizeof(T));
          if constexpr (std::is_same_v<F, math::Sigmoid>) {
            // Math.h's form, its exp through the vector function.
            if (void *vf = vector_version<math::Exp, T>(); vf && sa == 1) {
              for (int64_t i = 0; i < n; ++i)
                o[i] = -std::fabs(a[i]);
              map_vector(vf, o, o, n);
              for (int64_t i = 0; i < n; ++i) {
                T e = o[i], r = T(1) / (T(1) + e);
                o[i] = a[i] >= T(0) ? r : e * r;
              }
              return;
            }
          } else if constexpr (std::is_floating_point_v<T>) {
            if (void *vf = vector_version<F, T>(); vf && sa == 1) {
              map_vector(vf, a, o, n);
              return;
            }
          }
          if (sa == 1)
            for (int64_t i = 0; i < n; ++i)
              o[i] = F::f(a[i]);
          else
            for (int64_t i = 0; i < n; ++i)
              o[i] = F::f(a[i * sa]);
        },
        kParallelGrain / math::Cost<F>::value);
  });
}

template <class F> void binary(Record &r) {
  const TensorImpl *a = r.input(0), *b = r.input(1);
  TensorImpl *out = r.result;
  detail::allocate(out);
  dispatch<F::kTypes>(a->dtype, detail::op_name(r.op), [&](auto tag) {
    using T = decltype(tag);
    using R = decltype(F::f(T{}, T{}));
    Loop<3> loop(out->rank, out->shape, {operand(out), operand(a), operand(b)});
    loop.run(
        [](char **p, const int64_t *s, int64_t n) {
          R *__restrict o = reinterpret_cast<R *>(p[0]);
          const T *__restrict x = reinterpret_cast<const T *>(p[1]);
          const T *__restrict y = reinterpret_cast<const T *>(p[2]);
          int64_t sx = s[1] / int64_t(sizeof(T)),
                  sy = s[2] / int64_t(sizeof(T));
          if (sx == 1 && sy == 1) {
            for (int64_t i = 0; i < n; ++i)
              o[i] = F::f(x[i], y[i]);
          } else if (sx == 0 && sy == 1) {
            T xv = *x;
            for (int64_t i = 0; i < n; ++i)
              o[i] = F::f(xv, y[i]);
          } else if (sx == 1 && sy == 0) {
            T yv = *y;
            for (int64_t i = 0; i < n; ++i)
              o[i] = F::f(x[i], yv);
          } else {
            for (int64_t i = 0; i < n; ++i)
              o[i] = F::f(x[i * sx], y[i * sy]);
          }
        },
        kParallelGrain / math::Cost<F>::value);
  });
}

} // namespace

#define EJ_UNARY(Name, name)                                                   \
  void kernel_##Name(Record &r) { unary<math::Name>(r); }
#define EJ_BINARY(Name, name)                                                  \
  void kernel_##Name(Record &r) { binary<math::Name>(r); }
#define EJ_COMPARE(Name, name)                                                 \
  void kernel_##Name(Record &r) { binary<math::Name>(r); }
#include "lib/Ops.def"

void kernel_Where(Record &r) {
  const TensorImpl *c = r.input(0), *a = r.input(1), *b = r.input(2);
  TensorImpl *out = r.result;
  detail::allocate(out);
  dispatch<math::kAll>(a->dtype, "where", [&](auto tag) {
    using T = decltype(tag);
    Loop<4> loop(out->rank, out->shape,
                 {operand(out), operand(c), operand(a), operand(b)});
    loop.run([](char **p, const int64_t *s, int64_t n) {
      T *__restrict o = reinterpret_cast<T *>(p[0]);
      const bool *__restrict cv = reinterpret_cast<const bool *>(p[1]);
      const T *__restrict x = reinterpret_cast<const T *>(p[2]);
      const T *__restrict y = reinterpret_cast<const T *>(p[3]);
      int64_t sc = s[1], sx = s[2] / int64_t(sizeof(T)),
              sy = s[3] / int64_t(sizeof(T));
      for (int64_t i = 0; i < n; ++i)
        o[i] = cv[i * sc] ? x[i * sx] : y[i * sy];
    });
  });
}

void kernel_Cast(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  dispatch<math::kAll>(x->dtype, "cast", [&](auto from) {
    using S = decltype(from);
    dispatch<math::kAll>(out->dtype, "cast", [&](auto to) {
      using D = decltype(to);
      Loop<2> loop(out->rank, out->shape, {operand(out), operand(x)});
      loop.run([](char **p, const int64_t *s, int64_t n) {
        D *__restrict o = reinterpret_cast<D *>(p[0]);
        const S *__restrict a = reinterpret_cast<const S *>(p[1]);
        int64_t sa = s[1] / int64_t(sizeof(S));
        for (int64_t i = 0; i < n; ++i)
          o[i] = math::convert<D>(a[i * sa]);
      });
    });
  });
}

} // namespace ej::runtime
