//===- CreationTest.cpp - constant, fill, ranges, eye and random --------===//
#include "Reference.h"

#include <gmock/gmock.h>

using ::testing::HasSubstr;

TEST(Constant, NestedListsInferShapeAndDtype) {
  ej::Tensor i = ej::constant({{1, 2}, {3, 4}});
  EXPECT_EQ(i.dtype(), ej::int32);
  EXPECT_EQ(i.shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(i.to_vector<int>(), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(ej::constant({{7.}, {6}}).dtype(), ej::float32);
  EXPECT_EQ(ej::constant({true, false}).dtype(), ej::bool_);
  EXPECT_EQ(ej::constant({1, 5000000000LL}).dtype(), ej::int64);
  EXPECT_EQ(ej::constant({1, 5000000000LL}).to_vector<int64_t>()[1],
            5000000000LL);
  EXPECT_EQ(ej::constant({1, 2}, ej::float64).dtype(), ej::float64);
  EXPECT_EQ(ej::constant(3.5).shape(), std::vector<int64_t>{});
  EXPECT_EQ(ej::constant({{{1}}, {{2}}}).shape(),
            (std::vector<int64_t>{2, 1, 1}));
}

TEST(Constant, RaggedListsAreErrors) {
  EXPECT_THAT(
      [] {
        ej::constant({{1, 2}, {3}});
      },
      ::testing::ThrowsMessage<ej::Error>(HasSubstr("constant: ragged")));
  EXPECT_THROW(ej::constant({{1, 2}, 3}), ej::Error);
}

TEST(Constant, FromVectorsWithShapes) {
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  ej::Tensor t = ej::Tensor::from_vector(v, {2, 3});
  EXPECT_EQ(t.dtype(), ej::float32);
  EXPECT_EQ(t.to_vector<float>(), v);
  EXPECT_EQ(ej::constant(std::vector<int64_t>{1, 2}, {2}).dtype(), ej::int64);
  EXPECT_EQ(ej::constant(std::vector<double>{1, 2}, {2, 1}, ej::int32).dtype(),
            ej::int32);
  EXPECT_EQ(
      ej::Tensor::from_vector(std::vector<bool>{true, false}).to_vector<bool>(),
      (std::vector<bool>{true, false}));
  EXPECT_THAT(
      [&] {
        ej::Tensor::from_vector(v, {4, 2});
      },
      ::testing::ThrowsMessage<ej::Error>(
          HasSubstr("constant: 6 values do not fill shape (4, 2)")));
}

TEST(Fill, ZerosOnesFillAndLikes) {
  EXPECT_EQ(ej::zeros({2, 3}).to_vector<float>(), std::vector<float>(6, 0));
  EXPECT_EQ(ej::ones({2}, ej::float64).dtype(), ej::float64);
  EXPECT_EQ(ej::fill({3}, 2.5).to_vector<float>(), std::vector<float>(3, 2.5f));
  EXPECT_EQ(ej::fill({2}, 7, ej::int64).to_vector<int64_t>(),
            (std::vector<int64_t>{7, 7}));
  ej::Tensor x = ej::constant({{1, 2, 3}});
  EXPECT_EQ(ej::zeros_like(x).shape(), x.shape());
  EXPECT_EQ(ej::ones_like(x).dtype(), ej::int32);
  EXPECT_EQ(ej::ones({}).shape(), std::vector<int64_t>{});
  EXPECT_EQ(ej::zeros({0, 4}).size(), 0);
  EXPECT_THROW(ej::zeros({-1}), ej::Error);
  EXPECT_THROW(ej::zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}), ej::Error);
}

