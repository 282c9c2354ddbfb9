//===- KernelTest.cpp - Compiled reductions, matmuls, shapes and chains --===//
//
// Reductions, argmax/argmin, matmul (through BLAS), the shape ops, creation
// ops and fused chains (softmax over the last axis, layernorm,
// x * y + 1 -> exp -> tanh) compiled through ej-cpu-pipeline and ORC,
// against float64 references; strided inputs; and functions the code
// generator refuses, which give an error, not an abort.
//
//===----------------------------------------------------------------------===//
#include "Harness.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

namespace {

using namespace ejtest;
using mlir::ej::ElementType;

const ElementType f32 = ElementType::Float32, f64 = ElementType::Float64,
                  i32 = ElementType::Int32, i64 = ElementType::Int64;

// The largest |a_ij| * |b_jk|: BLAS sums a product in its own order, so its
// error is a few ulp of the largest term.
double largestTerm(const Array &a, const Array &b) {
  double ma = 0, mb = 0;
  for (double v : a.v)
    ma = std::max(ma, std::fabs(v));
  for (double v : b.v)
    mb = std::max(mb, std::fabs(v));
  return ma * mb;
}

const char *const kSoftmax = R"(
func.func @softmax(%x: tensor<RxCxf32>) -> tensor<RxCxf32> {
  %0 = ej.reduce_max %x axes = [1] keepdims : tensor<RxCxf32>
  %1 = ej.sub %x, %0 : tensor<RxCxf32>, tensor<Rx1xf32>
  %2 = ej.exp %1 : tensor<RxCxf32>
  %3 = ej.reduce_sum %2 axes = [1] keepdims : tensor<RxCxf32>
  %4 = ej.div %2, %3 : tensor<RxCxf32>, tensor<Rx1xf32>
  return %4 : tensor<RxCxf32>
})";

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

struct Reduction {
  const char *name;
  double init;
  double (*f)(double, double);
  bool mean = false;
};

const Reduction kReductions[] = {
    {"reduce_sum", 0, [](double a, double b) { return a + b; }},
    {"reduce_mean", 0, [](double a, double b) { return a + b; }, true},
    {"reduce_max", -INFINITY,
     [](double a, double b) { return (a > b || std::isnan(a)) ? a : b; }},
    {"reduce_min", INFINITY,
     [](double a, double b) { return (a < b || std::isnan(a)) ? a : b; }},
    {"reduce_prod", 1, [](double a, double b) { return a * b; }},
};

TEST(Reductions, EveryReductionOverEveryAxisSetMatchesFloat64) {
  const std::vector<int64_t> shape = {3, 4, 50};
  const std::vector<std::vector<int64_t>> axesSets = {
      {2}, {0}, {1}, {0, 2}, {}};
  for (ElementType t : {f32, f64})
    for (const Reduction &r : kReductions)
      for (const auto &axes : axesSets)
        for (bool keepdims : {false, true}) {
          Array x = random(shape, t);
          if (std::string(r.name) == "reduce_prod") // keep products finite
            for (double &v : x.v)
              v = roundTo(1 + 0.1 * v, t);
          Array ref = reduce(x, axes, keepdims, r.init, r.f);
          if (r.mean)
            for (double &v : ref.v)
              v /= double(x.size() / ref.size());
          std::string axesText;
          for (int64_t a : axes)
            axesText += (axesText.empty() ? "" : ", ") + std::to_string(a);
          Case c{std::string(r.name) + " %a0 axes = [" + axesText + "]" +
                     (keepdims ? " keepdims" : ""),
                 {x},
                 {t},
                 ref.shape,
                 t,
                 tensorType(shape, t)};
          // float32 sums and products are accumulated in float64 and
          // rounded once: within an ulp. float64 ones are reassociated (to
          // vectorize): within n ulp of the largest term, n the count.
          double ulps = 1, scale = 0;
          std::string name = r.name;
          if (t == f64 && name != "reduce_max" && name != "reduce_min") {
            ulps = double(x.size() / ref.size());
            for (double v : x.v)
              scale = std::max(scale, name == "reduce_prod" ? 0 : std::fabs(v));
          }
          expectClose(compiledResult(c), ref, t, ulps,
                      c.op + " " + elementName(t), scale);
        }
}

