//===- ElementwiseTest.cpp - Compiled elementwise ops vs float64 ---------===//
//
// Every elementwise op, cast and where that convert-ej-to-linalg lowers,
// compiled through ej-cpu-pipeline and ORC, against a float64 reference
// within a few ulp of the result type (integers and bools exactly). The
// scalar rules of runtime/cpu/Math.h (NaN propagation, casts, integer
// powers) are spelled out here independently.
//
//===----------------------------------------------------------------------===//
#include "Harness.h"

#include <cmath>

namespace {

using namespace ejtest;
using mlir::ej::ElementType;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

struct Unary {
  const char *name;
  double (*f)(double);
  bool positive; // the domain: x > 0
  double ulps;
  double scale; // see expectClose
};

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double relu(double x) { return x > 0 || std::isnan(x) ? x : 0; }
double sign(double x) { return std::isnan(x) ? x : double((x > 0) - (x < 0)); }

const Unary kFloatUnary[] = {
    {"neg", [](double x) { return -x; }, false, 0, 0},
    {"abs", [](double x) { return std::fabs(x); }, false, 0, 0},
    {"exp", [](double x) { return std::exp(x); }, false, 3, 0},
    {"log", [](double x) { return std::log(x); }, true, 3, 1},
    {"sqrt", [](double x) { return std::sqrt(x); }, true, 1, 0},
    {"rsqrt", [](double x) { return 1 / std::sqrt(x); }, true, 2, 0},
    {"square", [](double x) { return x * x; }, false, 1, 0},
    {"tanh", [](double x) { return std::tanh(x); }, false, 4, 0},
    {"sigmoid", sigmoid, false, 4, 0},
    {"relu", relu, false, 0, 0},
    {"sin", [](double x) { return std::sin(x); }, false, 3, 1},
    {"cos", [](double x) { return std::cos(x); }, false, 3, 1},
    {"erf", [](double x) { return std::erf(x); }, false, 6, 0},
    {"floor", [](double x) { return std::floor(x); }, false, 0, 0},
    {"ceil", [](double x) { return std::ceil(x); }, false, 0, 0},
    {"sign", sign, false, 0, 0},
};

class FloatUnaryTest : public testing::TestWithParam<ElementType> {};

// Shapes of 5 x 37 exercise the vector loops and their remainders.
TEST_P(FloatUnaryTest, EveryUnaryOpMatchesFloat64WithinUlps) {
  ElementType t = GetParam();
  std::string type = tensorType({5, 37}, t);
  for (const Unary &u : kFloatUnary) {
    Array x = random({5, 37}, t, u.positive);
    Case c{std::string(u.name) + " %a0", {x}, {t}, {5, 37}, t, type};
    Array ref = ejtest::map(
        {x}, [&](const std::vector<double> &a) { return u.f(a[0]); });
    // The float64 functions are glibc's: libm's within an ulp, libmvec's
    // vector variants (the loops' bodies) within 4, as over the sweeps
    // below; the f32 ones are MLIR's polynomial approximations (tanh: up
    // to 3.8 ulp over a sweep of [-4.5, 4.5]) and our exp and erf.
    double ulps = t == ElementType::Float64 ? std::min(u.ulps, 4.0) : u.ulps;
    expectClose(compiledResult(c), ref, t, ulps, u.name, u.scale);
  }
}

// `op` compiled for float32 over `x` and over every 4099th float in [0,
// limit) and its negatives, against `f` in float64 within `ulps`: the whole
// range of an approximation, not only random normal inputs.
void expectFloat32SweepClose(const char *op, double (*f)(double),
                             std::vector<double> x, float limit, double ulps) {
  // The reference must see the kernel's input: floats.
  for (double v : x)
    EXPECT_TRUE(std::isnan(v) || double(float(v)) == v) << v;
  uint32_t end;
  std::memcpy(&end, &limit, sizeof end);
  for (uint32_t bits = 1; bits < end; bits += 4099) {
    float v;
    std::memcpy(&v, &bits, sizeof v);
    x.push_back(v);
    x.push_back(-v);
  }
  int64_t n = int64_t(x.size());
  Array a{{n}, x};
  Case c{std::string(op) + " %a0", {a},
         {ElementType::Float32},   {n},
         ElementType::Float32,     tensorType({n}, ElementType::Float32)};
  Array ref =
      ejtest::map({a}, [&](const std::vector<double> &v) { return f(v[0]); });
  expectClose(compiledResult(c), ref, ElementType::Float32, ulps, op);
}

// The f32 erf is one rational function of the clamped input
// (CpuPipeline.cpp), over [-4.5, 4.5] and the special values.
TEST(Elementwise, Float32ErfWithinSixUlpsOverItsWholeRange) {
  expectFloat32SweepClose(
      "erf", [](double x) { return std::erf(x); },
      {0.0, -0.0, kInf, -kInf, kNaN, 1e-30f, 3.9f, 3.95f, 4.0, 4.5, 10, 1e30f},
      4.5f, 6);
}

// The f32 exp is a range reduction and a polynomial, scaled by two powers
// of two (CpuPipeline.cpp): over [-180, 180] (results down to the
// subnormals and 0, through its lower clamp at -176 where both powers are
// 0), the overflow threshold and the special values.
TEST(Elementwise, Float32ExpWithinAnUlpOverItsWholeRange) {
  expectFloat32SweepClose(
      "exp", [](double x) { return std::exp(x); },
      {0.0,    -0.0,   kInf,   -kInf,  kNaN,    88.72f, 88.73f,
       88.75f, 1e30f,  -87.3f, -87.4f, -103.9f, -104,   -104.5,
       -150,   -175.5, -176,   -177,   -1e30f,  1e-30f},
      180, 1);
}

// float64 transcendentals become calls of glibc's vector math library
// (libmvec, 2 or 4 lanes) where it is loaded, libm's scalar functions
// otherwise: either way within a few ulp, checked over a sweep of each
// function's interesting range, not only over random normal inputs.
TEST(Elementwise, Float64TranscendentalsWithinFourUlpsOverSweeps) {
  struct Sweep {
    const char *name;
    double (*f)(double);
    double from, to;
  };
  const Sweep sweeps[] = {
      {"exp", [](double x) { return std::exp(x); }, -745, 709},
      {"log", [](double x) { return std::log(x); }, 1e-300, 1e300},
      {"tanh", [](double x) { return std::tanh(x); }, -20, 20},
      {"sin", [](double x) { return std::sin(x); }, -1e4, 1e4},
      {"cos", [](double x) { return std::cos(x); }, -1e4, 1e4},
      {"erf", [](double x) { return std::erf(x); }, -6, 6},
      {"sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }, -700, 700},
  };
  for (const Sweep &s : sweeps) {
    const int64_t n = 4099;
    std::vector<double> x(n);
    bool logarithmic = s.from > 0;
    for (int64_t i = 0; i < n; ++i) {
      double t = double(i) / double(n - 1);
      x[i] = logarithmic ? std::exp(std::log(s.from) +
                                    t * (std::log(s.to) - std::log(s.from)))
                         : s.from + t * (s.to - s.from);
    }
    Array a{{n}, x};
    Case c{std::string(s.name) + " %a0", {a},
           {ElementType::Float64},       {n},
           ElementType::Float64,         tensorType({n}, ElementType::Float64)};
    Array ref = ejtest::map(
        {a}, [&](const std::vector<double> &v) { return s.f(v[0]); });
    // sin and cos: an ulp of 1 near their zeros (see expectClose).
    double scale = std::string(s.name) == "sin" || std::string(s.name) == "cos";
    expectClose(compiledResult(c), ref, ElementType::Float64, 4, s.name, scale);
  }
}

INSTANTIATE_TEST_SUITE_P(Floats, FloatUnaryTest,
                         testing::Values(ElementType::Float32,
                                         ElementType::Float64));

TEST(Elementwise, IntegerUnaryOpsAreExact) {
  const std::pair<const char *, double (*)(double)> ops[] = {
      {"neg", [](double x) { return -x; }},
      {"abs", [](double x) { return std::fabs(x); }},
      {"square", [](double x) { return x * x; }},
      {"relu", relu},
      {"sign", sign},
  };
  for (ElementType t : {ElementType::Int32, ElementType::Int64})
    for (auto [name, f] : ops) {
      Array x = random({3, 17}, t);
      Case c{std::string(name) + " %a0", {x}, {t}, {3, 17}, t,
             tensorType({3, 17}, t)};
      expectClose(compiledResult(c),
                  ejtest::map({x}, [&](auto &a) { return f(a[0]); }), t, 0,
                  name);
    }
  Array b = random({9}, ElementType::Bool);
  Case c{"logical_not %a0", {b},           {ElementType::Bool}, {9},
         ElementType::Bool, "tensor<9xi1>"};
  expectClose(compiledResult(c),
              ejtest::map({b}, [](auto &a) { return double(a[0] == 0); }),
              ElementType::Bool, 0, "logical_not");
}

// Math.h's integer pow: by squaring; a negative exponent gives 1 for 1,
// +-1 for -1 and 0 otherwise.
double integerPow(double a, double b) {
  int64_t x = int64_t(a), e = int64_t(b);
  if (e < 0)
    return x == 1 ? 1 : x == -1 ? ((e & 1) ? -1 : 1) : 0;
  int64_t r = 1;
  for (int64_t i = 0; i < e; ++i)
    r *= x;
  return double(int32_t(r));
}

struct Binary {
  const char *name;
  double (*f)(double, double);
  double ulps;
};

const Binary kFloatBinary[] = {
    {"add", [](double a, double b) { return a + b; }, 0.5},
    {"sub", [](double a, double b) { return a - b; }, 0.5},
    {"mul", [](double a, double b) { return a * b; }, 0.5},
    {"div", [](double a, double b) { return a / b; }, 1},
    {"maximum",
     [](double a, double b) { return (a > b || std::isnan(a)) ? a : b; }, 0},
    {"minimum",
     [](double a, double b) { return (a < b || std::isnan(a)) ? a : b; }, 0},
};

TEST(Elementwise, BinaryOpsBroadcastLikeNumPy) {
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>>
      shapes = {{{4, 19}, {4, 19}},
                {{4, 19}, {19}},
                {{4, 1}, {1, 19}},
                {{4, 19}, {}}};
  for (ElementType t : {ElementType::Float32, ElementType::Float64})
    for (const Binary &op : kFloatBinary)
      for (auto &[sa, sb] : shapes) {
        Array a = random(sa, t), b = random(sb, t);
        Case c{std::string(op.name) + " %a0, %a1",
               {a, b},
               {t, t},
               {4, 19},
               t,
               tensorType(sa, t) + ", " + tensorType(sb, t)};
        Array ref = ejtest::map(
            {a, b}, [&](auto &x) { return roundTo(op.f(x[0], x[1]), t); });
        expectClose(compiledResult(c), ref, t, op.ulps,
                    std::string(op.name) + " " + c.typeSuffix);
      }
}

TEST(Elementwise, FloatPowMatchesWithinUlps) {
  for (ElementType t : {ElementType::Float32, ElementType::Float64}) {
    Array a = random({3, 11}, t, /*positive=*/true), b = random({11}, t);
    Case c{"pow %a0, %a1",
           {a, b},
           {t, t},
           {3, 11},
           t,
           tensorType({3, 11}, t) + ", " + tensorType({11}, t)};
    expectClose(
        compiledResult(c),
        ejtest::map({a, b}, [](auto &x) { return std::pow(x[0], x[1]); }), t, 2,
        "pow");
  }
}

TEST(Elementwise, IntegerArithmeticAndPowersAreExact) {
  const Binary ops[] = {
      {"add", [](double a, double b) { return a + b; }, 0},
      {"sub", [](double a, double b) { return a - b; }, 0},
      {"mul", [](double a, double b) { return a * b; }, 0},
      {"maximum", [](double a, double b) { return std::max(a, b); }, 0},
      {"minimum", [](double a, double b) { return std::min(a, b); }, 0},
      {"pow", integerPow, 0},
  };
  for (const Binary &op : ops) {
    Array a = random({6, 13}, ElementType::Int32),
          b = random({13}, ElementType::Int32);
    if (std::string(op.name) == "pow") // exponents -3 .. 8, some overflow
      for (double &v : b.v)
        v = std::fabs(v) - 3;
    Case c{std::string(op.name) + " %a0, %a1",
           {a, b},
           {ElementType::Int32, ElementType::Int32},
           {6, 13},
           ElementType::Int32,
           "tensor<6x13xi32>, tensor<13xi32>"};
    expectClose(compiledResult(c),
                ejtest::map({a, b},
                            [&](auto &x) {
                              return roundTo(op.f(x[0], x[1]),
                                             ElementType::Int32);
                            }),
                ElementType::Int32, 0, op.name);
  }
}

TEST(Elementwise, ComparisonsAndLogicGiveBools) {
  const std::pair<const char *, bool (*)(double, double)> ops[] = {
      {"equal", [](double a, double b) { return a == b; }},
      {"not_equal", [](double a, double b) { return a != b; }},
      {"less", [](double a, double b) { return a < b; }},
      {"less_equal", [](double a, double b) { return a <= b; }},
      {"greater", [](double a, double b) { return a > b; }},
      {"greater_equal", [](double a, double b) { return a >= b; }},
  };
  for (ElementType t :
       {ElementType::Float32, ElementType::Int64, ElementType::Bool})
    for (auto [name, f] : ops) {
      Array a = random({5, 8}, t), b = random({8}, t);
      if (t == ElementType::Float32) { // equal values and NaNs too
        b.v[0] = a.v[0];
        a.v[1] = kNaN;
        b.v[2] = kNaN;
      }
      Case c{std::string(name) + " %a0, %a1",
             {a, b},
             {t, t},
             {5, 8},
             ElementType::Bool,
             tensorType({5, 8}, t) + ", " + tensorType({8}, t)};
      expectClose(
          compiledResult(c),
          ejtest::map({a, b}, [&](auto &x) { return double(f(x[0], x[1])); }),
          ElementType::Bool, 0, std::string(name) + " " + elementName(t));
    }
  for (auto [name, f] :
       {std::pair<const char *, bool (*)(bool, bool)>{
            "logical_and", [](bool a, bool b) { return a && b; }},
        {"logical_or", [](bool a, bool b) { return a || b; }}}) {
    Array a = random({3, 5}, ElementType::Bool),
          b = random({3, 1}, ElementType::Bool);
    Case c{std::string(name) + " %a0, %a1",
           {a, b},
           {ElementType::Bool, ElementType::Bool},
           {3, 5},
           ElementType::Bool,
           "tensor<3x5xi1>, tensor<3x1xi1>"};
    expectClose(
        compiledResult(c),
        ejtest::map({a, b},
                    [&](auto &x) { return double(f(x[0] != 0, x[1] != 0)); }),
        ElementType::Bool, 0, name);
  }
}

TEST(Elementwise, WhereBroadcastsItsThreeOperands) {
  Array p = random({7}, ElementType::Bool),
        a = random({3, 7}, ElementType::Float32),
        b = random({3, 1}, ElementType::Float32);
  Case c{"where %a0, %a1, %a2",
         {p, a, b},
         {ElementType::Bool, ElementType::Float32, ElementType::Float32},
         {3, 7},
         ElementType::Float32,
         "tensor<7xi1>, tensor<3x7xf32>, tensor<3x1xf32>"};
  expectClose(
      compiledResult(c),
      ejtest::map({p, a, b}, [](auto &x) { return x[0] != 0 ? x[1] : x[2]; }),
      ElementType::Float32, 0, "where");
}

// NaN and infinities follow Math.h: relu and sign keep NaN, maximum and
// minimum propagate it from either side.
TEST(Elementwise, NaNsFollowTheInterpretersRules) {
  Array x{{6}, {kNaN, -kInf, kInf, -0.0, -2.5, 3.0}};
  Array y{{6}, {1.0, kNaN, 0.0, 0.0, -3.0, kNaN}};
  ElementType f = ElementType::Float32;
  expectClose(compiledResult({"relu %a0", {x}, {f}, {6}, f, "tensor<6xf32>"}),
              ejtest::map({x}, [](auto &a) { return relu(a[0]); }), f, 0,
              "relu");
  expectClose(compiledResult({"sign %a0", {x}, {f}, {6}, f, "tensor<6xf32>"}),
              ejtest::map({x}, [](auto &a) { return sign(a[0]); }), f, 0,
              "sign");
  for (const Binary &op : kFloatBinary) {
    std::string name = op.name;
    if (name != "maximum" && name != "minimum")
      continue;
    Case c{name + " %a0, %a1",
           {x, y},
           {f, f},
           {6},
           f,
           "tensor<6xf32>, tensor<6xf32>"};
    expectClose(compiledResult(c),
                ejtest::map({x, y},
                            [&](auto &a) {
                              return std::isnan(a[1]) ? kNaN : op.f(a[0], a[1]);
                            }),
                f, 0, name);
  }
}

// Casts as the interpreter casts: float to integer truncates, saturates and
// sends NaN to 0; anything to bool is != 0.
TEST(Elementwise, CastsTruncateSaturateAndTestNonZero) {
  Array x{{8}, {2.7, -2.7, 3e9, -3e9, kNaN, kInf, -0.0, 0.4}};
  auto saturate = [](double v, double lo, double hi) {
    return std::isnan(v) ? 0 : v <= lo ? lo : v >= hi ? hi : std::trunc(v);
  };
  expectClose(compiledResult({"cast %a0",
                              {x},
                              {ElementType::Float32},
                              {8},
                              ElementType::Int32,
                              "tensor<8xf32> to tensor<8xi32>"}),
              ejtest::map({x},
                          [&](auto &a) {
                            return saturate(a[0], -2147483648.0, 2147483647.0);
                          }),
              ElementType::Int32, 0, "f32 -> i32");
  expectClose(compiledResult({"cast %a0",
                              {x},
                              {ElementType::Float64},
                              {8},
                              ElementType::Int64,
                              "tensor<8xf64> to tensor<8xi64>"}),
              ejtest::map({x},
                          [&](auto &a) {
                            return saturate(a[0], -9223372036854775808.0,
                                            9223372036854775807.0);
                          }),
              ElementType::Int64, 0, "f64 -> i64");
  expectClose(compiledResult({"cast %a0",
                              {x},
                              {ElementType::Float32},
                              {8},
                              ElementType::Bool,
                              "tensor<8xf32> to tensor<8xi1>"}),
              ejtest::map({x}, [](auto &a) { return double(a[0] != 0); }),
              ElementType::Bool, 0, "f32 -> i1");
  Array i = random({10}, ElementType::Int64);
  i.v[0] = 5000000000.0; // wraps into int32
  expectClose(
      compiledResult({"cast %a0",
                      {i},
                      {ElementType::Int64},
                      {10},
                      ElementType::Int32,
                      "tensor<10xi64> to tensor<10xi32>"}),
      ejtest::map({i}, [](auto &a) { return double(int32_t(int64_t(a[0]))); }),
      ElementType::Int32, 0, "i64 -> i32");
  Array b = random({10}, ElementType::Bool);
  expectClose(compiledResult({"cast %a0",
                              {b},
                              {ElementType::Bool},
                              {10},
                              ElementType::Float64,
                              "tensor<10xi1> to tensor<10xf64>"}),
              b, ElementType::Float64, 0, "i1 -> f64");
  Array d = random({10}, ElementType::Float64);
  expectClose(compiledResult({"cast %a0",
                              {d},
                              {ElementType::Float64},
                              {10},
                              ElementType::Float32,
                              "tensor<10xf64> to tensor<10xf32>"}),
              d, ElementType::Float32, 0.5, "f64 -> f32");
  expectClose(compiledResult({"cast %a0",
                              {i},
                              {ElementType::Int64},
                              {10},
                              ElementType::Float32,
                              "tensor<10xi64> to tensor<10xf32>"}),
              i, ElementType::Float32, 0.5, "i64 -> f32");
}

} // namespace
