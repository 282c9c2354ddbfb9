//===- Harness.h - Compile, run and compare codegen tests -------*- C++ -*-===//
//
// Random inputs (never zeros), compileCpuFunction on a one-op function,
// runs on raw buffers, and an ulp comparison with a float64 reference.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_CODEGEN_HARNESS_H
#define EJ_TEST_CODEGEN_HARNESS_H

#include "Reference.h"

#include "codegen/CpuCompiler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

namespace ejtest {

using mlir::ej::ElementType;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline const char *elementName(ElementType t) {
  switch (t) {
  case ElementType::Bool:
    return "i1";
  case ElementType::Int32:
    return "i32";
  case ElementType::Int64:
    return "i64";
  case ElementType::Float32:
    return "f32";
  case ElementType::Float64:
    return "f64";
  }
  return "?";
}

inline std::string tensorType(const std::vector<int64_t> &shape,
                              ElementType t) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + elementName(t) + ">";
}

inline bool isFloat(ElementType t) {
  return t == ElementType::Float32 || t == ElementType::Float64;
}

// `x` as the element type stores it.
inline double roundTo(double x, ElementType t) {
  switch (t) {
  case ElementType::Bool:
    return x != 0;
  case ElementType::Int32:
    return double(int32_t(x));
  case ElementType::Int64:
    return double(int64_t(x));
  case ElementType::Float32:
    return double(float(x));
  case ElementType::Float64:
    return x;
  }
  return x;
}

// `v` stored at `p` as element type `t` stores it.
inline void storeElement(char *p, ElementType t, double v) {
  switch (t) {
  case ElementType::Bool:
    *reinterpret_cast<bool *>(p) = v != 0;
    return;
  case ElementType::Int32:
    *reinterpret_cast<int32_t *>(p) = int32_t(v);
    return;
  case ElementType::Int64:
    *reinterpret_cast<int64_t *>(p) = int64_t(v);
    return;
  case ElementType::Float32:
    *reinterpret_cast<float *>(p) = float(v);
    return;
  case ElementType::Float64:
    *reinterpret_cast<double *>(p) = v;
    return;
  }
}

// The element of type `t` at `p`.
inline double loadElement(const char *p, ElementType t) {
  switch (t) {
  case ElementType::Bool:
    return *reinterpret_cast<const uint8_t *>(p);
  case ElementType::Int32:
    return *reinterpret_cast<const int32_t *>(p);
  case ElementType::Int64:
    return double(*reinterpret_cast<const int64_t *>(p));
  case ElementType::Float32:
    return *reinterpret_cast<const float *>(p);
  case ElementType::Float64:
    return *reinterpret_cast<const double *>(p);
  }
  return 0;
}

// Random values, never all zero: normal floats, integers in [-8, 8], fair
// bools; `positive` takes |x| + 0.05 for floats.
inline Array random(const std::vector<int64_t> &shape, ElementType t,
                    bool positive = false) {
  static std::mt19937_64 rng(20261122);
  Array a{shape, {}};
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> ints(-8, 8);
  for (int64_t i = 0; i < a.size(); ++i) {
    double v = isFloat(t)               ? normal(rng)
               : t == ElementType::Bool ? double(ints(rng) > 0)
                                        : double(ints(rng));
    if (positive && isFloat(t))
      v = std::fabs(v) + 0.05;
    a.v.push_back(roundTo(v, t));
  }
  return a;
}

// Compiles `text` (one function) or fails the test with the error.
inline std::unique_ptr<mlir::ej::CpuFunction> compile(const std::string &text) {
  std::string error;
  auto fn = mlir::ej::compileCpuFunction(text, "", "test", error);
  EXPECT_TRUE(fn) << error << "\n" << text;
  return fn;
}