TEST(Reductions, IntegerSumsWrapOnceLikeTheKernels) {
  Array x = random({6, 9}, i32);
  x.v[0] = 2147483000; // the int64 accumulator wraps into int32 at the end
  x.v[1] = 2147483000;
  Array ref =
      reduce(x, {1}, false, 0, [](double a, double b) { return a + b; });
  for (double &v : ref.v)
    v = double(int32_t(int64_t(v)));
  expectClose(compiledResult({"reduce_sum %a0 axes = [1]",
                              {x},
                              {i32},
                              {6},
                              i32,
                              "tensor<6x9xi32>"}),
              ref, i32, 0, "reduce_sum i32");
  Array ref2 = reduce(x, {0}, true, -2147483648.0,
                      [](double a, double b) { return std::max(a, b); });
  expectClose(compiledResult({"reduce_max %a0 axes = [0] keepdims",
                              {x},
                              {i32},
                              {1, 9},
                              i32,
                              "tensor<6x9xi32>"}),
              ref2, i32, 0, "reduce_max i32");
}

// A NaN anywhere in a reduced row makes the float maximum and minimum NaN,
// wherever it stands (the vectorized reduction visits elements out of
// order); rows without one get the plain extreme.
TEST(Reductions, FloatExtremesPropagateNaNsFromAnyPosition) {
  for (ElementType t : {f32, f64})
    for (bool max : {true, false}) {
      Array x = random({5, 70}, t);
      x.v[0 * 70 + 0] = kNaN;  // first
      x.v[1 * 70 + 37] = kNaN; // middle
      x.v[2 * 70 + 69] = kNaN; // last
      Array ref = reduce(x, {1}, false, max ? -INFINITY : INFINITY,
                         [max](double a, double b) {
                           if (std::isnan(a) || std::isnan(b))
                             return kNaN;
                           return max ? std::max(a, b) : std::min(a, b);
                         });
      std::string op = max ? "reduce_max" : "reduce_min";
      expectClose(compiledResult({op + " %a0 axes = [1]",
                                  {x},
                                  {t},
                                  {5},
                                  t,
                                  tensorType({5, 70}, t)}),
                  ref, t, 0, op + " " + elementName(t));
    }
}

// A reduction of a 0-d tensor is one element: fused into a consumer with
// loops, it must not accumulate once per element of that consumer.
TEST(Reductions, ZeroDimensionalSumFusedIntoABroadcastIsItsOperand) {
  auto fn = compile(R"(
func.func @f(%x: tensor<7x3x2xf32>, %s: tensor<f32>, %k: tensor<i32>) -> tensor<7x3x2xf32> {
  %0 = ej.reduce_sum %k axes = [] keepdims : tensor<i32>
  %1 = ej.cast %0 : tensor<i32> to tensor<f32>
  %2 = ej.mul %x, %s : tensor<7x3x2xf32>, tensor<f32>
  %3 = ej.add %2, %1 : tensor<7x3x2xf32>, tensor<f32>
  return %3 : tensor<7x3x2xf32>
})");
  ASSERT_TRUE(fn);
  Array x = random({7, 3, 2}, f32), s = random({}, f32), k = random({}, i32);
  Array ref = map({x, s, k}, [](auto &v) {
    return double(float(v[0] * v[1]) + float(v[2]));
  });
  expectClose(run(*fn, {x, s, k})[0], ref, f32, 1, "x * s + sum(k)");
}

