//===- Math.h - The scalar math of every elementwise op -----------*- C++
//-*-===//
//
// One functor per elementwise op of lib/Ops.def, named like the op. `f` is
// the math; `kTypes` says which dtypes the kernel is instantiated for (the
// API casts everything else away before the kernel runs); `kCost`, where
// present, the work per element relative to an add. Floating max/min
// propagate NaN as NumPy does.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_MATH_H
#define EJ_RUNTIME_CPU_MATH_H

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

// glibc's libmvec has vector variants of these functions (within 4 ulp).
// Declaring them `simd` lets GCC vectorise the unary kernels' loops into
// calls of the 4-lane (float) and 2-lane (double) variants, which libmvec
// dispatches at load time to the widest ISA of the machine.
#if EJ_HAVE_LIBMVEC && defined(__GNUC__) && !defined(__clang__)
#define EJ_VECTOR_MATH __attribute__((simd("notinbranch")))
extern "C" {
EJ_VECTOR_MATH float expf(float) noexcept;
EJ_VECTOR_MATH double exp(double) noexcept;
EJ_VECTOR_MATH float logf(float) noexcept;
EJ_VECTOR_MATH double log(double) noexcept;
EJ_VECTOR_MATH float sinf(float) noexcept;
EJ_VECTOR_MATH double sin(double) noexcept;
EJ_VECTOR_MATH float cosf(float) noexcept;
EJ_VECTOR_MATH double cos(double) noexcept;
EJ_VECTOR_MATH float tanhf(float) noexcept;
EJ_VECTOR_MATH double tanh(double) noexcept;
}
#undef EJ_VECTOR_MATH
#endif

namespace ej::runtime::math {

// The C functions by precision, so that the simd declarations above apply.
inline float c_exp(float x) { return ::expf(x); }
inline double c_exp(double x) { return ::exp(x); }
inline float c_log(float x) { return ::logf(x); }
inline double c_log(double x) { return ::log(x); }
inline float c_sin(float x) { return ::sinf(x); }
inline double c_sin(double x) { return ::sin(x); }
inline float c_cos(float x) { return ::cosf(x); }
inline double c_cos(double x) { return ::cos(x); }
inline float c_tanh(float x) { return ::tanhf(x); }
inline double c_tanh(double x) { return ::tanh(x); }

enum : unsigned {
  kBool = 1u << 0,
  kInt32 = 1u << 1,
  kInt64 = 1u << 2,
  kFloat32 = 1u << 3,
  kFloat64 = 1u << 4,
  kInts = kInt32 | kInt64,
  kFloats = kFloat32 | kFloat64,
  kNumbers = kInts | kFloats,
  kAll = kBool | kNumbers,
};

/// Work per element relative to an add: ops that declare `kCost` (the
/// transcendentals) are split across threads at proportionally smaller sizes.
template <class F, class = void> struct Cost {
  static constexpr int value = 1;
};
template <class F> struct Cost<F, std::void_t<decltype(F::kCost)>> {
  static constexpr int value = F::kCost;
};

template <class T> inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return v != v;
  else
    return false;
}

/// One value converted as `cast` converts it, and so every conversion of
/// values into or out of tensors: to bool, nonzero is true; a float to an
/// integer truncates toward zero, NaN gives 0 and values out of range
/// clamp (a plain static_cast is undefined there); integers wrap as C++
/// converts them.
template <class D, class S> inline D convert(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    if (v != v)
      return 0;
    if (v <= S(std::numeric_limits<D>::min()))
      return std::numeric_limits<D>::min();
    if (v >= S(std::numeric_limits<D>::max()))
      return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);
  }
}

// --- Unary ---
struct Neg {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T x) { return -x; }
};
struct Abs {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return std::fabs(x);
    else
      return x < 0 ? T(-x) : x;
  }
};
struct Exp {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return c_exp(x); }
};
struct Log {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return c_log(x); }
};
struct Sqrt {
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return std::sqrt(x); }
};
struct Rsqrt {
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return T(1) / std::sqrt(x); }
};
struct Square {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T x) { return x * x; }
};
struct Tanh {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return c_tanh(x); }
};
struct Sigmoid {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kFloats;
  // e = exp(-|x|) never overflows; 1 / (1 + e) and e / (1 + e) are the
  // two exact forms of 1 / (1 + exp(-x)). Branch-free, so it vectorises.
  template <class T> static T f(T x) {
    T e = c_exp(-std::fabs(x));
    T r = T(1) / (T(1) + e);
    return x >= T(0) ? r : e * r;
  }
};
struct Relu {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T x) {
    return x > T(0) || is_nan(x) ? x : T(0);
  }
};
struct Sin {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return c_sin(x); }
};
struct Cos {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return c_cos(x); }
};
struct Erf {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return std::erf(x); }
};
struct Floor {
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return std::floor(x); }
};
struct Ceil {
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T x) { return std::ceil(x); }
};
struct Sign {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T x) {
    if (is_nan(x))
      return x;
    return T((x > T(0)) - (x < T(0)));
  }
};
struct LogicalNot {
  static constexpr unsigned kTypes = kBool;
  static bool f(bool x) { return !x; }
};

// --- Binary ---
struct Add {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T a, T b) { return a + b; }
};
struct Sub {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T a, T b) { return a - b; }
};
struct Mul {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T a, T b) { return a * b; }
};
struct Div {
  static constexpr unsigned kTypes = kFloats;
  template <class T> static T f(T a, T b) { return a / b; }
};
struct Pow {
  static constexpr int kCost = 4;
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(a, b);
    } else {
      // Integer powers by squaring; a negative exponent truncates toward
      // zero as C division does (only 1 and -1 survive it).
      if (b < 0)
        return a == 1 ? T(1) : a == -1 ? T((b & 1) ? -1 : 1) : T(0);
      using U = std::make_unsigned_t<T>;
      U r = 1, base = static_cast<U>(a);
      for (T e = b; e > 0; e >>= 1) {
        if (e & 1)
          r *= base;
        base *= base;
      }
      return static_cast<T>(r);
    }
  }
};
struct Maximum {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T a, T b) {
    return (a > b || is_nan(a)) ? a : b;
  }
};
struct Minimum {
  static constexpr unsigned kTypes = kNumbers;
  template <class T> static T f(T a, T b) {
    return (a < b || is_nan(a)) ? a : b;
  }
};
struct LogicalAnd {
  static constexpr unsigned kTypes = kBool;
  static bool f(bool a, bool b) { return a && b; }
};
struct LogicalOr {
  static constexpr unsigned kTypes = kBool;
  static bool f(bool a, bool b) { return a || b; }
};

// --- Comparisons (result bool) ---
struct Equal {
  static constexpr unsigned kTypes = kAll;
  template <class T> static bool f(T a, T b) { return a == b; }
};
struct NotEqual {
  static constexpr unsigned kTypes = kAll;
  template <class T> static bool f(T a, T b) { return a != b; }
};
struct Less {
  static constexpr unsigned kTypes = kAll;
  template <class T> static bool f(T a, T b) { return a < b; }
};
struct LessEqual {
  static constexpr unsigned kTypes = kAll;
  template <class T> static bool f(T a, T b) { return a <= b; }
};
struct Greater {
  static constexpr unsigned kTypes = kAll;
  template <class T> static bool f(T a, T b) { return a > b; }
};
struct GreaterEqual {
  static constexpr unsigned kTypes = kAll;
  template <class T> static bool f(T a, T b) { return a >= b; }
};

} // namespace ej::runtime::math

#endif // EJ_RUNTIME_CPU_MATH_H
