//===- PrintTest.cpp - Printing as NumPy's str() inside TensorFlow's repr -===//
#include "Reference.h"

#include <sstream>

namespace {
std::string str(const ej::Tensor &t) {
  std::ostringstream os;
  os << t;
  return os.str();
}
} // namespace

TEST(Print, TheSeedsOutputs) {
  ej::Tensor x = ej::matmul({{1, 2}, {3, 4}}, {{4, 5}, {6, 7}});
  EXPECT_EQ(str(x),
            "ej.Tensor(\n[[16 19]\n [36 43]], shape=(2, 2), dtype=int32)");
  EXPECT_EQ(str(ej::add(x, 1)),
            "ej.Tensor(\n[[17 20]\n [37 44]], shape=(2, 2), dtype=int32)");
  EXPECT_EQ(str((ej::ones({1}, ej::float32) + 1) * 2 - 1),
            "ej.Tensor([3.], shape=(1,), dtype=float32)");
  EXPECT_EQ(str(ej::constant(2.f) + ej::constant(3.f) + 1),
            "ej.Tensor(6.0, shape=(), dtype=float32)");
  EXPECT_EQ(str(ej::constant(10) + ej::constant(32)),
            "ej.Tensor(42, shape=(), dtype=int32)");
}

TEST(Print, ScalarsReadLikePythonFloats) {
  auto scalar = [](double v, ej::DType t) {
    std::string s = str(ej::fill({}, v, t));
    return s.substr(10, s.find(',') - 10);
  };
  EXPECT_EQ(scalar(10, ej::float32), "10.0");
  EXPECT_EQ(scalar(-250, ej::float64), "-250.0");
  EXPECT_EQ(scalar(0.1, ej::float32), "0.1");
  EXPECT_EQ(scalar(0.0001, ej::float64), "0.0001");
  EXPECT_EQ(scalar(0.00001, ej::float64), "1e-05");
  EXPECT_EQ(scalar(1e16, ej::float64), "1e+16");
  EXPECT_EQ(scalar(1.5e16, ej::float64), "1.5e+16");
  EXPECT_EQ(scalar(123456789, ej::float32), "123456790.0");
  EXPECT_EQ(scalar(1.0 / 3, ej::float64), "0.3333333333333333");
}

TEST(Print, FloatsAlignLikeNumPy) {
  EXPECT_EQ(str(ej::linspace(0, 1, 5)),
            "ej.Tensor([0.   0.25 0.5  0.75 1.  ], shape=(5,), dtype=float32)");
  EXPECT_EQ(str(ej::constant({-1.5f, 20.f})),
            "ej.Tensor([-1.5 20. ], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(ej::constant({0.25058532f, 0.0929395f})),
            "ej.Tensor([0.25058532 0.0929395 ], shape=(2,), dtype=float32)");
  // float64 shows up to 8 fractional digits, rounded.
  EXPECT_EQ(str(ej::constant({1.0 / 3, 2.0}, ej::float64)),
            "ej.Tensor([0.33333333 2.        ], shape=(2,), dtype=float64)");
  EXPECT_EQ(str(ej::constant(0.1f)), "ej.Tensor(0.1, shape=(), dtype=float32)");
}

TEST(Print, ScientificWhenMagnitudesCallForIt) {
  EXPECT_EQ(str(ej::constant({1e-5, 1.0})),
            "ej.Tensor([1.e-05 1.e+00], shape=(2,), dtype=float32)");
  EXPECT_EQ(str(ej::constant({1.5e-5, 1.0}, ej::float64)),
            "ej.Tensor([1.5e-05 1.0e+00], shape=(2,), dtype=float64)");
  EXPECT_EQ(str(ej::constant({1e9f, 1.f})),
            "ej.Tensor([1.e+09 1.e+00], shape=(2,), dtype=float32)");
}

TEST(Print, NonFiniteBoolsAndEmpty) {
  EXPECT_EQ(str(ej::constant({NAN, INFINITY, -1.f})),
            "ej.Tensor([nan inf -1.], shape=(3,), dtype=float32)");
  EXPECT_EQ(str(ej::constant({true, false})),
            "ej.Tensor([ True False], shape=(2,), dtype=bool)");
  EXPECT_EQ(str(ej::zeros({0})), "ej.Tensor([], shape=(0,), dtype=float32)");
  EXPECT_EQ(str(ej::zeros({2, 0})),
            "ej.Tensor([[]], shape=(2, 0), dtype=float32)");
}

TEST(Print, ThreeDimensionsSeparateBlocksWithABlankLine) {
  EXPECT_EQ(str(ej::reshape(ej::arange(8), {2, 2, 2})),
            "ej.Tensor(\n[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]], shape=(2, 2, "
            "2), dtype=int32)");
}

TEST(Print, LargeTensorsAreSummarised) {
  EXPECT_EQ(str(ej::arange(2000)), "ej.Tensor([   0    1    2 ... 1997 1998 "
                                   "1999], shape=(2000,), dtype=int32)");
  EXPECT_EQ(
      str(ej::reshape(ej::arange(1100), {100, 11})),
      "ej.Tensor(\n[[   0    1    2 ...    8    9   10]\n"
      " [  11   12   13 ...   19   20   21]\n"
      " [  22   23   24 ...   30   31   32]\n"
      " ...\n"
      " [1067 1068 1069 ... 1075 1076 1077]\n"
      " [1078 1079 1080 ... 1086 1087 1088]\n"
      " [1089 1090 1091 ... 1097 1098 1099]], shape=(100, 11), dtype=int32)");
}

TEST(Print, LongRowsWrapAt75Columns) {
  std::string s = str(ej::arange(30) * 1000);
  EXPECT_EQ(s,
            "ej.Tensor(\n[    0  1000  2000  3000  4000  5000  6000  7000  "
            "8000  9000 10000 11000\n"
            " 12000 13000 14000 15000 16000 17000 18000 19000 20000 21000 "
            "22000 23000\n"
            " 24000 25000 26000 27000 28000 29000], shape=(30,), dtype=int32)");
}