TEST(Ranges, ArangeLinspaceEye) {
  EXPECT_EQ(ej::arange(5).to_vector<int>(), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(ej::arange(2, 11, 3).to_vector<int>(), (std::vector<int>{2, 5, 8}));
  EXPECT_EQ(ej::arange(5, 0, -2).to_vector<int>(), (std::vector<int>{5, 3, 1}));
  EXPECT_EQ(ej::arange(0, 1, 0.25).dtype(), ej::float32);
  EXPECT_EQ(ej::arange(0, 1, 0.25).to_vector<float>(),
            (std::vector<float>{0, .25f, .5f, .75f}));
  EXPECT_EQ(ej::arange(0, 3, 1, ej::float64).dtype(), ej::float64);
  EXPECT_EQ(ej::arange(3, 3).size(), 0);
  EXPECT_THROW(ej::arange(0, 3, 0), ej::Error);
  // More elements than an int64 counts: an error, not an overflow.
  EXPECT_THROW(ej::arange(0, 1e30, 1e-30), ej::Error);
  EXPECT_THROW(ej::arange(-1e308, 1e308, 1e-300), ej::Error);
  EXPECT_EQ(ej::linspace(1, 2, 5).to_vector<double>(),
            (std::vector<double>{1, 1.25, 1.5, 1.75, 2}));
  EXPECT_EQ(ej::linspace(0, 1, 1).to_vector<float>(), (std::vector<float>{0}));
  EXPECT_THROW(ej::linspace(0, 1, -1), ej::Error);
  EXPECT_EQ(ej::eye(2).to_vector<float>(), (std::vector<float>{1, 0, 0, 1}));
  EXPECT_EQ(ej::eye(2, 3, ej::int32).to_vector<int>(),
            (std::vector<int>{1, 0, 0, 0, 1, 0}));
}

TEST(Random, UniformIsInRangeWithTheRightMoments) {
  ej::set_seed(123);
  for (ej::DType dt : {ej::float32, ej::float64}) {
    std::vector<double> v =
        ref::values(ej::random_uniform({100000}, dt, -2, 6));
    double mean = 0, var = 0;
    for (double x : v) {
      ASSERT_GE(x, -2);
      ASSERT_LT(x, 6);
      mean += x;
    }
    mean /= double(v.size());
    for (double x : v)
      var += (x - mean) * (x - mean);
    var /= double(v.size());
    EXPECT_NEAR(mean, 2, 0.05);       // sd of the mean is 0.007
    EXPECT_NEAR(var, 64.0 / 12, 0.1); // uniform variance (b-a)^2/12
  }
}

TEST(Random, NormalHasTheRightMoments) {
  ej::set_seed(7);
  for (ej::DType dt : {ej::float32, ej::float64}) {
    std::vector<double> v =
        ref::values(ej::random_normal({100001}, dt, 1.5, 3));
    double mean = 0, var = 0;
    for (double x : v)
      mean += x;
    mean /= double(v.size());
    for (double x : v)
      var += (x - mean) * (x - mean);
    var /= double(v.size());
    EXPECT_NEAR(mean, 1.5, 0.05);
    EXPECT_NEAR(std::sqrt(var), 3, 0.05);
  }
}

TEST(Random, SeedMakesDrawsReproducibleAndSuccessiveDrawsDiffer) {
  ej::set_seed(42);
  std::vector<float> a = ej::random_normal({64}).to_vector<float>();
  std::vector<float> b = ej::random_normal({64}).to_vector<float>();
  ej::set_seed(42);
  EXPECT_EQ(ej::random_normal({64}).to_vector<float>(), a);
  EXPECT_EQ(ej::random_normal({64}).to_vector<float>(), b);
  EXPECT_NE(a, b);
  ej::set_seed(43);
  EXPECT_NE(ej::random_normal({64}).to_vector<float>(), a);
}

TEST(Random, IntegerDtypesAndBadBoundsAreErrors) {
  EXPECT_THROW(ej::random_uniform({2}, ej::int32), ej::Error);
  EXPECT_THROW(ej::random_uniform({2}, ej::float32, 1, 1), ej::Error);
  EXPECT_THROW(ej::random_normal({2}, ej::float32, 0, -1), ej::Error);
}
