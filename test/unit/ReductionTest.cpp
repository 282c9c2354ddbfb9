//===- ReductionTest.cpp - reduce_*, argmax/argmin, global_norm ----------===//
#include "Reference.h"

#include <gmock/gmock.h>

using ref::Shape;
using ::testing::HasSubstr;

namespace {

enum class R { Sum, Mean, Max, Min, Prod };

// Reduces `v` of `shape` over `axes` (sorted, non-negative) in float64.
std::vector<double> reduce_ref(const std::vector<double> &v, const Shape &shape,
                               const std::vector<int64_t> &axes, R r,
                               Shape *out_shape) {
  std::vector<bool> red(shape.size(), false);
  for (int64_t a : axes)
    red[size_t(a)] = true;
  Shape out;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!red[d])
      out.push_back(shape[d]);
  *out_shape = out;
  double init = r == R::Max    ? -INFINITY
                : r == R::Min  ? INFINITY
                : r == R::Prod ? 1
                               : 0;
  std::vector<double> acc(size_t(ref::numel(out)), init);
  std::vector<int64_t> count(acc.size(), 0);
  for (int64_t i = 0; i < ref::numel(shape); ++i) {
    int64_t rem = i, o = 0, stride = 1;
    for (int d = int(shape.size()) - 1; d >= 0; --d) {
      int64_t idx = rem % shape[size_t(d)];
      rem /= shape[size_t(d)];
      if (!red[size_t(d)]) {
        o += idx * stride;
        stride *= shape[size_t(d)];
      }
    }
    double x = v[size_t(i)];
    double &a = acc[size_t(o)];
    a = r == R::Max    ? std::max(a, x)
        : r == R::Min  ? std::min(a, x)
        : r == R::Prod ? a * x
                       : a + x;
    ++count[size_t(o)];
  }
  if (r == R::Mean)
    for (size_t i = 0; i < acc.size(); ++i)
      acc[i] /= double(count[i]);
  return acc;
}

ej::Tensor apply(R r, const ej::Tensor &x, ej::IntList axes, bool keep) {
  switch (r) {
  case R::Sum:
    return ej::reduce_sum(x, axes, keep);
  case R::Mean:
    return ej::reduce_mean(x, axes, keep);
  case R::Max:
    return ej::reduce_max(x, axes, keep);
  case R::Min:
    return ej::reduce_min(x, axes, keep);
  case R::Prod:
    return ej::reduce_prod(x, axes, keep);
  }
  return {};
}

} // namespace

TEST(Reduce, EveryReductionOverEveryAxisSetMatchesFloat64Reference) {
  const Shape shape = {3, 4, 5};
  const std::vector<std::vector<int64_t>> axis_sets = {
      {}, {0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}};
  for (ej::DType dt : {ej::float32, ej::float64}) {
    std::vector<double> v = ref::values(ref::tensor(
        ref::uniform(60, 0.5, 1.5, 3), shape, dt)); // prod stays O(1)
    ej::Tensor x = ref::tensor(v, shape, dt);
    for (R r : {R::Sum, R::Mean, R::Max, R::Min, R::Prod}) {
      for (const auto &axes : axis_sets) {
        for (bool keep : {false, true}) {
          SCOPED_TRACE(::testing::Message()
                       << "reduction " << int(r) << " axes "
                       << ej::shape_str(axes) << " keep " << keep);
          std::vector<int64_t> all = axes;
          if (all.empty())
            all = {0, 1, 2};
          Shape want_shape;
          std::vector<double> want = reduce_ref(v, shape, all, r, &want_shape);
          if (keep) {
            want_shape = shape;
            for (int64_t a : all)
              want_shape[size_t(a)] = 1;
          }
          ej::Tensor y = apply(r, x, axes, keep);
          EXPECT_EQ(y.shape(), want_shape);
          EXPECT_EQ(y.dtype(), dt);
          ref::expect_close(ref::values(y), want, 4 * ref::rtol_of(dt));
        }
      }
    }
  }
}

TEST(Reduce, NegativeAxesAndStridedInputs) {
  std::vector<double> v = ref::uniform(6 * 7, -1, 1, 9);
  ej::Tensor x = ref::tensor(v, {6, 7}, ej::float64);
  ej::Tensor t = ej::transpose(x); // (7, 6), strided
  Shape s;
  std::vector<double> want = reduce_ref(v, {6, 7}, {0}, R::Sum, &s);
  ref::expect_close(ref::values(ej::reduce_sum(t, {-1})), want, 1e-13);
  std::vector<double> odd_rows; // rows 1, 3, 5
  for (int r = 1; r < 6; r += 2)
    odd_rows.insert(odd_rows.end(), v.begin() + r * 7, v.begin() + r * 7 + 7);
  ref::expect_close(ref::values(ej::reduce_max(x[ej::Slice(1, 6, 2)], {0})),
                    reduce_ref(odd_rows, {3, 7}, {0}, R::Max, &s), 0);
}