// Runs `fn` on `args` (values already in the arguments' element types).
inline std::vector<Array>
run(const mlir::ej::CpuFunction &fn, const std::vector<Array> &args,
    const std::vector<std::vector<int64_t>> &strides = {}) {
  auto bytes = [](const Array &a, ElementType t) {
    std::vector<char> b(size_t(a.size()) * mlir::ej::elementSize(t));
    for (size_t i = 0; i < a.v.size(); ++i)
      storeElement(b.data() + i * mlir::ej::elementSize(t), t, a.v[i]);
    return b;
  };
  std::vector<std::vector<char>> in;
  std::vector<mlir::ej::InputBuffer> inputs;
  for (size_t i = 0; i < args.size(); ++i) {
    in.push_back(bytes(args[i], fn.inputs()[i].element));
    inputs.push_back({in.back().data(), i < strides.size()
                                            ? strides[i]
                                            : std::vector<int64_t>{}});
  }
  std::vector<std::vector<char>> out;
  std::vector<void *> outputs;
  for (const mlir::ej::TensorSignature &s : fn.outputs()) {
    // Garbage, not zeros, in the output buffers.
    out.emplace_back(size_t(s.numElements()) * mlir::ej::elementSize(s.element),
                     char(0x5a));
    outputs.push_back(out.back().data());
  }
  fn.run(inputs, outputs);
  std::vector<Array> results;
  for (size_t r = 0; r < out.size(); ++r) {
    const mlir::ej::TensorSignature &s = fn.outputs()[r];
    Array a{s.shape, {}};
    for (int64_t i = 0; i < s.numElements(); ++i)
      a.v.push_back(loadElement(
          out[r].data() + size_t(i) * mlir::ej::elementSize(s.element),
          s.element));
    results.push_back(a);
  }
  return results;
}

// The spacing of type t's values at |x|.
inline double ulp(double x, ElementType t) {
  x = std::fabs(x);
  if (t == ElementType::Float32) {
    float f = float(x);
    return double(std::nextafter(f, INFINITY)) - double(f);
  }
  return std::nextafter(x, INFINITY) - x;
}

// got within `ulps` ulp of the float64 reference (or of `scale` where that
// is larger: for results near a zero of a bounded function); NaN where the
// reference is NaN; exact for integers and bools.
inline void expectClose(const Array &got, const Array &ref, ElementType t,
                        double ulps, const std::string &what,
                        double scale = 0) {
  ASSERT_EQ(got.shape, ref.shape) << what;
  ASSERT_EQ(got.v.size(), ref.v.size()) << what;
  int bad = 0;
  double worst = 0;
  for (size_t i = 0; i < ref.v.size(); ++i) {
    double g = got.v[i], r = ref.v[i];
    if (std::isnan(r)) {
      if (!std::isnan(g) && bad++ < 3)
        ADD_FAILURE() << what << ": element " << i << " is " << g
                      << ", expected NaN";
      continue;
    }
    double tol = isFloat(t)
                     ? ulps * std::max(ulp(r, t), scale ? ulp(scale, t) : 0.0)
                     : 0.0;
    double err = std::isinf(r) ? (g == r ? 0 : kInf) : std::fabs(g - r);
    if (std::isnan(err))
      err = kInf;
    if (isFloat(t) && !std::isinf(r))
      worst = std::max(worst, err / ulp(r, t));
    if (err > tol && bad++ < 3)
      ADD_FAILURE() << what << ": element " << i << " is " << g << ", expected "
                    << r << " within " << ulps << " ulp";
  }
  EXPECT_EQ(bad, 0) << what << " (worst " << worst << " ulp)";
}

// One op applied to arguments of the given shapes and types.
struct Case {
  std::string op; // the op and its attributes, e.g. "reduce_sum %a axes = [1]"
  std::vector<Array> args;
  std::vector<ElementType> types;
  std::vector<int64_t> resultShape;
  ElementType resultType;
  std::string typeSuffix; // what follows ':' in the op's syntax
};

inline std::string functionText(const Case &c) {
  std::ostringstream s;
  s << "func.func @f(";
  for (size_t i = 0; i < c.args.size(); ++i)
    s << (i ? ", " : "") << "%a" << i << ": "
      << tensorType(c.args[i].shape, c.types[i]);
  std::string result = tensorType(c.resultShape, c.resultType);
  s << ") -> " << result << " {\n  %0 = ej." << c.op << " : " << c.typeSuffix
    << "\n  return %0 : " << result << "\n}\n";
  return s.str();
}

// The op's result on `args`, compiled.
inline Array compiledResult(const Case &c) {
  auto fn = compile(functionText(c));
  if (!fn)
    return {};
  return run(*fn, c.args)[0];
}

} // namespace ejtest

#endif // EJ_TEST_CODEGEN_HARNESS_H