// The first extreme wins ties; the first NaN wins and stays.
TEST(Reductions, ArgMaxAndArgMinPickTheFirstExtremeAndTheFirstNaN) {
  for (bool max : {true, false}) {
    Array x = random({5, 9}, f32);
    x.v[3] = x.v[7] = max ? 10 : -10; // a tie in row 0
    x.v[9 + 4] = kNaN;                // row 1: NaN after ...
    x.v[9 + 6] = kNaN;
    x.v[9 + 2] = max ? 10 : -10; // ... a larger value before it
    Array ref{{5}, {}};
    for (int64_t r = 0; r < 5; ++r) {
      int64_t best = 0;
      double bv = x.v[size_t(r * 9)];
      for (int64_t j = 1; j < 9 && !std::isnan(bv); ++j) {
        double c = x.v[size_t(r * 9 + j)];
        if (std::isnan(c) || (max ? c > bv : c < bv)) {
          bv = c;
          best = j;
        }
      }
      ref.v.push_back(double(best));
    }
    std::string op = max ? "argmax" : "argmin";
    expectClose(
        compiledResult(
            {op + " %a0 axis = 1", {x}, {f32}, {5}, i64, "tensor<5x9xf32>"}),
        ref, i64, 0, op);
    Array xi = random({4, 6}, i64);
    Array refi{{6}, {}};
    for (int64_t col = 0; col < 6; ++col) {
      int64_t best = 0;
      for (int64_t r = 1; r < 4; ++r) {
        double c = xi.v[size_t(r * 6 + col)], b = xi.v[size_t(best * 6 + col)];
        if (max ? c > b : c < b)
          best = r;
      }
      refi.v.push_back(double(best));
    }
    expectClose(
        compiledResult(
            {op + " %a0 axis = 0", {xi}, {i64}, {6}, i64, "tensor<4x6xi64>"}),
        refi, i64, 0, op + " i64");
  }
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

TEST(MatMul, PlainBatchedAndBroadcastProductsMatchFloat64) {
  struct Shapes {
    std::vector<int64_t> a, b;
  };
  const Shapes cases[] = {{{33, 17}, {17, 9}},
                          {{2, 5, 7}, {7, 3}},
                          {{2, 5, 7}, {2, 7, 3}},
                          {{2, 1, 4, 3}, {5, 3, 2}},
                          {{1, 6}, {6, 1}}};
  for (ElementType t : {f32, f64, i32})
    for (const Shapes &s : cases) {
      Array a = random(s.a, t), b = random(s.b, t);
      Array ref = matmul(a, b);
      Case c{"matmul %a0, %a1",
             {a, b},
             {t, t},
             ref.shape,
             t,
             tensorType(s.a, t) + ", " + tensorType(s.b, t)};
      expectClose(compiledResult(c), ref, t, 4 * double(s.a.back()),
                  c.typeSuffix, largestTerm(a, b));
    }
}

// The products of a gradient, x^T g and g W^T, and a batched one: BLAS
// reads the transposed operands in place (ej-linalg-to-blas drops their
// copies).
TEST(MatMul, ProductsOfTransposedOperandsMatchFloat64) {
  auto fn = compile(R"(
func.func @f(%x: tensor<6x5xf32>, %g: tensor<6x4xf32>, %w: tensor<3x4xf32>, %p: tensor<2x5x3xf64>, %q: tensor<2x5x4xf64>) -> (tensor<5x4xf32>, tensor<6x3xf32>, tensor<2x3x4xf64>) {
  %0 = ej.transpose %x perm = [1, 0] : tensor<6x5xf32>
  %1 = ej.matmul %0, %g : tensor<5x6xf32>, tensor<6x4xf32>
  %2 = ej.transpose %w perm = [1, 0] : tensor<3x4xf32>
  %3 = ej.matmul %g, %2 : tensor<6x4xf32>, tensor<4x3xf32>
  %4 = ej.transpose %p perm = [0, 2, 1] : tensor<2x5x3xf64>
  %5 = ej.matmul %4, %q : tensor<2x3x5xf64>, tensor<2x5x4xf64>
  return %1, %3, %5 : tensor<5x4xf32>, tensor<6x3xf32>, tensor<2x3x4xf64>
})");
  ASSERT_TRUE(fn);
  Array x = random({6, 5}, f32), g = random({6, 4}, f32),
        w = random({3, 4}, f32), p = random({2, 5, 3}, f64),
        q = random({2, 5, 4}, f64);
  std::vector<Array> got = run(*fn, {x, g, w, p, q});
  expectClose(got[0], matmul(transpose(x, {1, 0}), g), f32, 4 * 6, "x^T g",
              largestTerm(x, g));
  expectClose(got[1], matmul(g, transpose(w, {1, 0})), f32, 4 * 4, "g W^T",
              largestTerm(g, w));
  expectClose(got[2], matmul(transpose(p, {0, 2, 1}), q), f64, 4 * 5,
              "batched p^T q", largestTerm(p, q));
}

// A transposed operand computed in the kernel, whose buffer is freed after
// its last use (the transpose's copy) unless the matmul reads it in place.
TEST(MatMul, ATransposedIntermediateIsReadBeforeItIsFreed) {
  auto fn = compile(R"(
func.func @f(%x: tensor<7x5xf32>, %y: tensor<7x5xf32>, %g: tensor<7x3xf32>) -> tensor<5x3xf32> {
  %0 = ej.mul %x, %y : tensor<7x5xf32>, tensor<7x5xf32>
  %1 = ej.transpose %0 perm = [1, 0] : tensor<7x5xf32>
  %2 = ej.matmul %1, %g : tensor<5x7xf32>, tensor<7x3xf32>
  return %2 : tensor<5x3xf32>
})");
  ASSERT_TRUE(fn);
  Array x = random({7, 5}, f32), y = random({7, 5}, f32),
        g = random({7, 3}, f32);
  Array xy = map({x, y}, [](auto &v) { return double(float(v[0] * v[1])); });
  expectClose(run(*fn, {x, y, g})[0], matmul(transpose(xy, {1, 0}), g), f32,
              4 * 7, "(x*y)^T g", largestTerm(xy, g));
}

//===----------------------------------------------------------------------===//
// Shapes and creation
//===----------------------------------------------------------------------===//

TEST(Shapes, ReshapeTransposeAndBroadcastMoveElementsExactly) {
  Array x = random({2, 3, 4}, f32);
  Array flat{{4, 6}, x.v};
  expectClose(compiledResult({"reshape %a0",
                              {x},
                              {f32},
                              {4, 6},
                              f32,
                              "tensor<2x3x4xf32> to tensor<4x6xf32>"}),
              flat, f32, 0, "reshape");
  expectClose(compiledResult({"transpose %a0 perm = [2, 0, 1]",
                              {x},
                              {f32},
                              {4, 2, 3},
                              f32,
                              "tensor<2x3x4xf32>"}),
              transpose(x, {2, 0, 1}), f32, 0, "transpose");
  Array row = random({1, 4}, i64);
  Array ref = map({row, Array{{3, 4}, std::vector<double>(12, 0)}},
                  [](auto &v) { return v[0]; });
  expectClose(compiledResult({"broadcast_to %a0",
                              {row},
                              {i64},
                              {3, 4},
                              i64,
                              "tensor<1x4xi64> to tensor<3x4xi64>"}),
              ref, i64, 0, "broadcast_to");
  Array y = random({5}, f64);
  expectClose(
      compiledResult({"copy %a0", {y}, {f64}, {5}, f64, "tensor<5xf64>"}), y,
      f64, 0, "copy");
}

TEST(Shapes, StridedAndReversedSlicesPickTheRightElements) {
  Array x = random({6, 5}, f32);
  auto slice = [&](int64_t s0, int64_t st0, int64_t n0, int64_t s1, int64_t st1,
                   int64_t n1) {
    Array r{{n0, n1}, {}};
    for (int64_t i = 0; i < n0; ++i)
      for (int64_t j = 0; j < n1; ++j)
        r.v.push_back(x.v[size_t((s0 + i * st0) * 5 + s1 + j * st1)]);
    return r;
  };
  expectClose(compiledResult({"slice %a0 starts = [1, 0] steps = [2, 2]",
                              {x},
                              {f32},
                              {3, 3},
                              f32,
                              "tensor<6x5xf32> to tensor<3x3xf32>"}),
              slice(1, 2, 3, 0, 2, 3), f32, 0, "strided slice");
  expectClose(compiledResult({"slice %a0 starts = [5, 4] steps = [-2, -1]",
                              {x},
                              {f32},
                              {3, 5},
                              f32,
                              "tensor<6x5xf32> to tensor<3x5xf32>"}),
              slice(5, -2, 3, 4, -1, 5), f32, 0, "reversed slice");
}

TEST(Shapes, ConcatAndPadPlaceTheirOperands) {
  Array a = random({2, 3}, i32), b = random({2, 2}, i32);
  Array cat{{2, 5}, {}};
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j)
      cat.v.push_back(a.v[size_t(i * 3 + j)]);
    for (int64_t j = 0; j < 2; ++j)
      cat.v.push_back(b.v[size_t(i * 2 + j)]);
  }
  expectClose(compiledResult({"concat %a0, %a1 axis = 1",
                              {a, b},
                              {i32, i32},
                              {2, 5},
                              i32,
                              "tensor<2x3xi32>, tensor<2x2xi32>"}),
              cat, i32, 0, "concat");
  Array x = random({2, 2}, f32);
  Array pad{{4, 3}, std::vector<double>(12, -1.5)};
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j)
      pad.v[size_t((i + 1) * 3 + j + 1)] = x.v[size_t(i * 2 + j)];
  expectClose(compiledResult({"pad %a0 low = [1, 1] high = [1, 0] value = -1.5",
                              {x},
                              {f32},
                              {4, 3},
                              f32,
                              "tensor<2x2xf32>"}),
              pad, f32, 0, "pad");
}