TEST(Reduce, LargeReductionsSplitAcrossThreadsStayAccurate) {
  const int64_t n = 1 << 20;
  std::vector<double> v =
      ref::values(ref::tensor(ref::uniform(n, 0, 1, 4), {n}, ej::float32));
  double total = 0;
  for (double x : v)
    total += x;
  ej::Tensor x = ref::tensor(v, {n}, ej::float32);
  EXPECT_NEAR(ej::reduce_sum(x).item<double>(), total, total * 1e-7);
  EXPECT_NEAR(ej::reduce_mean(x).item<double>(), total / double(n), 1e-7);
  ej::Tensor m = ej::reshape(x, {1024, 1024});
  Shape s;
  ref::expect_close(ref::values(ej::reduce_sum(m, {1})),
                    reduce_ref(v, {1024, 1024}, {1}, R::Sum, &s), 1e-6);
  ref::expect_close(ref::values(ej::reduce_sum(m, {0})),
                    reduce_ref(v, {1024, 1024}, {0}, R::Sum, &s), 1e-6);
}

TEST(Reduce, IntegerAndBoolDtypes) {
  ej::Tensor i = ej::constant({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(ej::reduce_sum(i).dtype(), ej::int32);
  EXPECT_EQ(ej::reduce_sum(i).item<int>(), 21);
  EXPECT_EQ(ej::reduce_prod(i, {1}).to_vector<int>(),
            (std::vector<int>{6, 120}));
  EXPECT_EQ(ej::reduce_max(i, {0}).to_vector<int>(),
            (std::vector<int>{4, 5, 6}));
  EXPECT_EQ(ej::reduce_mean(i).dtype(), ej::float32);
  EXPECT_FLOAT_EQ(ej::reduce_mean(i).item<float>(), 3.5f);
  ej::Tensor b = ej::constant({true, false, true});
  EXPECT_EQ(ej::reduce_sum(b).dtype(), ej::int64);
  EXPECT_EQ(ej::reduce_sum(b).item<int64_t>(), 2);
  EXPECT_EQ(ej::reduce_sum(ej::zeros({0})).item<float>(), 0.f);
}

TEST(Reduce, BadAxesAndEmptyMaxAreErrors) {
  ej::Tensor x = ej::ones({2, 3});
  EXPECT_THAT([&] { ej::reduce_sum(x, {2}); },
              ::testing::ThrowsMessage<ej::Error>(
                  HasSubstr("reduce_sum: axis 2 is out of range for rank 2")));
  EXPECT_THAT(
      [&] {
        ej::reduce_sum(x, {1, -1});
      },
      ::testing::ThrowsMessage<ej::Error>(HasSubstr("given twice")));
  EXPECT_THAT(
      [] {
        ej::reduce_max(ej::zeros({2, 0}), {1});
      },
      ::testing::ThrowsMessage<ej::Error>(
          HasSubstr("reduce_max: cannot reduce")));
}

TEST(ArgReduce, ArgmaxArgminGiveInt64FirstIndexOnTies) {
  ej::Tensor x = ej::constant({{1, 5, 5}, {7, 0, 7}});
  EXPECT_EQ(ej::argmax(x, 1).dtype(), ej::int64);
  EXPECT_EQ(ej::argmax(x, 1).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(ej::argmin(x, 1).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ej::argmax(x).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(ej::argmax(x, -2).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 0, 1}));
  std::vector<double> v = ref::uniform(50 * 9, -1, 1, 12);
  ej::Tensor r = ej::transpose(ref::tensor(v, {50, 9}, ej::float64)); // (9, 50)
  std::vector<int64_t> got = ej::argmin(r, 1).to_vector<int64_t>();
  for (int64_t j = 0; j < 9; ++j) {
    int64_t best = 0;
    for (int64_t i = 1; i < 50; ++i)
      if (v[size_t(i * 9 + j)] < v[size_t(best * 9 + j)])
        best = i;
    EXPECT_EQ(got[size_t(j)], best);
  }
  EXPECT_THROW(ej::argmax(ej::zeros({0})), ej::Error);
  EXPECT_THROW(ej::argmax(ej::constant(1.f)), ej::Error);
}

TEST(GlobalNorm, IsTheNormOfAllElementsTogether) {
  std::vector<double> a = ref::uniform(10, -3, 3, 1),
                      b = ref::uniform(4, -3, 3, 2);
  double ss = 0;
  for (double x : a)
    ss += x * x;
  for (double x : b)
    ss += x * x;
  ej::Tensor n = ej::global_norm(
      {ref::tensor(a, {2, 5}, ej::float64), ref::tensor(b, {4}, ej::float64)});
  EXPECT_EQ(n.shape(), std::vector<int64_t>{});
  EXPECT_NEAR(n.item<double>(), std::sqrt(ss), 1e-12);
  EXPECT_FLOAT_EQ(ej::global_norm({ej::constant({3, 4})}).item<float>(), 5.f);
  EXPECT_THROW(ej::global_norm({}), ej::Error);
}
