//===- DType.h - Element types and type promotion ----------------*- C++
//-*-===//
//
// The five element types of EagerJIT and the promotion rule that binary ops
// use. Promotion goes by category first (bool < integer < floating), then by
// width inside a category:
//
//   int32 + int64   -> int64        int32 + float32 -> float32
//   int64 + float32 -> float32      float32 + float64 -> float64
//   bool  + int32   -> int32
//
// A C++ literal (`x + 1`, `2.5 * x`) is a *weak* scalar: it takes the dtype of
// the tensor it meets, unless its category is higher (an integer tensor times
// 2.5 is float32, the default floating type).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_DTYPE_H
#define EJ_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ej {

enum class DType : uint8_t { Bool, Int32, Int64, Float32, Float64 };

inline constexpr DType bool_ = DType::Bool;
inline constexpr DType int32 = DType::Int32;
inline constexpr DType int64 = DType::Int64;
inline constexpr DType float32 = DType::Float32;
inline constexpr DType float64 = DType::Float64;

inline constexpr int kNumDTypes = 5;

/// "float32", "int64", "bool", ...
const char *dtype_name(DType t);

inline constexpr size_t dtype_size(DType t) {
  switch (t) {
  case DType::Bool:
    return 1;
  case DType::Int32:
  case DType::Float32:
    return 4;
  case DType::Int64:
  case DType::Float64:
    return 8;
  }
  return 0;
}

inline constexpr bool is_floating(DType t) {
  return t == DType::Float32 || t == DType::Float64;
}
inline constexpr bool is_integer(DType t) {
  return t == DType::Int32 || t == DType::Int64;
}

/// The promoted type of two (strong) dtypes, see the file comment.
DType promote_types(DType a, DType b);

/// The C++ type that stores elements of a dtype.
template <DType D> struct dtype_traits;
template <> struct dtype_traits<DType::Bool> { using type = bool; };
template <> struct dtype_traits<DType::Int32> { using type = int32_t; };
template <> struct dtype_traits<DType::Int64> { using type = int64_t; };
template <> struct dtype_traits<DType::Float32> { using type = float; };
template <> struct dtype_traits<DType::Float64> { using type = double; };

/// The dtype that stores C++ type T (`dtype_of<float>() == float32`).
template <class T> constexpr DType dtype_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>)
    return DType::Bool;
  else if constexpr (std::is_same_v<U, float>)
    return DType::Float32;
  else if constexpr (std::is_same_v<U, double>)
    return DType::Float64;
  else if constexpr (std::is_integral_v<U> && sizeof(U) <= 4)
    return DType::Int32;
  else if constexpr (std::is_integral_v<U>)
    return DType::Int64;
  else
    static_assert(std::is_arithmetic_v<U>, "no dtype stores this type");
}

} // namespace ej

#endif // EJ_DTYPE_H
