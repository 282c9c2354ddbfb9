//===- ShapeOpsTest.cpp - reshape, slicing, concat, gather, pad, ... -----===//
#include "Reference.h"

#include <gmock/gmock.h>

#include <limits>

using ::testing::HasSubstr;
using V = std::vector<int>;
using S = std::vector<int64_t>;

namespace {
ej::Tensor iota(S shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return ej::reshape(ej::arange(n), shape);
}
} // namespace

TEST(Reshape, InfersMinusOneAndChecksCounts) {
  ej::Tensor x = iota({2, 6});
  EXPECT_EQ(ej::reshape(x, {3, -1}).shape(), (S{3, 4}));
  EXPECT_EQ(ej::reshape(x, {-1}).to_vector<int>(),
            ej::arange(12).to_vector<int>());
  EXPECT_EQ(ej::reshape(ej::transpose(x), {12}).to_vector<int>(),
            (V{0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}));
  EXPECT_THAT(
      [&] {
        ej::reshape(x, {5, -1});
      },
      ::testing::ThrowsMessage<ej::Error>(HasSubstr(
          "reshape: cannot reshape (2, 6) (12 elements) into (5, -1)")));
  EXPECT_THROW(ej::reshape(x, {-1, -1}), ej::Error);
  EXPECT_THROW(ej::reshape(x, {5}), ej::Error);
}

TEST(Transpose, PermutesAxes) {
  ej::Tensor x = iota({2, 3, 4});
  ej::Tensor t = ej::transpose(x, {1, 2, 0});
  EXPECT_EQ(t.shape(), (S{3, 4, 2}));
  std::vector<int> v = t.to_vector<int>();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 2; ++k)
        EXPECT_EQ(v[size_t((i * 4 + j) * 2 + k)], k * 12 + i * 4 + j);
  EXPECT_EQ(ej::transpose(x).shape(), (S{4, 3, 2}));
  EXPECT_THROW(ej::transpose(x, {0, 0, 1}), ej::Error);
  EXPECT_THROW(ej::transpose(x, {0, 1}), ej::Error);
}

TEST(ExpandSqueeze, AddAndDropUnitAxes) {
  ej::Tensor x = iota({2, 3});
  EXPECT_EQ(ej::expand_dims(x, 0).shape(), (S{1, 2, 3}));
  EXPECT_EQ(ej::expand_dims(x, -1).shape(), (S{2, 3, 1}));
  EXPECT_EQ(ej::squeeze(ej::reshape(x, {1, 2, 1, 3})).shape(), (S{2, 3}));
  EXPECT_EQ(ej::squeeze(ej::reshape(x, {1, 2, 1, 3}), {2}).shape(),
            (S{1, 2, 3}));
  EXPECT_THAT([&] { ej::squeeze(x, {0}); }, ::testing::ThrowsMessage<ej::Error>(
                                                HasSubstr("squeeze: axis 0")));
  EXPECT_THROW(ej::expand_dims(x, 3), ej::Error);
}

