//===- InteropTest.cpp - Host values, bool conversion, undefined handles -===//
#include "Reference.h"

#include <gmock/gmock.h>

using ::testing::HasSubstr;

TEST(Interop, ItemToVectorShapeAndData) {
  ej::Tensor x = ej::constant({{1.5f, 2.5f, 3.5f}, {4.5f, 5.5f, 6.5f}});
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(x.rank(), 2);
  EXPECT_EQ(x.dim(-1), 3);
  EXPECT_EQ(x.size(), 6);
  EXPECT_EQ(x.dtype(), ej::float32);
  EXPECT_EQ(x.device(), "cpu:0");
  EXPECT_EQ(x[1][2].item<float>(), 6.5f);
  EXPECT_EQ(x[1][2].item<int>(), 6);
  EXPECT_EQ(ej::transpose(x).to_vector<float>(),
            (std::vector<float>{1.5f, 4.5f, 2.5f, 5.5f, 3.5f, 6.5f}));
  EXPECT_EQ(x.data<float>()[4], 5.5f);
  EXPECT_THAT([&] { x.item<float>(); },
              ::testing::ThrowsMessage<ej::Error>(
                  HasSubstr("item: expected a tensor of one element")));
  EXPECT_THROW(x.data<double>(), ej::Error);
  // The interpreter's transpose is a strided view. (A compiled region may
  // hand back a row-major buffer instead: the values are the same.)
  bool jit = ej::jit::enabled();
  ej::jit::set_enabled(false);
  EXPECT_THAT([&] { ej::transpose(x).data<float>(); },
              ::testing::ThrowsMessage<ej::Error>(HasSubstr("strided view")));
  ej::jit::set_enabled(jit);
}

TEST(Interop, ScalarTensorsAreBoolsInConditions) {
  ej::Tensor x = ej::constant(30);
  bool taken = false;
  if (x > 4)
    taken = true;
  EXPECT_TRUE(taken);
  EXPECT_FALSE(bool(x < 4));
  EXPECT_TRUE(bool(ej::constant({2.5f})));
  ej::Tensor y = ej::constant({1.f, -2.f}) * 2;
  int loops = 0;
  while (ej::global_norm({y}) < 1000) {
    y = y * 2;
    ++loops;
  }
  EXPECT_EQ(loops, 8); // |y| = sqrt(5) * 2^(k+1) passes 1000 at k = 8
  EXPECT_THAT(
      [] {
        (void)bool(ej::constant({1, 2}) > 0);
      },
      ::testing::ThrowsMessage<ej::Error>(HasSubstr(
          "bool: the truth value of a tensor of shape (2,) is ambiguous")));
}

TEST(Interop, UndefinedHandlesThrowInsteadOfCrashing) {
  ej::Tensor u;
  EXPECT_FALSE(u.defined());
  EXPECT_THAT([&] { ej::add(u, 1); },
              ::testing::ThrowsMessage<ej::Error>(
                  HasSubstr("add: argument 'a' is an undefined tensor")));
  EXPECT_THROW(u.shape(), ej::Error);
  EXPECT_THROW(ej::reduce_sum(u), ej::Error);
  EXPECT_THROW(ej::concat({u}, 0), ej::Error);
  EXPECT_EQ(u.str(), "ej.Tensor(undefined)");
}

TEST(Interop, HandlesShareTheirValue) {
  ej::Tensor a = ej::constant({1, 2});
  ej::Tensor b = a;
  ej::Tensor c = std::move(b);
  EXPECT_EQ(c.impl(), a.impl());
  EXPECT_FALSE(b.defined()); // NOLINT: moved-from handles are empty
  a = ej::constant({3});
  EXPECT_EQ(c.to_vector<int>(), (std::vector<int>{1, 2}));
}

TEST(Errors, EveryMessageStartsWithTheOpName) {
  struct Case {
    const char *op;
    std::function<void()> call;
  };
  ej::Tensor m = ej::ones({2, 3});
  const Case cases[] = {
      {"add", [&] { ej::add(m, ej::ones({4})); }},
      {"where", [&] { ej::where(m > 0, m, ej::ones({5})); }},
      {"neg", [&] { ej::neg(ej::constant({true})); }},
      {"reduce_mean", [&] { ej::reduce_mean(m, {5}); }},
      {"argmin", [&] { ej::argmin(m, 2); }},
      {"matmul", [&] { ej::matmul(m, m); }},
      {"transpose", [&] { ej::transpose(m, {1}); }},
      {"reshape", [&] { ej::reshape(m, {7}); }},
      {"expand_dims", [&] { ej::expand_dims(m, 5); }},
      {"stack", [&] { ej::stack({}); }},
      {"one_hot", [&] { ej::one_hot(ej::constant({1}), -2); }},
      {"pad", [&] { ej::pad(m, {}); }},
      {"slice", [&] { m[7]; }},
      {"eye", [&] { ej::eye(-1); }},
      {"fill", [&] { ej::fill({-2}, 1); }},
      {"random_normal", [&] { ej::random_normal({2}, ej::int64); }},
      {"global_norm", [&] { ej::global_norm({ej::constant({true})}); }},
      {"cast", [&] { ej::cast(ej::Tensor(), ej::int32); }},
      {"dim", [&] { m.dim(4); }},
  };
  for (const Case &c : cases) {
    std::string op = c.op;
    try {
      c.call();
      ADD_FAILURE() << op << " did not throw";
    } catch (const ej::Error &e) {
      EXPECT_EQ(std::string(e.what()).rfind(op + ": ", 0), 0u) << e.what();
    }
  }
}

TEST(Errors, ImpossibleSizesAreErrorsNotCrashes) {
  EXPECT_THAT(
      [] {
        ej::zeros({int64_t(1) << 40, int64_t(1) << 40});
      },
      ::testing::ThrowsMessage<ej::Error>(
          HasSubstr("is too large to allocate")));
  EXPECT_THAT(
      [] { ej::zeros({int64_t(1) << 50}); },
      ::testing::ThrowsMessage<ej::Error>(HasSubstr("bytes for a tensor")));
}
