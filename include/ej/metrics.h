//===- metrics.h - Streaming metrics, CSV logs and SVG curves ---*- C++ -*-===//
//
// Metrics accumulate in Variables with eager ops (tf.keras.metrics style),
// so updating one inside a training step observes nothing and keeps the
// step one traced region; result() is a tensor, read when it is printed:
//
//   ej::metrics::Mean loss;  ej::metrics::Accuracy acc;
//   for (...) { loss.update_state(l); acc.update_state(labels, logits); }
//   std::cout << loss.result().item<double>() << "\n";
//
// CsvWriter appends one row of scalars per step; write_line_plot_svg draws
// training curves as a standalone SVG file (no external library).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_METRICS_H
#define EJ_METRICS_H

#include "ej/Tensor.h"
#include "ej/Variable.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ej::metrics {

/// The (weighted) mean of every value given so far.
class Mean {
public:
  explicit Mean(std::string name = "mean");
  /// Adds every element of `values` (any shape, any numeric dtype).
  void update_state(const Tensor &values);
  /// Adds values weighted by `sample_weight`, which broadcasts to them.
  void update_state(const Tensor &values, const Tensor &sample_weight);
  /// total / count as a float64 scalar; 0 before any update.
  Tensor result() const;
  void reset_state();
  const std::string &name() const { return name_; }
  /// total and count (non-trainable, float64).
  std::vector<Variable> variables() const { return {total_, count_}; }

private:
  // Moves the totals to the values' device.
  void follow(const Tensor &values);
  std::string name_;
  Variable total_, count_;
};

/// The fraction of predictions equal to their labels. When `predictions`
/// has one axis more than `labels` it holds per-class scores and its argmax
/// over the last axis is the prediction (Keras' SparseCategoricalAccuracy);
/// otherwise the two are compared element by element (Keras' Accuracy).
class Accuracy {
public:
  explicit Accuracy(std::string name = "accuracy");
  void update_state(const Tensor &labels, const Tensor &predictions);
  Tensor result() const { return mean_.result(); }
  void reset_state() { mean_.reset_state(); }
  const std::string &name() const { return mean_.name(); }
  std::vector<Variable> variables() const { return mean_.variables(); }

private:
  Mean mean_;
};

/// Appends rows "step,<value>,..." under a header "step,<column>,..." to a
/// new file, flushing each row so that a running job can be watched.
class CsvWriter {
public:
  CsvWriter(const std::string &path, std::vector<std::string> columns);
  ~CsvWriter();
  CsvWriter(const CsvWriter &) = delete;
  CsvWriter &operator=(const CsvWriter &) = delete;
  /// One value per column; an error if the count differs.
  void write(int64_t step, const std::vector<double> &values);
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::vector<std::string> columns_;
  std::FILE *file_ = nullptr;
};

/// One curve: y against x (NaN or infinite points leave a gap).
struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct PlotOptions {
  std::string title;
  std::string x_label = "step";
  std::string y_label;
  int width = 720, height = 420;
  /// A logarithmic y axis (non-positive values leave gaps).
  bool log_y = false;
};

/// The SVG text of a line plot of `series`: axes with round-number ticks,
/// a grid, one coloured polyline per series and a legend.
std::string line_plot_svg(const std::vector<Series> &series,
                          const PlotOptions &options = {});
/// Writes line_plot_svg(...) to `path` (atomically).
void write_line_plot_svg(const std::string &path,
                         const std::vector<Series> &series,
                         const PlotOptions &options = {});

/// About `count` round tick values (1, 2 or 5 times a power of ten apart)
/// covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int count = 6);

} // namespace ej::metrics

#endif // EJ_METRICS_H
