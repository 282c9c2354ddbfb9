//===- Metrics.cpp - Mean, Accuracy and the CSV writer --------------------===//
//
// Metric state is two float64 Variables updated with eager ops, so an
// update is recorded with the step around it and observes nothing.
//
//===----------------------------------------------------------------------===//
#include "ej/metrics.h"
#include "ej/ops.h"
#include "lib/TensorImpl.h"
#include "lib/VariableImpl.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace ej::metrics {

Mean::Mean(std::string name)
    : name_(std::move(name)),
      total_(zeros({}, float64), name_ + "/total", /*trainable=*/false),
      count_(zeros({}, float64), name_ + "/count", /*trainable=*/false) {}

// The totals live where the values they add up do (see move_variable).
void Mean::follow(const Tensor &values) {
  int device = values.impl()->device;
  detail::move_variable(total_.impl(), device);
  detail::move_variable(count_.impl(), device);
}

void Mean::update_state(const Tensor &values) {
  if (!values.defined())
    throw Error(name_ + ".update_state: the values are undefined");
  follow(values);
  total_.assign_add(reduce_sum(cast(values, float64)));
  count_.assign_add(double(values.size()));
}

void Mean::update_state(const Tensor &values, const Tensor &sample_weight) {
  if (!values.defined() || !sample_weight.defined())
    throw Error(name_ + ".update_state: the values or weights are undefined");
  follow(values);
  Tensor w;
  try {
    w = broadcast_to(cast(sample_weight, float64), values.shape());
  } catch (const Error &) {
    throw Error(name_ + ".update_state: the weights " +
                shape_str(sample_weight.shape()) +
                " do not broadcast to the values " + shape_str(values.shape()));
  }
  total_.assign_add(reduce_sum(cast(values, float64) * w));
  count_.assign_add(reduce_sum(w));
}

Tensor Mean::result() const {
  Tensor count = count_.read();
  return where(count != 0, total_.read() / maximum(count, 1e-300), 0.0);
}

void Mean::reset_state() {
  total_.assign(0.0);
  count_.assign(0.0);
}

Accuracy::Accuracy(std::string name) : mean_(std::move(name)) {}

void Accuracy::update_state(const Tensor &labels, const Tensor &predictions) {
  const std::string op = mean_.name() + ".update_state";
  if (!labels.defined() || !predictions.defined())
    throw Error(op + ": the labels or predictions are undefined");
  std::vector<int64_t> ls = labels.shape(), ps = predictions.shape();
  Tensor hits;
  if (ps.size() == ls.size() + 1) {
    if (!is_integer(labels.dtype()))
      throw Error(op + ": labels of class scores must be int32 or int64, got " +
                  dtype_name(labels.dtype()));
    if (std::vector<int64_t>(ps.begin(), ps.end() - 1) != ls)
      throw Error(op + ": scores " + shape_str(ps) +
                  " do not match the labels " + shape_str(ls) +
                  " (expected the labels' shape plus a class axis)");
    hits =
        equal(cast(labels, int64), argmax(predictions, int64_t(ps.size()) - 1));
  } else if (ps == ls) {
    hits = equal(labels, predictions);
  } else {
    throw Error(op + ": predictions " + shape_str(ps) + " and labels " +
                shape_str(ls) +
                " must have the same shape, or the predictions one class "
                "axis more");
  }
  mean_.update_state(hits);
}

CsvWriter::CsvWriter(const std::string &path, std::vector<std::string> columns)
    : path_(path), columns_(std::move(columns)) {
  for (const std::string &c : columns_)
    if (c.find_first_of(",\"\n") != std::string::npos)
      throw Error("CsvWriter: " + path + ": column name '" + c +
                  "' holds a comma, quote or newline");
  file_ = std::fopen(path.c_str(), "w");
  if (!file_)
    throw Error("CsvWriter: " + path + ": cannot create the file (" +
                std::strerror(errno) + ")");
  std::string header = "step";
  for (const std::string &c : columns_)
    header += "," + c;
  std::fprintf(file_, "%s\n", header.c_str());
  std::fflush(file_);
}

CsvWriter::~CsvWriter() {
  if (file_)
    std::fclose(file_);
}

void CsvWriter::write(int64_t step, const std::vector<double> &values) {
  if (values.size() != columns_.size())
    throw Error("CsvWriter: " + path_ + ": expected " +
                std::to_string(columns_.size()) + " values, got " +
                std::to_string(values.size()));
  std::string row = std::to_string(step);
  char buf[32];
  for (double v : values) {
    std::snprintf(buf, sizeof buf, "%.9g", v);
    row += ",";
    row += buf;
  }
  if (std::fprintf(file_, "%s\n", row.c_str()) < 0 || std::fflush(file_) != 0)
    throw Error("CsvWriter: " + path_ + ": cannot write (" +
                std::strerror(errno) + ")");
}

} // namespace ej::metrics
