//===- ElementwiseTest.cpp - Unary, binary, where and cast vs float64 ----===//
#include "Reference.h"

#include <gmock/gmock.h>

#include <cmath>
#include <limits>

using ref::Shape;

namespace {

struct UnaryCase {
  const char *name;
  ej::Tensor (*op)(const ej::Tensor &);
  double (*f)(double);
  double lo, hi; // input range
};

double sigmoid_ref(double x) { return 1 / (1 + std::exp(-x)); }
double relu_ref(double x) { return x > 0 ? x : 0; }
double sign_ref(double x) { return double((x > 0) - (x < 0)); }
double rsqrt_ref(double x) { return 1 / std::sqrt(x); }
double square_ref(double x) { return x * x; }
double neg_ref(double x) { return -x; }

const UnaryCase kUnary[] = {
    {"neg", ej::neg, neg_ref, -5, 5},
    {"abs", ej::abs, [](double x) { return std::fabs(x); }, -5, 5},
    {"exp", ej::exp, [](double x) { return std::exp(x); }, -20, 20},
    {"log", ej::log, [](double x) { return std::log(x); }, 1e-3, 100},
    {"sqrt", ej::sqrt, [](double x) { return std::sqrt(x); }, 0.01, 100},
    {"rsqrt", ej::rsqrt, rsqrt_ref, 0.01, 100},
    {"square", ej::square, square_ref, -10, 10},
    {"tanh", ej::tanh, [](double x) { return std::tanh(x); }, -8, 8},
    {"sigmoid", ej::sigmoid, sigmoid_ref, -30, 30},
    {"relu", ej::relu, relu_ref, -5, 5},
    {"sin", ej::sin, [](double x) { return std::sin(x); }, -6, 6},
    {"cos", ej::cos, [](double x) { return std::cos(x); }, -6, 6},
    {"floor", ej::floor, [](double x) { return std::floor(x); }, -9, 9},
    {"ceil", ej::ceil, [](double x) { return std::ceil(x); }, -9, 9},
    {"sign", ej::sign, sign_ref, -5, 5},
};

std::vector<double> rounded(const std::vector<double> &v, ej::DType t) {
  return ref::values(ref::tensor(v, {int64_t(v.size())}, t));
}

std::vector<double> map(const std::vector<double> &v, double (*f)(double)) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    out[i] = f(v[i]);
  return out;
}

} // namespace

TEST(Unary, EveryOpMatchesFloat64ReferenceOnRandomInputs) {
  for (ej::DType dt : {ej::float32, ej::float64}) {
    for (const UnaryCase &c : kUnary) {
      SCOPED_TRACE(std::string(c.name) + " " + ej::dtype_name(dt));
      std::vector<double> x = rounded(ref::uniform(1000, c.lo, c.hi, 7), dt);
      ej::Tensor t = ref::tensor(x, {10, 100}, dt);
      ej::Tensor y = c.op(t);
      EXPECT_EQ(y.dtype(), dt);
      EXPECT_EQ(y.shape(), (Shape{10, 100}));
      ref::expect_close(ref::values(y), map(x, c.f), 4 * ref::rtol_of(dt),
                        dt == ej::float32 ? 1e-7 : 1e-15);
    }
  }
}

TEST(Unary, StridedAndLargeInputsMatchReference) {
  // 2^19 elements run split across threads; the transposed view takes the
  // strided path of the kernel.
  std::vector<double> x =
      rounded(ref::uniform(1 << 19, -4, 4, 11), ej::float32);
  ej::Tensor t = ref::tensor(x, {512, 1024}, ej::float32);
  ref::expect_close(ref::values(ej::tanh(t)),
                    map(x, [](double v) { return std::tanh(v); }), 8e-6, 1e-7);
  ej::Tensor tt = ej::transpose(t);
  ASSERT_FALSE(tt.is_contiguous());
  std::vector<double> want(x.size());
  for (int64_t i = 0; i < 1024; ++i)
    for (int64_t j = 0; j < 512; ++j)
      want[size_t(i * 512 + j)] = std::exp(x[size_t(j * 1024 + i)] / 4);
  ref::expect_close(ref::values(ej::exp(tt / 4)), want, 8e-6);
}