// Two concats with the same first operand share a prefix after CSE; each
// result keeps its own tail (found by the random-program test, seed 7362:
// writing the first result clobbered the second).
TEST(Shapes, ResultsBuiltOnOneSharedPrefixKeepTheirOwnElements) {
  auto fn = compile(R"(
func.func @f(%a: tensor<6xi64>, %b: tensor<2xi64>, %c: tensor<2xi64>) -> (tensor<8xi64>, tensor<8xi64>) {
  %0 = ej.concat %a, %b axis = 0 : tensor<6xi64>, tensor<2xi64>
  %1 = ej.concat %a, %c axis = 0 : tensor<6xi64>, tensor<2xi64>
  return %0, %1 : tensor<8xi64>, tensor<8xi64>
})");
  ASSERT_TRUE(fn);
  Array a = random({6}, i64), b = random({2}, i64), c = random({2}, i64);
  Array ab{{8}, a.v}, ac{{8}, a.v};
  ab.v.insert(ab.v.end(), b.v.begin(), b.v.end());
  ac.v.insert(ac.v.end(), c.v.begin(), c.v.end());
  std::vector<Array> got = run(*fn, {a, b, c});
  expectClose(got[0], ab, i64, 0, "concat(a, b)");
  expectClose(got[1], ac, i64, 0, "concat(a, c)");
  // The second result through a view of the shared prefix's branch.
  auto viewed = compile(R"(
func.func @f(%a: tensor<6xi64>, %b: tensor<2xi64>, %c: tensor<2xi64>) -> (tensor<8xi64>, tensor<2x4xi64>) {
  %0 = ej.concat %a, %b axis = 0 : tensor<6xi64>, tensor<2xi64>
  %1 = ej.concat %a, %c axis = 0 : tensor<6xi64>, tensor<2xi64>
  %2 = ej.reshape %1 : tensor<8xi64> to tensor<2x4xi64>
  return %0, %2 : tensor<8xi64>, tensor<2x4xi64>
})");
  ASSERT_TRUE(viewed);
  got = run(*viewed, {a, b, c});
  expectClose(got[0], ab, i64, 0, "concat(a, b)");
  expectClose(got[1], Array{{2, 4}, ac.v}, i64, 0, "reshape(concat(a, c))");
}

