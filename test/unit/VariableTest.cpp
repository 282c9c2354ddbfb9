//===- VariableTest.cpp - Mutable, named tensors -------------------------===//
#include "Reference.h"

#include <gmock/gmock.h>

#include <thread>

using ::testing::HasSubstr;

TEST(Variable, HoldsAValueAndReplacesItOnAssignment) {
  ej::Variable w(ej::constant({{1.f, 2.f}, {3.f, 4.f}}), "w");
  EXPECT_EQ(w.name(), "w");
  EXPECT_TRUE(w.trainable());
  EXPECT_EQ(w.dtype(), ej::float32);
  EXPECT_EQ(w.shape(), (std::vector<int64_t>{2, 2}));
  ej::Tensor before = w.read();
  w.assign(ej::constant({{5.f, 6.f}, {7.f, 8.f}}));
  EXPECT_EQ(w.read().to_vector<float>(), (std::vector<float>{5, 6, 7, 8}));
  // A value read earlier keeps what it saw.
  EXPECT_EQ(before.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
  w.assign_add(1.f);
  w.assign_sub(ej::constant({{1.f, 1.f}, {2.f, 2.f}}));
  EXPECT_EQ(w.read().to_vector<float>(), (std::vector<float>{5, 6, 6, 7}));
  // Copies of the handle name the same variable.
  ej::Variable alias = w;
  alias.assign(0.f);
  EXPECT_EQ(w.read().to_vector<float>(), std::vector<float>(4, 0));
  EXPECT_EQ(alias.id(), w.id());
  EXPECT_NE(ej::Variable(1.f).id(), w.id());
}

TEST(Variable, IsUsableWhereverATensorIs) {
  ej::Variable W(5.f, "weight"), B(10.f, "bias", /*trainable=*/false);
  EXPECT_EQ(W.dtype(), ej::float32);
  EXPECT_FALSE(B.trainable());
  ej::Tensor inputs = ej::constant({1.f, 2.f});
  EXPECT_EQ((inputs * W + B).to_vector<float>(), (std::vector<float>{15, 20}));
  EXPECT_EQ(ej::matmul(ej::ones({1, 1}), ej::reshape(W, {1, 1})).item<float>(),
            5.f);
}

TEST(Variable, TheSeedsNewStepLoopCountsDown) {
  // Seed 001: x = Variable(1.0); 10 times: assign_sub(x, 0.1);
  // assertAllClose(identity(x), 1.0 - (i + 1) * 0.1)
  ej::Variable x(1.0f);
  for (int i = 0; i < 10; ++i) {
    x.assign_sub(0.1f);
    EXPECT_NEAR(ej::identity(x).item<float>(), 1.0 - (i + 1) * 0.1, 1e-6);
  }
}

TEST(Variable, WrongShapesAndDtypesAreErrors) {
  ej::Variable v(ej::zeros({2, 3}), "v");
  EXPECT_THAT(
      [&] {
        v.assign(ej::zeros({3, 2}));
      },
      ::testing::ThrowsMessage<ej::Error>(
          HasSubstr("assign: the variable 'v' has shape (2, 3), got (3, 2)")));
  EXPECT_THAT(
      [&] {
        v.assign(ej::zeros({2, 3}, ej::float64));
      },
      ::testing::ThrowsMessage<ej::Error>(
          HasSubstr("assign: the variable 'v' holds float32, got float64")));
  EXPECT_THROW(v.assign_add(ej::ones({4})), ej::Error);
  ej::Variable undefined;
  EXPECT_THROW(undefined.read(), ej::Error);
  EXPECT_THROW(ej::Variable(ej::Tensor()), ej::Error);
}

TEST(Variable, ConcurrentReadersSeeWholeValues) {
  ej::Variable v(ej::zeros({1000}));
  std::thread writer([&] {
    for (int i = 1; i <= 200; ++i)
      v.assign(ej::fill({1000}, i));
  });
  bool torn = false;
  for (int i = 0; i < 200; ++i) {
    std::vector<float> x = v.read().to_vector<float>();
    for (float e : x)
      torn |= e != x[0];
  }
  writer.join();
  EXPECT_FALSE(torn);
  EXPECT_EQ(v.read().to_vector<float>()[999], 200.f);
}
