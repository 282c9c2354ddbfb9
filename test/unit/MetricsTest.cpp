//===- MetricsTest.cpp - Mean, Accuracy, CSV rows and SVG plots -----------===//
#include "test/unit/Reference.h"

#include <ej/metrics.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace {

using ej::Tensor;
namespace metrics = ej::metrics;

std::string temp_path(const std::string &name) {
  return ::testing::TempDir() + "ej-metrics-" + std::to_string(::getpid()) +
         "-" + name;
}

std::string slurp(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)),
                     std::istreambuf_iterator<char>());
}

size_t count(const std::string &s, const std::string &what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos;
       at = s.find(what, at + 1))
    ++n;
  return n;
}

TEST(Metrics, MeanAccumulatesWeightedValuesAcrossUpdates) {
  metrics::Mean mean("loss");
  EXPECT_EQ(mean.result().item<double>(), 0); // nothing yet
  std::vector<double> a = ref::uniform(6, -3, 3, 1),
                      b = ref::uniform(4, 0, 2, 2),
                      w = ref::uniform(4, 0, 1, 3);
  mean.update_state(ref::tensor(a, {2, 3}, ej::float32));
  mean.update_state(ref::tensor(b, {4}, ej::float64),
                    ref::tensor(w, {4}, ej::float64));
  mean.update_state(ej::constant(5)); // an int scalar counts once
  double total = 5, n = 1;
  for (double v : a) {
    total += double(float(v));
    n += 1;
  }
  for (size_t i = 0; i < b.size(); ++i) {
    total += b[i] * w[i];
    n += w[i];
  }
  EXPECT_NEAR(mean.result().item<double>(), total / n, 1e-12);
  EXPECT_EQ(mean.result().dtype(), ej::float64);
  EXPECT_EQ(mean.variables()[0].name(), "loss/total");
  EXPECT_FALSE(mean.variables()[0].trainable());
  mean.reset_state();
  EXPECT_EQ(mean.result().item<double>(), 0);
  mean.update_state(ej::constant({2.f, 4.f}));
  EXPECT_EQ(mean.result().item<double>(), 3);
  EXPECT_THROW(mean.update_state(ej::ones({2}), ej::ones({3})), ej::Error);
}

TEST(Metrics, AccuracyComparesArgmaxOrValues) {
  metrics::Accuracy acc;
  // Scores: argmax per row is 2, 0, 1; labels 2, 1, 1 -> 2 of 3.
  acc.update_state(ej::constant({2, 1, 1}), ej::constant({{0.1f, 0.2f, 0.7f},
                                                          {0.8f, 0.1f, 0.1f},
                                                          {0.3f, 0.6f, 0.1f}}));
  EXPECT_NEAR(acc.result().item<double>(), 2.0 / 3, 1e-15);
  // Direct comparison: 1 of 2 more -> 3 of 5.
  acc.update_state(ej::constant({4, 5}), ej::constant({4, 6}));
  EXPECT_NEAR(acc.result().item<double>(), 3.0 / 5, 1e-15);
  EXPECT_THROW(acc.update_state(ej::constant({1, 2}), ej::ones({3, 4})),
               ej::Error);
  EXPECT_THROW(acc.update_state(ej::constant({1.f, 2.f}), ej::ones({2, 4})),
               ej::Error);
  acc.reset_state();
  EXPECT_EQ(acc.result().item<double>(), 0);
}

TEST(Metrics, CsvWriterWritesAHeaderAndOneRowPerStep) {
  std::string path = temp_path("log.csv");
  {
    metrics::CsvWriter csv(path, {"loss", "accuracy"});
    csv.write(0, {2.5, 0.125});
    csv.write(10, {0.3333333333, 1});
    EXPECT_EQ(slurp(path), "step,loss,accuracy\n0,2.5,0.125\n"
                           "10,0.333333333,1\n"); // flushed per row
    EXPECT_THROW(csv.write(20, {1}), ej::Error);
  }
  EXPECT_THROW(metrics::CsvWriter(temp_path("no/dir/x.csv"), {"a"}), ej::Error);
  EXPECT_THROW(metrics::CsvWriter(path, {"a,b"}), ej::Error);
  std::remove(path.c_str());
}

TEST(Metrics, NiceTicksAreRoundAndCoverTheRange) {
  ref::expect_close(metrics::nice_ticks(0, 1), {0, 0.2, 0.4, 0.6, 0.8, 1},
                    1e-15);
  std::vector<double> t = metrics::nice_ticks(-3.2, 97);
  EXPECT_EQ(t.front(), 0);
  EXPECT_EQ(t.back(), 80);
  EXPECT_EQ(t[1] - t[0], 20);
  EXPECT_EQ(metrics::nice_ticks(5, 5), (std::vector<double>{5}));
  EXPECT_THROW(metrics::nice_ticks(2, 1), ej::Error);
}

TEST(Metrics, LinePlotsDrawEverySeriesWithGapsAtBadPoints) {
  metrics::Series loss{
      "loss <train>", {0, 1, 2, 3, 4}, {2.3, 1.1, NAN, 0.6, 0.5}};
  metrics::Series acc{"accuracy", {0, 2, 4}, {0.1, 0.6, 0.8}};
  metrics::PlotOptions opts;
  opts.title = "Fashion-MNIST & MLP";
  std::string svg = metrics::line_plot_svg({loss, acc}, opts);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
  // The NaN splits the loss into two polylines; accuracy is one.
  EXPECT_EQ(count(svg, "<polyline"), 3u);
  EXPECT_NE(svg.find("loss &lt;train&gt;"), std::string::npos);
  EXPECT_NE(svg.find("Fashion-MNIST &amp; MLP"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  // The first point of the loss sits at the left edge (x = 0 is a tick).
  EXPECT_NE(svg.find("points=\"70.00,"), std::string::npos);
  opts.log_y = true;
  std::string log_svg = metrics::line_plot_svg({loss}, opts);
  EXPECT_EQ(count(log_svg, "<polyline"), 2u);
  EXPECT_THROW(metrics::line_plot_svg({{"bad", {1, 2}, {1}}}), ej::Error);
  std::string path = temp_path("plot.svg");
  metrics::write_line_plot_svg(path, {loss, acc}, opts);
  EXPECT_EQ(slurp(path), metrics::line_plot_svg({loss, acc}, opts));
  std::remove(path.c_str());
  // No data still makes a valid, empty plot.
  EXPECT_NE(metrics::line_plot_svg({}).find("</svg>"), std::string::npos);
}

} // namespace
