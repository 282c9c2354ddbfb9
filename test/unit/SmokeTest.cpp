//===- SmokeTest.cpp - The seeds' first program -------------------------===//
#include <ej/ej.h>
#include <gtest/gtest.h>

TEST(Smoke, SeedMatmulAddGivesTheSeedValues) {
  ej::Tensor x = ej::matmul({{1, 2}, {3, 4}}, {{4, 5}, {6, 7}});
  ej::Tensor y = ej::add(x, 1);
  EXPECT_EQ(x.dtype(), ej::int32);
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{17, 20, 37, 44}));
}