// The transcendentals' special values, in every position of a vector
// (the interpreter may compute 8 floats or 4 doubles at a time): NaN stays
// NaN, infinities and zeros give what libm gives.
TEST(Unary, TranscendentalsKeepLibmsSpecialValues) {
  const double inf = std::numeric_limits<double>::infinity(),
               nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> specials = {0.0,    -0.0, inf,   -inf, nan, 1e-40,
                                        -1e-40, 1e30, -1e30, 100,  -100};
  const std::pair<ej::Tensor (*)(const ej::Tensor &), double (*)(double)>
      ops[] = {{ej::exp, [](double x) { return std::exp(x); }},
               {ej::log, [](double x) { return std::log(x); }},
               {ej::tanh, [](double x) { return std::tanh(x); }},
               {ej::sin, [](double x) { return std::sin(x); }},
               {ej::cos, [](double x) { return std::cos(x); }},
               {ej::erf, [](double x) { return std::erf(x); }},
               {ej::sigmoid, sigmoid_ref}};
  for (ej::DType dt : {ej::float32, ej::float64}) {
    // 23 elements: whole vectors and a padded tail, each special value
    // in several lanes.
    std::vector<double> x;
    for (size_t i = 0; i < 23; ++i)
      x.push_back(specials[i % specials.size()]);
    x = rounded(x, dt);
    for (auto [op, f] : ops) {
      std::vector<double> got = ref::values(op(ref::tensor(x, {23}, dt)));
      for (size_t i = 0; i < x.size(); ++i) {
        double want = dt == ej::float32 ? double(float(f(x[i]))) : f(x[i]);
        SCOPED_TRACE("x = " + std::to_string(x[i]) + ", " + ej::dtype_name(dt));
        if (std::isnan(want))
          EXPECT_TRUE(std::isnan(got[i])) << got[i];
        else if (std::isinf(want) || want == 0)
          EXPECT_EQ(got[i], want);
        else
          EXPECT_NEAR(got[i], want, std::abs(want) * 4 * ref::rtol_of(dt));
      }
    }
  }
}

TEST(Unary, IntegerOpsKeepTheirDtype) {
  ej::Tensor x = ej::constant({-3, 0, 5});
  EXPECT_EQ(ej::abs(x).to_vector<int>(), (std::vector<int>{3, 0, 5}));
  EXPECT_EQ(ej::neg(x).to_vector<int>(), (std::vector<int>{3, 0, -5}));
  EXPECT_EQ(ej::square(x).to_vector<int>(), (std::vector<int>{9, 0, 25}));
  EXPECT_EQ(ej::sign(x).to_vector<int>(), (std::vector<int>{-1, 0, 1}));
  EXPECT_EQ(ej::relu(x).to_vector<int>(), (std::vector<int>{0, 0, 5}));
  EXPECT_EQ(ej::floor(x).dtype(), ej::int32);
  EXPECT_EQ(ej::exp(x).dtype(), ej::float32);
  EXPECT_NEAR(ej::exp(x).to_vector<double>()[2], std::exp(5.0), 1e-3);
  EXPECT_EQ(ej::abs(ej::cast(x, ej::int64)).dtype(), ej::int64);
}

TEST(Unary, NanPropagatesThroughReluAndSign) {
  ej::Tensor x = ej::constant({NAN, -1.0f, 2.0f});
  std::vector<float> r = ej::relu(x).to_vector<float>();
  EXPECT_TRUE(std::isnan(r[0]));
  EXPECT_EQ(r[1], 0);
  EXPECT_TRUE(std::isnan(ej::sign(x).to_vector<float>()[0]));
}

TEST(Unary, SigmoidIsFiniteAtExtremes) {
  std::vector<float> s =
      ej::sigmoid(ej::constant({-200.f, 200.f})).to_vector<float>();
  EXPECT_EQ(s[0], 0.f);
  EXPECT_EQ(s[1], 1.f);
}

TEST(Unary, LogicalNotNegatesBools) {
  EXPECT_EQ(ej::logical_not(ej::constant({true, false})).to_vector<bool>(),
            (std::vector<bool>{false, true}));
  EXPECT_EQ((!ej::constant({true})).to_vector<bool>(),
            (std::vector<bool>{false}));
}