TEST(Concat, JoinsAlongAnAxisAndPromotes) {
  ej::Tensor a = iota({2, 2}), b = iota({2, 1}) + 10;
  EXPECT_EQ(ej::concat({a, b}, 1).to_vector<int>(), (V{0, 1, 10, 2, 3, 11}));
  EXPECT_EQ(ej::concat({a, ej::transpose(a)}, 0).to_vector<int>(),
            (V{0, 1, 2, 3, 0, 2, 1, 3}));
  EXPECT_EQ(ej::concat({a, b}, -1).shape(), (S{2, 3}));
  EXPECT_EQ(ej::concat({a, ej::ones({1, 2})}, 0).dtype(), ej::float32);
  EXPECT_THAT(
      [&] {
        ej::concat({a, b}, 0);
      },
      ::testing::ThrowsMessage<ej::Error>(
          HasSubstr("concat: tensor 1 has shape (2, 1)")));
  EXPECT_THROW(ej::concat({}, 0), ej::Error);
  std::vector<ej::Tensor> many;
  for (int i = 0; i < 9; ++i)
    many.push_back(ej::fill({1}, i, ej::int32));
  EXPECT_EQ(ej::concat(many, 0).to_vector<int>(),
            (V{0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Stack, MakesANewAxis) {
  ej::Tensor a = ej::constant({1, 2}), b = ej::constant({3, 4});
  EXPECT_EQ(ej::stack({a, b}).to_vector<int>(), (V{1, 2, 3, 4}));
  EXPECT_EQ(ej::stack({a, b}, 1).to_vector<int>(), (V{1, 3, 2, 4}));
  EXPECT_EQ(ej::stack({ej::constant(1), ej::constant(2)}).shape(), (S{2}));
  EXPECT_THROW(ej::stack({a, ej::constant({1})}), ej::Error);
}

TEST(Gather, PicksSlicesAlongAnAxis) {
  ej::Tensor p = iota({3, 4});
  EXPECT_EQ(ej::gather(p, ej::constant({2, 0})).to_vector<int>(),
            (V{8, 9, 10, 11, 0, 1, 2, 3}));
  ej::Tensor g = ej::gather(p, ej::cast(ej::constant({{3, -1}}), ej::int64), 1);
  EXPECT_EQ(g.shape(), (S{3, 1, 2}));
  EXPECT_EQ(g.to_vector<int>(), (V{3, 3, 7, 7, 11, 11}));
  EXPECT_EQ(ej::gather(ej::transpose(p), ej::constant({1}), 0).to_vector<int>(),
            (V{1, 5, 9}));
  EXPECT_THAT([&] { ej::gather(p, ej::constant({3})); },
              ::testing::ThrowsMessage<ej::Error>(HasSubstr(
                  "gather: index 3 is out of range for axis 0 of size 3")));
  EXPECT_THROW(ej::gather(p, ej::constant({0.5f})), ej::Error);
}

TEST(OneHot, MarksIndicesAndLeavesOutOfRangeOff) {
  ej::Tensor o = ej::one_hot(ej::constant({0, 2, 5, -1}), 3);
  EXPECT_EQ(o.shape(), (S{4, 3}));
  EXPECT_EQ(o.to_vector<float>(),
            (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(
      ej::one_hot(ej::constant({1}), 2, 5, -1, ej::int32).to_vector<int>(),
      (V{-1, 5}));
  EXPECT_THROW(ej::one_hot(ej::constant({1.f}), 2), ej::Error);
}

TEST(BroadcastTo, ViewsWithZeroStrides) {
  ej::Tensor b = ej::broadcast_to(ej::constant({1, 2, 3}), {2, 3});
  EXPECT_EQ(b.to_vector<int>(), (V{1, 2, 3, 1, 2, 3}));
  EXPECT_EQ(b.strides(), (S{0, 1}));
  EXPECT_EQ(ej::broadcast_to(ej::constant({{1}, {2}}), {2, 2}).to_vector<int>(),
            (V{1, 1, 2, 2}));
  EXPECT_THAT(
      [] {
        ej::broadcast_to(ej::constant({1, 2}), {3});
      },
      ::testing::ThrowsMessage<ej::Error>(
          HasSubstr("broadcast_to: cannot broadcast (2,) to (3,)")));
}

TEST(Pad, SurroundsWithAConstant) {
  ej::Tensor p = ej::pad(ej::constant({{1, 2}}), {{1, 0}, {0, 1}}, 9);
  EXPECT_EQ(p.shape(), (S{2, 3}));
  EXPECT_EQ(p.to_vector<int>(), (V{9, 9, 9, 1, 2, 9}));
  EXPECT_THROW(ej::pad(ej::constant({1}), {{-1, 0}}), ej::Error);
  EXPECT_THROW(ej::pad(ej::constant({1}), {{0, 0}, {0, 0}}), ej::Error);
}

TEST(Slicing, FollowsPythonSemantics) {
  ej::Tensor x = ej::arange(10);
  auto sl = [&](std::optional<int64_t> a, std::optional<int64_t> b, int64_t s) {
    return x[ej::Slice(a, b, s)].to_vector<int>();
  };
  EXPECT_EQ(sl(2, 5, 1), (V{2, 3, 4}));
  EXPECT_EQ(sl(std::nullopt, std::nullopt, 3), (V{0, 3, 6, 9}));
  EXPECT_EQ(sl(-3, std::nullopt, 1), (V{7, 8, 9}));
  EXPECT_EQ(sl(std::nullopt, std::nullopt, -1),
            (V{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(sl(8, 2, -2), (V{8, 6, 4}));
  EXPECT_EQ(sl(5, 2, 1), V{});
  EXPECT_EQ(sl(-100, 100, 4), (V{0, 4, 8}));
  EXPECT_EQ(sl(100, -100, -4), (V{9, 5, 1}));
  // Steps at int64's limits take one element (the length must not wrap).
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(sl(0, big, big), (V{0}));
  EXPECT_EQ(sl(std::nullopt, std::nullopt, -big), (V{9}));
  EXPECT_EQ(sl(std::nullopt, std::nullopt, std::numeric_limits<int64_t>::min()),
            (V{9}));
  EXPECT_EQ(x[-1].item<int>(), 9);
  EXPECT_EQ(x[3].shape(), S{});
  EXPECT_THROW(x[10], ej::Error);
  EXPECT_THROW(x[ej::Slice(0, 1, 0)], ej::Error);
}

TEST(Slicing, IndexesLeadingAxesAndComposesViews) {
  ej::Tensor m = iota({3, 4, 5});
  ej::Tensor v = m.index({1, ej::Slice(std::nullopt, std::nullopt, 2), -1});
  EXPECT_EQ(v.shape(), (S{2}));
  EXPECT_EQ(v.to_vector<int>(), (V{24, 34}));
  ej::Tensor col = m.index({ej::Slice(), 2});
  EXPECT_EQ(col.shape(), (S{3, 5}));
  EXPECT_EQ(col[2].to_vector<int>(), (V{50, 51, 52, 53, 54}));
  // A slice of a transpose of a broadcast view.
  ej::Tensor b =
      ej::transpose(ej::broadcast_to(ej::constant({1, 2, 3}), {4, 3}));
  EXPECT_EQ(b.index({ej::Slice(1, 3), ej::Slice(0, 4, 3)}).to_vector<int>(),
            (V{2, 2, 3, 3}));
  EXPECT_THROW(m.index({0, 0, 0, 0}), ej::Error);
}

TEST(Identity, CopiesIntoAFreshRowMajorBuffer) {
  ej::Tensor t = ej::transpose(iota({2, 3}));
  ASSERT_FALSE(t.is_contiguous());
  ej::Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.to_vector<int>(), (V{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(ej::identity(c).to_vector<int>(), c.to_vector<int>());
  // The interpreter copies. (In a compiled region the copy folds away and
  // the result may share the operand's buffer: buffers are never written
  // after they are made, so no one can tell but by the address.)
  bool jit = ej::jit::enabled();
  ej::jit::set_enabled(false);
  EXPECT_NE(ej::identity(c).data<int32_t>(), c.data<int32_t>());
  ej::jit::set_enabled(jit);
}