TEST(Creation, FillsAndConstantsHoldTheirValues) {
  auto fn = compile(R"(
func.func @f() -> (tensor<40x40xf32>, tensor<40x40xi32>, tensor<2x2xf64>) {
  %0 = ej.fill 2.5 : tensor<40x40xf32>
  %1 = ej.fill -7.9 : tensor<40x40xi32>
  %2 = ej.constant dense<[[1.0, -2.0], [3.5, 4.25]]> : tensor<2x2xf64>
  return %0, %1, %2 : tensor<40x40xf32>, tensor<40x40xi32>, tensor<2x2xf64>
})");
  ASSERT_TRUE(fn);
  std::vector<Array> r = run(*fn, {});
  expectClose(r[0], Array{{40, 40}, std::vector<double>(1600, 2.5)}, f32, 0,
              "fill f32");
  expectClose(r[1], Array{{40, 40}, std::vector<double>(1600, -7)}, i32, 0,
              "fill i32 truncates");
  expectClose(r[2], Array{{2, 2}, {1.0, -2.0, 3.5, 4.25}}, f64, 0, "constant");
}

//===----------------------------------------------------------------------===//
// Fused chains
//===----------------------------------------------------------------------===//

// `text` with every "RxC" replaced by the shape `rows`x`cols` and "C" alone
// (as in "tensor<Cxf32>") by `cols`.
std::string withShape(std::string text, int64_t rows, int64_t cols) {
  auto replace = [&](const std::string &from, const std::string &to) {
    for (size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  };
  std::string r = std::to_string(rows), c = std::to_string(cols);
  replace("RxC", r + "x" + c);
  replace("Rx1", r + "x1");
  replace("<Cx", "<" + c + "x");
  return text;
}

// Small shapes run on one thread; the large ones (past ej-parallelize's
// threshold) split their rows over OpenMP threads.
const std::pair<int64_t, int64_t> kRowShapes[] = {{8, 300}, {700, 300}};

TEST(Chains, FusedSoftmaxOverTheLastAxisMatchesFloat64WithinUlps) {
  for (auto [rows, cols] : kRowShapes) {
    auto fn = compile(withShape(kSoftmax, rows, cols));
    ASSERT_TRUE(fn);
    Array x = random({rows, cols}, f32);
    Array m = reduce(x, {1}, true, -INFINITY,
                     [](double a, double b) { return std::max(a, b); });
    // x - max is one float32 operation: its rounding, amplified by exp, is
    // the program's, not the compiler's.
    Array e = map({x, m},
                  [](auto &v) { return std::exp(double(float(v[0] - v[1]))); });
    Array s = reduce(e, {1}, true, 0, [](double a, double b) { return a + b; });
    Array ref = map({e, s}, [](auto &v) { return v[0] / v[1]; });
    expectClose(run(*fn, {x})[0], ref, f32, 4,
                "softmax " + std::to_string(rows) + "x" + std::to_string(cols));
  }
}

TEST(Chains, FusedLayerNormMatchesFloat64WithinUlps) {
  for (auto [rows, cols] : kRowShapes) {
    auto fn = compile(withShape(R"(
func.func @layernorm(%x: tensor<RxCxf32>, %g: tensor<Cxf32>, %b: tensor<Cxf32>) -> tensor<RxCxf32> {
  %0 = ej.reduce_mean %x axes = [1] keepdims : tensor<RxCxf32>
  %1 = ej.sub %x, %0 : tensor<RxCxf32>, tensor<Rx1xf32>
  %2 = ej.square %1 : tensor<RxCxf32>
  %3 = ej.reduce_mean %2 axes = [1] keepdims : tensor<RxCxf32>
  %4 = ej.fill 1.0e-5 : tensor<f32>
  %5 = ej.add %3, %4 : tensor<Rx1xf32>, tensor<f32>
  %6 = ej.rsqrt %5 : tensor<Rx1xf32>
  %7 = ej.mul %1, %6 : tensor<RxCxf32>, tensor<Rx1xf32>
  %8 = ej.mul %7, %g : tensor<RxCxf32>, tensor<Cxf32>
  %9 = ej.add %8, %b : tensor<RxCxf32>, tensor<Cxf32>
  return %9 : tensor<RxCxf32>
})",
                                rows, cols));
    ASSERT_TRUE(fn);
    Array x = random({rows, cols}, f32), g = random({cols}, f32),
          b = random({cols}, f32);
    auto sum = [](double a, double c) { return a + c; };
    Array mean = reduce(x, {1}, true, 0, sum);
    for (double &v : mean.v)
      v /= double(cols);
    Array d = map({x, mean}, [](auto &v) { return v[0] - v[1]; });
    Array var = reduce(map({d}, [](auto &v) { return v[0] * v[0]; }), {1}, true,
                       0, sum);
    for (double &v : var.v)
      v /= double(cols);
    Array ref = map({d, var, g, b}, [](auto &v) {
      return v[0] / std::sqrt(v[1] + double(1.0e-5f)) * v[2] + v[3];
    });
    // The centred values lose a few bits to cancellation in float32: the
    // bound is relative to the output's scale.
    expectClose(
        run(*fn, {x, g, b})[0], ref, f32, 16,
        "layernorm " + std::to_string(rows) + "x" + std::to_string(cols), 1);
  }
}

