//===- MatMulTest.cpp - matmul through BLAS and batched ------------------===//
#include "Reference.h"

#include <gmock/gmock.h>

using ref::Shape;

namespace {

// (B..., n, k) x (B..., k, m) with broadcast batch axes, in float64.
std::vector<double> matmul_ref(const std::vector<double> &a, const Shape &sa,
                               const std::vector<double> &b, const Shape &sb,
                               Shape *out_shape) {
  Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
  Shape batch = ref::broadcast(ba, bb);
  int64_t n = sa[sa.size() - 2], k = sa.back(), m = sb.back();
  *out_shape = batch;
  out_shape->push_back(n);
  out_shape->push_back(m);
  int64_t nb = ref::numel(batch);
  std::vector<double> out(size_t(nb * n * m), 0);
  // The index of batch element `i` in each operand's batch.
  auto which = [&](const Shape &from, int64_t i) {
    std::vector<double> idx(size_t(ref::numel(from)));
    for (size_t j = 0; j < idx.size(); ++j)
      idx[j] = double(j);
    return int64_t(ref::at_broadcast(idx, from, batch, i));
  };
  for (int64_t bi = 0; bi < nb; ++bi) {
    int64_t ia = which(ba, bi), ib = which(bb, bi);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s +=
              a[size_t((ia * n + i) * k + p)] * b[size_t((ib * k + p) * m + j)];
        out[size_t((bi * n + i) * m + j)] = s;
      }
  }
  return out;
}

void check(const Shape &sa, const Shape &sb, ej::DType dt, unsigned seed) {
  SCOPED_TRACE(ej::shape_str(sa) + " x " + ej::shape_str(sb) + " " +
               ej::dtype_name(dt));
  std::vector<double> a = ref::values(
      ref::tensor(ref::uniform(ref::numel(sa), -1, 1, seed), sa, dt));
  std::vector<double> b = ref::values(
      ref::tensor(ref::uniform(ref::numel(sb), -1, 1, seed + 1), sb, dt));
  Shape s;
  std::vector<double> want = matmul_ref(a, sa, b, sb, &s);
  ej::Tensor y = ej::matmul(ref::tensor(a, sa, dt), ref::tensor(b, sb, dt));
  EXPECT_EQ(y.shape(), s);
  EXPECT_EQ(y.dtype(), dt);
  ref::expect_close(ref::values(y), want, dt == ej::float32 ? 1e-5 : 1e-12,
                    dt == ej::float32 ? 1e-5 : 1e-13);
}

} // namespace

TEST(MatMul, TwoDimensionalMatchesFloat64Reference) {
  for (ej::DType dt : {ej::float32, ej::float64}) {
    check({17, 33}, {33, 9}, dt, 1);
    check({1, 5}, {5, 1}, dt, 2);
    check({64, 64}, {64, 64}, dt, 3);
  }
}

TEST(MatMul, BatchedAndBroadcastBatches) {
  check({2, 3, 4, 5}, {5, 6}, ej::float32, 4);
  check({1, 4, 5}, {3, 5, 2}, ej::float64, 5);
  check({3, 1, 2, 3}, {4, 3, 2}, ej::float32, 6);
}

TEST(MatMul, TransposedAndSlicedViewsNeedNoCopyAndStayCorrect) {
  std::vector<double> a = ref::uniform(9 * 7, -1, 1, 8),
                      b = ref::uniform(9 * 4, -1, 1, 9);
  ej::Tensor ta = ref::tensor(a, {9, 7}, ej::float64),
             tb = ref::tensor(b, {9, 4}, ej::float64);
  // transpose(ta) (7, 9) x tb (9, 4)
  std::vector<double> at(a.size());
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 7; ++j)
      at[size_t(j * 9 + i)] = a[size_t(i * 7 + j)];
  Shape s;
  ref::expect_close(ref::values(ej::matmul(ej::transpose(ta), tb)),
                    matmul_ref(at, {7, 9}, b, {9, 4}, &s), 1e-12);
  // Every other row and column: a layout BLAS cannot read in place.
  ej::Tensor sa = ta.index({ej::Slice(0, 9, 2), ej::Slice(0, 7, 2)}); // (5, 4)
  ej::Tensor sb = tb.index({ej::Slice(0, 8, 2)});                     // (4, 4)
  ref::expect_close(ref::values(ej::matmul(sa, sb)),
                    ref::values(ej::matmul(sa.contiguous(), sb.contiguous())),
                    1e-14);
}

TEST(MatMul, SingleRowsAndColumnsOfStridedAndBroadcastViews) {
  // A one-row or one-column operand that is a view: its elements lie along
  // the other axis's stride, which must be honoured (not taken as dense).
  ej::Tensor x = ej::reshape(ej::arange(0, 12, 1, ej::float64), {3, 4});
  ej::Tensor ones = ej::ones({4, 2}, ej::float64);
  auto same = [](const ej::Tensor &a, const ej::Tensor &b) {
    ref::expect_close(ref::values(ej::matmul(a, b)),
                      ref::values(ej::matmul(a.contiguous(), b.contiguous())),
                      1e-14);
  };
  // (1, 3): a column of x, transposed.
  same(ej::transpose(x.index({ej::Slice(), ej::Slice(0, 1)})),
       ej::ones({3, 2}, ej::float64));
  // (1, 2): every other element of a row.
  same(x.index({ej::Slice(0, 1), ej::Slice(0, 4, 2)}),
       ej::ones({2, 5}, ej::float64));
  // (3, 1): a broadcast column.
  same(ej::broadcast_to(ej::fill({1, 1}, 2.5, ej::float64), {3, 1}),
       ej::ones({1, 4}, ej::float64));
  // (2, 1): every other row of a column (row stride 4), times a (1, 4) row.
  same(ones.index({ej::Slice(), ej::Slice(0, 1)}).index({ej::Slice(0, 4, 2)}),
       x.index({ej::Slice(1, 2)}));
}

TEST(MatMul, IntegersAndTheSeedExample) {
  ej::Tensor x = ej::matmul({{1, 2}, {3, 4}}, {{4, 5}, {6, 7}});
  EXPECT_EQ(x.dtype(), ej::int32);
  EXPECT_EQ(x.to_vector<int>(), (std::vector<int>{16, 19, 36, 43}));
  EXPECT_EQ(ej::matmul(ej::constant({{7.}, {6}}), ej::constant({{6., 7}}))
                .to_vector<float>(),
            (std::vector<float>{42, 49, 36, 42}));
  EXPECT_EQ(ej::matmul(ej::zeros({2, 0}), ej::zeros({0, 3})).to_vector<float>(),
            std::vector<float>(6, 0));
}

TEST(MatMul, ShapeErrorsNameBothShapes) {
  EXPECT_THAT(
      [] {
        ej::matmul(ej::ones({2, 3}), ej::ones({4, 5}));
      },
      ::testing::ThrowsMessage<ej::Error>(::testing::StrEq(
          "matmul: inner dimensions differ: (2, 3) x (4, 5)")));
  EXPECT_THROW(ej::matmul(ej::ones({3}), ej::ones({3, 1})), ej::Error);
  EXPECT_THROW(ej::matmul(ej::ones({2, 2, 3}), ej::ones({3, 3, 1})), ej::Error);
  EXPECT_THROW(ej::matmul(ej::constant({{true}}), ej::constant({{true}})),
               ej::Error);
}