namespace {

struct BinaryCase {
  const char *name;
  ej::Tensor (*op)(const ej::Tensor &, const ej::Tensor &);
  double (*f)(double, double);
  bool compare;
};

const BinaryCase kBinary[] = {
    {"add", ej::add, [](double a, double b) { return a + b; }, false},
    {"sub", ej::sub, [](double a, double b) { return a - b; }, false},
    {"mul", ej::mul, [](double a, double b) { return a * b; }, false},
    {"div", ej::div, [](double a, double b) { return a / b; }, false},
    {"pow", ej::pow,
     [](double a, double b) { return std::pow(std::fabs(a), b); }, false},
    {"maximum", ej::maximum, [](double a, double b) { return std::max(a, b); },
     false},
    {"minimum", ej::minimum, [](double a, double b) { return std::min(a, b); },
     false},
    {"equal", ej::equal, [](double a, double b) { return double(a == b); },
     true},
    {"not_equal", ej::not_equal,
     [](double a, double b) { return double(a != b); }, true},
    {"less", ej::less, [](double a, double b) { return double(a < b); }, true},
    {"less_equal", ej::less_equal,
     [](double a, double b) { return double(a <= b); }, true},
    {"greater", ej::greater, [](double a, double b) { return double(a > b); },
     true},
    {"greater_equal", ej::greater_equal,
     [](double a, double b) { return double(a >= b); }, true},
};

const std::pair<Shape, Shape> kShapes[] = {
    {{3, 4}, {3, 4}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {4}},
    {{}, {5, 2}},     {{5, 2}, {}},     {{2, 1, 3}, {4, 1}},
    {{1}, {7}},       {{0, 3}, {3}},    {{300, 1024}, {1024}},
};

} // namespace

TEST(Binary, EveryOpBroadcastsLikeNumPyAndMatchesFloat64Reference) {
  for (ej::DType dt : {ej::float32, ej::float64}) {
    for (const BinaryCase &c : kBinary) {
      for (const auto &[sa, sb] : kShapes) {
        SCOPED_TRACE(std::string(c.name) + " " + ej::dtype_name(dt) + " " +
                     ej::shape_str(sa) + " x " + ej::shape_str(sb));
        bool is_pow = std::string(c.name) == "pow";
        // Few distinct values so that comparisons see equal pairs too.
        std::vector<double> a =
            is_pow ? ref::uniform(ref::numel(sa), 0.1, 3, 1)
                   : rounded(ref::integers(ref::numel(sa), -4, 4, 1), dt);
        std::vector<double> b =
            is_pow ? ref::uniform(ref::numel(sb), -2, 2, 2)
                   : rounded(ref::uniform(ref::numel(sb), -4, 4, 2, 0.25), dt);
        if (!is_pow)
          for (size_t i = 0; i < b.size(); i += 3)
            b[i] = std::round(b[i]); // some exact integers, to tie with a
        a = rounded(a, dt);
        b = rounded(b, dt);
        Shape s;
        std::vector<double> want = ref::binary(a, sa, b, sb, c.f, &s);
        ej::Tensor y = c.op(ref::tensor(a, sa, dt), ref::tensor(b, sb, dt));
        EXPECT_EQ(y.shape(), s);
        EXPECT_EQ(y.dtype(), c.compare ? ej::bool_ : dt);
        ref::expect_close(ref::values(y), want,
                          c.compare ? 0 : 4 * ref::rtol_of(dt));
      }
    }
  }
}

TEST(Binary, StridedAndBroadcastViewsGiveTheSameAsContiguousCopies) {
  std::vector<double> a = ref::uniform(6 * 8, -3, 3, 5);
  std::vector<double> b = ref::uniform(8, -3, 3, 6);
  ej::Tensor ta = ref::tensor(a, {6, 8}, ej::float64);
  ej::Tensor tb = ref::tensor(b, {8}, ej::float64);
  // transpose(ta)[::2] (4 x 6 strided) + broadcast_to(tb[::2], (6, 4)).T
  ej::Tensor x = ej::transpose(ta)[ej::Slice(std::nullopt, std::nullopt, 2)];
  ej::Tensor y =
      ej::transpose(ej::broadcast_to(tb[ej::Slice(0, 8, 2)], {6, 4}));
  ej::Tensor got = x * y - x;
  ej::Tensor want = x.contiguous() * y.contiguous() - x.contiguous();
  EXPECT_EQ(ref::values(got), ref::values(want));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 6; ++j)
      EXPECT_DOUBLE_EQ(ref::values(got)[size_t(i * 6 + j)],
                       a[size_t(j * 8 + 2 * i)] * b[size_t(2 * i)] -
                           a[size_t(j * 8 + 2 * i)]);
}