// ej-tile-rows runs these as a loop over blocks of rows: blocks of one row
// (a 3 x 4000 row is past its 32 KB block), and 3 blocks of 27 rows then a
// last block of 15 in a second loop; the exponentials leave the loops as a
// second result.
TEST(Chains, RowBlocksOfThreeDimensionalRowsMatchFloat64WithinUlps) {
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{5, 4000},
                            std::pair<int64_t, int64_t>{96, 100}}) {
    std::string r = std::to_string(rows), c = std::to_string(cols);
    std::string x = "tensor<" + r + "x3x" + c + "xf32>",
                m = "tensor<" + r + "x1x1xf32>";
    auto fn =
        compile("func.func @softmax3(%x: " + x + ") -> (" + x + ", " + x +
                ") {\n"
                "  %0 = ej.reduce_max %x axes = [1, 2] keepdims : " +
                x + "\n  %1 = ej.sub %x, %0 : " + x + ", " + m +
                "\n  %2 = ej.exp %1 : " + x +
                "\n  %3 = ej.reduce_sum %2 axes = [1, 2] keepdims : " + x +
                "\n  %4 = ej.div %2, %3 : " + x + ", " + m +
                "\n  return %4, %2 : " + x + ", " + x + "\n}");
    ASSERT_TRUE(fn);
    Array in = random({rows, 3, cols}, f32);
    Array mx = reduce(in, {1, 2}, true, -INFINITY,
                      [](double a, double b) { return std::max(a, b); });
    Array e = map({in, mx},
                  [](auto &v) { return std::exp(double(float(v[0] - v[1]))); });
    Array s =
        reduce(e, {1, 2}, true, 0, [](double a, double b) { return a + b; });
    Array ref = map({e, s}, [](auto &v) { return v[0] / v[1]; });
    std::vector<Array> got = run(*fn, {in});
    std::string what = r + "x3x" + c;
    expectClose(got[0], ref, f32, 4, "softmax " + what);
    expectClose(got[1], e, f32, 4, "exp " + what);
  }
}

