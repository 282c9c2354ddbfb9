//===- Print.cpp - Printing tensors the way NumPy and TensorFlow do ------===//
//
// `std::cout << t` prints `ej.Tensor(<values>, shape=(2, 2), dtype=int32)`
// with the values formatted as NumPy's str() does: floats in positional
// notation with up to 8 fractional digits (the shortest that round-trips),
// decimal points aligned, scientific notation when the magnitudes call for
// it; rows wrapped at 75 columns; tensors over 1000 elements summarised with
// "..." showing 3 items at each end of every long axis.
//
//===----------------------------------------------------------------------===//
#include "lib/Device.h"
#include "lib/OpSupport.h"
#include "runtime/cpu/Kernels.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <sstream>

namespace ej {
using namespace detail;

namespace {

constexpr int kPrecision = 8;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr size_t kLineWidth = 75;

// Shortest "%.{p}<conv>" (p <= max_p) that reads back as the same T.
template <class T> int shortest_digits(T v, char conv, int max_p) {
  char buf[64];
  char fmt[8] = {'%', '.', '*', conv, 0};
  for (int p = 0; p < max_p; ++p) {
    std::snprintf(buf, sizeof buf, fmt, p, double(v));
    if (static_cast<T>(std::strtod(buf, nullptr)) == v)
      return p;
  }
  return max_p;
}

struct FloatFormat {
  bool exp = false;
  int digits = 0;   // fractional digits (positional) or mantissa digits (exp)
  size_t left = 0;  // width of the part before the '.' (positional)
  size_t right = 0; // width of the part after the '.' (positional)
  size_t width = 0; // width of non-finite values
};

std::string nonfinite(double v) {
  return v != v ? "nan" : v > 0 ? "inf" : "-inf";
}

template <class T> FloatFormat float_format(const std::vector<T> &vals) {
  FloatFormat f;
  double max_abs = 0, min_abs = INFINITY;
  bool any = false;
  for (T v : vals)
    if (std::isfinite(v) && v != 0) {
      max_abs = std::max(max_abs, std::fabs(double(v)));
      min_abs = std::min(min_abs, std::fabs(double(v)));
      any = true;
    }
  if (any)
    f.exp = max_abs >= 1e8 || min_abs < 1e-4 || max_abs / min_abs > 1e3;
  for (T v : vals)
    if (std::isfinite(v))
      f.digits =
          std::max(f.digits, shortest_digits(v, f.exp ? 'e' : 'f', kPrecision));
  if (!f.exp) {
    char buf[64];
    for (T v : vals) {
      if (!std::isfinite(v))
        continue;
      std::snprintf(buf, sizeof buf, "%.*f",
                    shortest_digits(v, 'f', kPrecision), double(v));
      std::string s = buf;
      size_t dot = s.find('.');
      f.left = std::max(f.left, dot == std::string::npos ? s.size() : dot);
      size_t frac = dot == std::string::npos ? 0 : s.size() - dot - 1;
      f.right = std::max(f.right, frac);
    }
  }
  for (T v : vals)
    if (!std::isfinite(v))
      f.width = std::max(f.width, nonfinite(double(v)).size());
  return f;
}

template <class T> std::string format_float(T v, const FloatFormat &f) {
  char buf[64];
  std::string s;
  if (!std::isfinite(v)) {
    s = nonfinite(double(v));
  } else if (f.exp) {
    std::snprintf(buf, sizeof buf, "%.*e", f.digits, double(v));
    s = buf;
    if (f.digits == 0) // NumPy keeps the point: "1.e-05"
      s.insert(s.find('e'), ".");
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", shortest_digits(v, 'f', kPrecision),
                  double(v));
    s = buf;
    size_t dot = s.find('.');
    if (dot == std::string::npos) {
      dot = s.size();
      s += ".";
    }
    size_t frac = s.size() - dot - 1;
    s = std::string(f.left > dot ? f.left - dot : 0, ' ') + s +
        std::string(f.right > frac ? f.right - frac : 0, ' ');
    return s;
  }
  size_t width = f.exp ? 0 : f.left + 1 + f.right;
  width = std::max(width, f.width);
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

// The one-element repr NumPy gives scalars (Python's float repr): the
// shortest digits that round-trip, positional for decimal exponents in
// [-4, 16) with ".0" on integral values, scientific otherwise.
template <class T> std::string format_scalar(T v) {
  if (!std::isfinite(v))
    return nonfinite(double(v));
  char buf[64];
  int max_p = std::is_same_v<T, float> ? 9 : 17;
  int p = 1;
  for (; p < max_p; ++p) {
    std::snprintf(buf, sizeof buf, "%.*e", p - 1, double(v));
    if (static_cast<T>(std::strtod(buf, nullptr)) == v)
      break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", p - 1, double(v));
  const char *e = std::strchr(buf, 'e');
  int exponent = std::atoi(e + 1);
  if (exponent < -4 || exponent >= 16)
    return buf;
  // The shortest digits, placed around the decimal point.
  std::string mantissa(static_cast<const char *>(buf), e), digits;
  for (char c : mantissa)
    if (c >= '0' && c <= '9')
      digits += c;
  std::string s = v < 0 ? "-" : "";
  if (exponent < 0)
    return s + "0." + std::string(size_t(-exponent - 1), '0') + digits;
  size_t point = size_t(exponent) + 1;
  if (digits.size() <= point)
    return s + digits + std::string(point - digits.size(), '0') + ".0";
  return s + digits.substr(0, point) + "." + digits.substr(point);
}

// Which indices of an axis of length n are shown.
std::vector<int64_t> shown(int64_t n, bool summarise) {
  std::vector<int64_t> idx;
  if (summarise && n > 2 * kEdgeItems) {
    for (int64_t i = 0; i < kEdgeItems; ++i)
      idx.push_back(i);
    idx.push_back(-1); // the "..."
    for (int64_t i = n - kEdgeItems; i < n; ++i)
      idx.push_back(i);
  } else {
    for (int64_t i = 0; i < n; ++i)
      idx.push_back(i);
  }
  return idx;
}

class Printer {
public:
  Printer(const TensorImpl *t, std::vector<std::string> cells, bool summarise)
      : t_(t), cells_(std::move(cells)), summarise_(summarise) {}

  std::string print() {
    std::string out;
    size_t k = 0;
    block(out, 0, k);
    return out;
  }

private:
  // Prints axis `depth`; `k` walks the formatted cells in order.
  void block(std::string &out, int depth, size_t &k) {
    int rank = t_->rank;
    std::vector<int64_t> idx = shown(t_->shape[depth], summarise_);
    std::string indent(size_t(depth + 1), ' ');
    out += '[';
    if (depth == rank - 1) {
      size_t line_start = out.rfind('\n');
      line_start = line_start == std::string::npos ? 0 : line_start + 1;
      for (size_t i = 0; i < idx.size(); ++i) {
        std::string cell = idx[i] < 0 ? "..." : cells_[k++];
        if (i > 0) {
          if (out.size() - line_start + 1 + cell.size() + 1 > kLineWidth) {
            out += '\n';
            line_start = out.size();
            out += indent;
          } else {
            out += ' ';
          }
        }
        out += cell;
      }
    } else {
      for (size_t i = 0; i < idx.size(); ++i) {
        if (i > 0) {
          out += std::string(size_t(rank - depth - 1), '\n');
          out += indent;
        }
        if (idx[i] < 0) {
          out += "...";
          continue;
        }
        block(out, depth + 1, k);
      }
    }
    out += ']';
  }

  const TensorImpl *t_;
  std::vector<std::string> cells_;
  bool summarise_;
};

// The shown elements in row-major order.
template <class T>
std::vector<T> shown_values(const TensorImpl *t, bool summarise) {
  std::vector<T> out;
  std::vector<std::vector<int64_t>> axes;
  for (int d = 0; d < t->rank; ++d) {
    std::vector<int64_t> idx;
    for (int64_t i : shown(t->shape[d], summarise))
      if (i >= 0)
        idx.push_back(i);
    axes.push_back(idx);
  }
  for (auto &a : axes)
    if (a.empty())
      return out;
  std::vector<size_t> pos(size_t(t->rank), 0);
  const T *base = t->data_as<T>();
  for (;;) {
    int64_t off = 0;
    for (int d = 0; d < t->rank; ++d)
      off += axes[d][pos[d]] * t->strides[d];
    out.push_back(base[off]);
    int d = t->rank - 1;
    for (; d >= 0; --d) {
      if (++pos[d] < axes[d].size())
        break;
      pos[d] = 0;
    }
    if (d < 0)
      break;
  }
  return out;
}

std::string values_str(const TensorImpl *t) {
  bool summarise = t->numel > kThreshold;
  std::vector<std::string> cells;
  std::string scalar;
  runtime::dispatch<runtime::math::kAll>(t->dtype, "print", [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> vals = shown_values<T>(t, summarise);
    if constexpr (std::is_floating_point_v<T>) {
      if (t->rank == 0) {
        scalar = format_scalar(vals[0]);
        return;
      }
      FloatFormat f = float_format(vals);
      for (T v : vals)
        cells.push_back(format_float(v, f));
    } else {
      for (T v : vals) {
        if constexpr (std::is_same_v<T, bool>)
          cells.push_back(v ? "True" : "False");
        else
          cells.push_back(std::to_string(v));
      }
      if (t->rank == 0) {
        scalar = cells[0];
        return;
      }
      size_t w = 0;
      for (auto &c : cells)
        w = std::max(w, c.size());
      for (auto &c : cells)
        c = std::string(w - c.size(), ' ') + c;
    }
  });
  if (t->rank == 0)
    return scalar;
  for (int d = 0; d < t->rank; ++d)
    if (t->shape[d] == 0)
      return std::string(size_t(t->rank), '[') +
             std::string(size_t(t->rank), ']');
  return Printer(t, std::move(cells), summarise).print();
}

} // namespace

std::string Tensor::str() const {
  if (!defined())
    return "ej.Tensor(undefined)";
  TensorImpl *impl = need_value(*this, "print", "self");
  // A tensor on a GPU is printed from a host copy, and says where it lives.
  Tensor host = transfer(impl, runtime::kHost);
  const TensorImpl *t = host.impl();
  std::string v = values_str(t);
  std::string s = "ej.Tensor(";
  if (v.find('\n') != std::string::npos)
    s += '\n';
  std::string where = impl->device == runtime::kHost
                          ? ""
                          : ", device=" + device_name(impl->device);
  return s + v + ", shape=" + shape_of(t) + ", dtype=" + dtype_name(t->dtype) +
         where + ")";
}

std::ostream &operator<<(std::ostream &os, const Tensor &t) {
  return os << t.str();
}

} // namespace ej
