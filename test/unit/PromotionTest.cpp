//===- PromotionTest.cpp - dtype promotion and weak C++ scalars ----------===//
#include "Reference.h"

#include <gmock/gmock.h>

TEST(Promotion, CategoriesThenWidths) {
  EXPECT_EQ(ej::promote_types(ej::int32, ej::float32), ej::float32);
  EXPECT_EQ(ej::promote_types(ej::int64, ej::float32), ej::float32);
  EXPECT_EQ(ej::promote_types(ej::int32, ej::int64), ej::int64);
  EXPECT_EQ(ej::promote_types(ej::float32, ej::float64), ej::float64);
  EXPECT_EQ(ej::promote_types(ej::bool_, ej::int32), ej::int32);
  auto i32 = ej::constant({1, 2}), f32 = ej::constant({0.5f, 1.f});
  auto i64 = ej::cast(i32, ej::int64), f64 = ej::cast(f32, ej::float64);
  EXPECT_EQ((i32 + f32).dtype(), ej::float32);
  EXPECT_EQ((i32 + i64).dtype(), ej::int64);
  EXPECT_EQ((f32 * f64).dtype(), ej::float64);
  EXPECT_EQ((i64 - f32).dtype(), ej::float32);
  EXPECT_EQ(ej::where(ej::constant({true, false}), i32, f64).dtype(),
            ej::float64);
  EXPECT_EQ((i32 + f32).to_vector<float>(), (std::vector<float>{1.5f, 3.f}));
}

TEST(Promotion, CxxLiteralsTakeTheTensorsDtype) {
  for (ej::DType dt : {ej::float32, ej::float64, ej::int32, ej::int64}) {
    ej::Tensor x = ej::ones({2}, dt);
    EXPECT_EQ((x + 1).dtype(), dt);
    EXPECT_EQ((2 * x).dtype(), dt);
    EXPECT_EQ((x - 1.0f).dtype(), ej::is_floating(dt) ? dt : ej::float32);
    EXPECT_EQ((x > 0).dtype(), ej::bool_);
  }
  ej::Tensor i = ej::constant({1, 2});
  EXPECT_EQ((i * 2.5).dtype(), ej::float32);
  EXPECT_EQ((i * 2.5).to_vector<float>(), (std::vector<float>{2.5f, 5.f}));
  // A double literal does not widen a float32 tensor.
  EXPECT_EQ((ej::ones({1}) * 0.1).dtype(), ej::float32);
  EXPECT_TRUE(ej::Tensor(3).is_weak());
  EXPECT_FALSE(ej::constant(3).is_weak());
}

TEST(Promotion, DivisionIsTrueDivision) {
  ej::Tensor q = ej::constant({7, -7}) / 2;
  EXPECT_EQ(q.dtype(), ej::float32);
  EXPECT_EQ(q.to_vector<float>(), (std::vector<float>{3.5f, -3.5f}));
  EXPECT_EQ((ej::cast(ej::constant({1}), ej::float64) / 4).dtype(),
            ej::float64);
}

TEST(Promotion, BoolArithmeticIsAnErrorButComparisonsWork) {
  ej::Tensor b = ej::constant({true, false});
  EXPECT_THROW(b + b, ej::Error);
  EXPECT_THROW(-b, ej::Error);
  EXPECT_EQ((b == true).to_vector<bool>(), (std::vector<bool>{true, false}));
  EXPECT_EQ((b + 1).dtype(), ej::int32); // bool joins int32
  EXPECT_THROW(ej::logical_and(b, ej::constant({1, 0})), ej::Error);
  EXPECT_THROW(ej::where(ej::constant({1}), 1, 2), ej::Error);
}