TEST(Chains, FusedMulAddExpTanhMatchesFloat64WithinUlps) {
  auto fn = compile(R"(
func.func @chain(%x: tensor<64x48xf32>, %y: tensor<48xf32>) -> tensor<64x48xf32> {
  %0 = ej.mul %x, %y : tensor<64x48xf32>, tensor<48xf32>
  %1 = ej.fill 1.0 : tensor<f32>
  %2 = ej.add %0, %1 : tensor<64x48xf32>, tensor<f32>
  %3 = ej.exp %2 : tensor<64x48xf32>
  %4 = ej.tanh %3 : tensor<64x48xf32>
  return %4 : tensor<64x48xf32>
})");
  ASSERT_TRUE(fn);
  Array x = random({64, 48}, f32), y = random({48}, f32);
  Array ref = map({x, y}, [](auto &v) {
    return std::tanh(std::exp(double(float(v[0] * v[1]) + 1.0f)));
  });
  // exp(x*y+1) reaches tanh's saturating range, where MLIR's polynomial
  // is up to 4.5 ulp off (measured over [3, 9) in steps of 2^-13).
  expectClose(run(*fn, {x, y})[0], ref, f32, 5, "x*y+1 -> exp -> tanh");
}

// Flat elementwise kernels large enough to run in parallel go in blocks
// (ej-parallelize): blocks of 4096 that divide the length, blocks of 1024
// (the largest power of two up to 4096 that divides 1024 * 131), and blocks
// of 4096 with 100 elements left over for the loop after them. Every
// element, the last ones included, matches float64.
TEST(Chains, ParallelElementwiseBlocksCoverEveryElement) {
  for (int64_t n :
       {int64_t(3) << 16, int64_t(1024) * 131, (int64_t(2) << 16) + 100}) {
    std::string t = tensorType({n}, f32);
    auto fn = compile("func.func @f(%x: " + t + ", %y: " + t + ") -> " + t +
                      " {\n  %0 = ej.mul %x, %y : " + t + ", " + t +
                      "\n  %1 = ej.sub %0, %y : " + t + ", " + t +
                      "\n  return %1 : " + t + "\n}");
    ASSERT_TRUE(fn);
    Array x = random({n}, f32), y = random({n}, f32);
    Array ref = map({x, y}, [](auto &v) {
      return double(float(float(v[0] * v[1]) - float(v[1])));
    });
    expectClose(run(*fn, {x, y})[0], ref, f32, 0,
                "x * y - y of " + std::to_string(n));
  }
}

//===----------------------------------------------------------------------===//
// The compiler's interface
//===----------------------------------------------------------------------===//

TEST(CpuCompiler, StridedInputsArePackedBeforeTheKernelRuns) {
  auto fn = compile(R"(
func.func @f(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = ej.exp %a : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
})");
  ASSERT_TRUE(fn);
  Array x = random({4, 3}, f32); // x^T, read through strides (1, 3)
  Array xt = transpose(x, {1, 0});
  std::vector<Array> got = run(*fn, {x}, {{1, 3}});
  expectClose(got[0], map({xt}, [](auto &v) { return std::exp(v[0]); }), f32, 3,
              "exp of a transposed view");
}

// Streaming from the first byte, an elementwise kernel over blocks of
// 4096 elements writes its output with non-temporal stores (its address is
// aligned: codegen/BufferAliasing.h), on x86. The results are the
// reference's in an aligned output and in one 4 bytes off, which the
// kernel writes through an aligned copy.
TEST(CpuCompiler, StreamedOutputsAreWrittenWhereverTheyLie) {
  const char *text = R"(
func.func @f(%x: tensor<131072xf32>, %y: tensor<131072xf32>) -> tensor<131072xf32> {
  %0 = ej.mul %x, %y : tensor<131072xf32>, tensor<131072xf32>
  %1 = ej.fill 1.0 : tensor<f32>
  %2 = ej.add %0, %1 : tensor<131072xf32>, tensor<f32>
  return %2 : tensor<131072xf32>
})";
  mlir::ej::setStreamingBytes(1);
  auto fn = compile(text);
  // The second time from the disk cache, which the codegen tests keep:
  // the code says again that it streams.
  auto again = compile(text);
  // Never streaming, the same kernel is another entry, whose code does not.
  mlir::ej::setStreamingBytes(-1);
  auto plain = compile(text);
  mlir::ej::setStreamingBytes(0);
  ASSERT_TRUE(fn && again && plain);
  EXPECT_TRUE(again->loadedFromDisk());
  EXPECT_FALSE(plain->loadedFromDisk());
  EXPECT_FALSE(plain->streams());
#if defined(__x86_64__)
  EXPECT_TRUE(fn->streams());
  EXPECT_TRUE(again->streams());