TEST(Binary, IntegerArithmeticIsExact) {
  ej::Tensor a = ej::constant({7, -7, 3, 0}), b = ej::constant({2, 2, -4, 5});
  EXPECT_EQ((a + b).to_vector<int>(), (std::vector<int>{9, -5, -1, 5}));
  EXPECT_EQ((a * b).to_vector<int>(), (std::vector<int>{14, -14, -12, 0}));
  EXPECT_EQ(ej::maximum(a, b).to_vector<int>(), (std::vector<int>{7, 2, 3, 5}));
  EXPECT_EQ(ej::pow(a, ej::constant({2, 3, 0, 4})).to_vector<int>(),
            (std::vector<int>{49, -343, 1, 0}));
  EXPECT_EQ(ej::pow(ej::constant({1, -1, 2}), -1).to_vector<int>(),
            (std::vector<int>{1, -1, 0}));
  int64_t big = int64_t(1) << 40;
  EXPECT_EQ((ej::constant(std::vector<int64_t>{big}, {1}) + 1).item<int64_t>(),
            big + 1);
}

TEST(Binary, MaximumAndMinimumPropagateNan) {
  ej::Tensor a = ej::constant({NAN, 1.f}), b = ej::constant({0.f, NAN});
  for (auto &v : {ej::maximum(a, b), ej::minimum(a, b), ej::maximum(b, a)}) {
    std::vector<float> r = v.to_vector<float>();
    EXPECT_TRUE(std::isnan(r[0]));
    EXPECT_TRUE(std::isnan(r[1]));
  }
}

TEST(Binary, LogicalOpsCombineBools) {
  ej::Tensor a = ej::constant({true, true, false, false});
  ej::Tensor b = ej::constant({true, false, true, false});
  EXPECT_EQ((a && b).to_vector<bool>(),
            (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ((a || b).to_vector<bool>(),
            (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(ej::logical_and(a, true).to_vector<bool>(),
            (std::vector<bool>{true, true, false, false}));
}

TEST(Where, SelectsAndBroadcastsAllThreeOperands) {
  std::vector<double> x = ref::uniform(12, -1, 1, 3);
  ej::Tensor t = ref::tensor(x, {3, 4}, ej::float32);
  ej::Tensor cond = ej::constant({true, false, true, false}); // (4,)
  ej::Tensor y = ej::where(cond, t, ej::constant({{10.f}, {20.f}, {30.f}}));
  std::vector<double> got = ref::values(y);
  std::vector<double> xr = ref::values(t);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      EXPECT_EQ(got[size_t(i * 4 + j)],
                j % 2 == 0 ? xr[size_t(i * 4 + j)] : 10.0 * (i + 1));
  EXPECT_EQ(ej::where(ej::constant(true), 1, 2).item<int>(), 1);
}

TEST(Cast, ConvertsBetweenEveryPairOfDtypes) {
  ej::Tensor x = ej::constant({-2.75, 0.0, 1.5, 3e9});
  EXPECT_EQ(ej::cast(x, ej::int64).to_vector<int64_t>(),
            (std::vector<int64_t>{-2, 0, 1, 3000000000}));
  // Out-of-range floats saturate instead of being undefined.
  EXPECT_EQ(ej::cast(x, ej::int32).to_vector<int64_t>()[3], 2147483647);
  EXPECT_EQ(ej::cast(x, ej::bool_).to_vector<bool>(),
            (std::vector<bool>{true, false, true, true}));
  EXPECT_EQ(
      ej::cast(ej::constant({true, false}), ej::float64).to_vector<double>(),
      (std::vector<double>{1, 0}));
  EXPECT_EQ(ej::cast(ej::constant({7}), ej::float32).dtype(), ej::float32);
  EXPECT_EQ(ej::cast(ej::constant(std::nanf("")), ej::int32).item<int>(), 0);
}

// Values read out of tensors and C++ values made into tensors convert as
// cast does: NaN is 0 and out-of-range floats clamp.
TEST(Cast, ReadingAndMakingTensorsConvertAsCastDoes) {
  const float nan = std::nanf("");
  EXPECT_EQ(ej::constant(nan).item<int>(), 0);
  EXPECT_EQ(ej::constant({1.5f, nan, -3e9f}).to_vector<int>(),
            (std::vector<int>{1, 0, -2147483647 - 1}));
  EXPECT_EQ(ej::constant(1e20f).item<int64_t>(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ej::constant(std::vector<float>{1.5f, nan, 1e10f}, {3}, ej::int32)
                .to_vector<int>(),
            (std::vector<int>{1, 0, 2147483647}));
  EXPECT_EQ(ej::constant(std::vector<double>{1e300}, {1}, ej::int64)
                .to_vector<int64_t>(),
            ej::cast(ej::constant({1e300}), ej::int64).to_vector<int64_t>());
}