#endif
  Array x = random({131072}, f32), y = random({131072}, f32);
  Array ref = map({x, y}, [](auto &v) {
    return double(float(float(v[0]) * float(v[1])) + 1.0f);
  });
  std::vector<float> xs(x.v.begin(), x.v.end()), ys(y.v.begin(), y.v.end());
  std::vector<mlir::ej::InputBuffer> inputs = {{xs.data(), {}},
                                               {ys.data(), {}}};
  constexpr size_t kBytes = 131072 * sizeof(float);
  std::unique_ptr<char, decltype(&std::free)> memory(
      static_cast<char *>(std::aligned_alloc(64, kBytes + 64)), &std::free);
  ASSERT_TRUE(memory);
  for (size_t offset : {size_t(0), sizeof(float)}) {
    char *out = memory.get() + offset;
    std::memset(out, 0, kBytes);
    fn->run(inputs, {out});
    Array got = ref;
    const float *values = reinterpret_cast<const float *>(out);
    for (size_t i = 0; i < got.v.size(); ++i)
      got.v[i] = values[i];
    expectClose(got, ref, f32, 0,
                "x * y + 1, output " + std::to_string(offset) +
                    " bytes past an aligned address");
  }
}

// Softmax's row maxima and sums are temporaries of its kernel: they come
// from the kernel allocator and all go back to it.
std::atomic<int> allocated{0}, released{0};
TEST(CpuCompiler, TemporariesComeFromTheKernelAllocatorAndGoBack) {
  auto fn = compile(withShape(kSoftmax, 16, 40));
  ASSERT_TRUE(fn);
  mlir::ej::KernelAllocator previous =
      mlir::ej::setKernelAllocator({[](size_t n) {
                                      ++allocated;
                                      return std::malloc(n);
                                    },
                                    [](void *p) {
                                      ++released;
                                      std::free(p);
                                    }});
  Array x = random({16, 40}, f32);
  std::vector<Array> got = run(*fn, {x});
  mlir::ej::setKernelAllocator(previous);
  EXPECT_GT(allocated.load(), 0);
  EXPECT_EQ(allocated.load(), released.load());
  double sum = 0;
  for (int64_t c = 0; c < 40; ++c)
    sum += got[0].v[size_t(c)];
  EXPECT_NEAR(sum, 1.0, 1e-5); // a row of probabilities
}

// EJ_NUM_THREADS bounds a kernel's OpenMP team also on a thread whose team
// size another library set (as frameworks do when they start). ctest runs
// this with EJ_NUM_THREADS=1.
extern "C" int omp_get_max_threads();
extern "C" void omp_set_num_threads(int);
TEST(CpuCompiler, EjNumThreadsBoundsTheTeamOfAThreadThatRunsAKernel) {
  const char *env = std::getenv("EJ_NUM_THREADS");
  if (!env || std::atoi(env) <= 0)
    GTEST_SKIP() << "needs EJ_NUM_THREADS (the ctest codegen-threads test)";
  auto fn = compile(withShape(kSoftmax, 16, 40));
  ASSERT_TRUE(fn);
  Array x = random({16, 40}, f32);
  int team = 0;
  std::thread([&] {
    omp_set_num_threads(std::atoi(env) + 3);
    run(*fn, {x});
    team = omp_get_max_threads();
  }).join();
  EXPECT_EQ(team, std::atoi(env));
}

TEST(CpuCompiler, AFunctionItCannotLowerGivesAOneLineErrorNotAnAbort) {
  std::string error;
  auto fn = mlir::ej::compileCpuFunction(R"(
func.func @f(%seed: tensor<i64>, %offset: tensor<i64>) -> tensor<4xf32> {
  %0 = ej.random_normal %seed, %offset mean = 0.0 stddev = 1.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
})",
                                         "", "prog.mlir", error);
  EXPECT_FALSE(fn);
  EXPECT_NE(error.find("prog.mlir:3:8: 'ej.random_normal' op cannot be "
                       "lowered to linalg"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;

  fn = mlir::ej::compileCpuFunction(R"(
func.func @f(%w: !ej.variable<tensor<3xf32>>) -> tensor<3xf32> {
  %0 = ej.variable_read %w : !ej.variable<tensor<3xf32>>
  return %0 : tensor<3xf32>
})",
                                    "", "prog.mlir", error);
  EXPECT_FALSE(fn);
  EXPECT_NE(error.find("argument 0 of @f is !ej.variable<tensor<3xf32>>, "
                       "not a tensor of static shape"),
            std::string::npos)
      << error;

  fn = mlir::ej::compileCpuFunction("func.func @f(", "", "bad.mlir", error);
  EXPECT_FALSE(fn);
  EXPECT_NE(error.find("bad.mlir:1:"), std::string::npos) << error;
}

} // namespace
