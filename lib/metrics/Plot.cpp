//===- Plot.cpp - Line plots of training curves as SVG --------------------===//
//
// A small, dependency-free plotter: data ranges rounded out to "nice"
// ticks (1, 2 or 5 times a power of ten), a grid, one polyline per series
// (broken at NaN, infinite or, on a log axis, non-positive values) and a
// legend. The output is a standalone SVG 1.1 document.
//
//===----------------------------------------------------------------------===//
#include "ej/metrics.h"
#include "lib/checkpoint/Files.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ej::metrics {
namespace {

const char *const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                               "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string label(double v) {
  if (std::fabs(v) < 1e-12)
    v = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

double nice_step(double span, int count) {
  double raw = span / std::max(count - 1, 1);
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  double m = raw / p;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

// An axis: the data range rounded out to ticks.
struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
};

Axis make_axis(double lo, double hi) {
  if (!(lo <= hi)) { // no finite data
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) {
    double pad = std::max(1.0, std::fabs(hi)) * 0.5;
    lo -= pad;
    hi += pad;
  }
  double step = nice_step(hi - lo, 6);
  Axis a;
  a.lo = std::floor(lo / step + 1e-9) * step;
  a.hi = std::ceil(hi / step - 1e-9) * step;
  a.ticks = nice_ticks(a.lo, a.hi, 6);
  return a;
}

} // namespace

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo <= hi))
    throw Error("nice_ticks: expected a finite range lo <= hi, got [" +
                label(lo) + ", " + label(hi) + "]");
  if (hi == lo)
    return {lo};
  double step = nice_step(hi - lo, count);
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9;
       ++k)
    ticks.push_back(k == 0 ? 0 : k * step);
  return ticks;
}

std::string line_plot_svg(const std::vector<Series> &series,
                          const PlotOptions &o) {
  if (o.width < 200 || o.height < 150)
    throw Error("line_plot_svg: the plot must be at least 200x150, got " +
                std::to_string(o.width) + "x" + std::to_string(o.height));
  for (const Series &s : series)
    if (s.x.size() != s.y.size())
      throw Error("line_plot_svg: series '" + s.name + "' has " +
                  std::to_string(s.x.size()) + " x values and " +
                  std::to_string(s.y.size()) + " y values");
  auto usable = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && (!o.log_y || y > 0);
  };
  auto ty = [&](double y) { return o.log_y ? std::log10(y) : y; };
  double inf = std::numeric_limits<double>::infinity();
  double xlo = inf, xhi = -inf, ylo = inf, yhi = -inf;
  for (const Series &s : series)
    for (size_t i = 0; i < s.x.size(); ++i)
      if (usable(s.x[i], s.y[i])) {
        xlo = std::min(xlo, s.x[i]);
        xhi = std::max(xhi, s.x[i]);
        ylo = std::min(ylo, ty(s.y[i]));
        yhi = std::max(yhi, ty(s.y[i]));
      }
  Axis xa = make_axis(xlo, xhi), ya = make_axis(ylo, yhi);

  const double left = 70, right = 20, top = o.title.empty() ? 20 : 40,
               bottom = 50;
  double pw = o.width - left - right, ph = o.height - top - bottom;
  auto px = [&](double x) { return left + (x - xa.lo) / (xa.hi - xa.lo) * pw; };
  auto py = [&](double y) {
    return top + ph - (ty(y) - ya.lo) / (ya.hi - ya.lo) * ph;
  };
  auto py_raw = [&](double v) {
    return top + ph - (v - ya.lo) / (ya.hi - ya.lo) * ph;
  };

  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                    "width=\"" +
                    std::to_string(o.width) + "\" height=\"" +
                    std::to_string(o.height) + "\" viewBox=\"0 0 " +
                    std::to_string(o.width) + " " + std::to_string(o.height) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!o.title.empty())
    svg += "<text x=\"" + num(o.width / 2.0) +
           "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">" +
           escape(o.title) + "</text>\n";
  // Grid and tick labels.
  svg += "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n";
  for (double t : xa.ticks)
    svg += "<line x1=\"" + num(px(t)) + "\" y1=\"" + num(top) + "\" x2=\"" +
           num(px(t)) + "\" y2=\"" + num(top + ph) + "\"/>\n";
  for (double t : ya.ticks)
    svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(py_raw(t)) +
           "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(py_raw(t)) + "\"/>\n";
  svg += "</g>\n<g fill=\"#333333\">\n";
  for (double t : xa.ticks)
    svg += "<text x=\"" + num(px(t)) + "\" y=\"" + num(top + ph + 16) +
           "\" text-anchor=\"middle\">" + label(t) + "</text>\n";
  for (double t : ya.ticks)
    svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(py_raw(t) + 4) +
           "\" text-anchor=\"end\">" + label(o.log_y ? std::pow(10.0, t) : t) +
           "</text>\n";
  svg += "<text x=\"" + num(left + pw / 2) + "\" y=\"" + num(o.height - 10.0) +
         "\" text-anchor=\"middle\">" + escape(o.x_label) + "</text>\n";
  if (!o.y_label.empty())
    svg += "<text transform=\"translate(16 " + num(top + ph / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">" + escape(o.y_label) +
           "</text>\n";
  svg += "</g>\n<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" +
         num(pw) + "\" height=\"" + num(ph) +
         "\" fill=\"none\" stroke=\"#333333\"/>\n";
  // Curves, split at unusable points.
  for (size_t k = 0; k < series.size(); ++k) {
    const Series &s = series[k];
    const char *color = kColors[k % std::size(kColors)];
    std::string points;
    auto flush = [&] {
      if (!points.empty())
        svg += "<polyline fill=\"none\" stroke=\"" + std::string(color) +
               "\" stroke-width=\"1.5\" points=\"" + points + "\"/>\n";
      points.clear();
    };
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!usable(s.x[i], s.y[i])) {
        flush();
        continue;
      }
      points +=
          (points.empty() ? "" : " ") + num(px(s.x[i])) + "," + num(py(s.y[i]));
    }
    flush();
  }
  // Legend, top right inside the plot.
  for (size_t k = 0; k < series.size(); ++k) {
    double y = top + 14 + 16 * double(k);
    double x = left + pw - 130;
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(y - 4) + "\" x2=\"" +
           num(x + 20) + "\" y2=\"" + num(y - 4) + "\" stroke=\"" +
           kColors[k % std::size(kColors)] + "\" stroke-width=\"2\"/>\n";
    svg += "<text x=\"" + num(x + 26) + "\" y=\"" + num(y) + "\">" +
           escape(series[k].name) + "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

void write_line_plot_svg(const std::string &path,
                         const std::vector<Series> &series,
                         const PlotOptions &options) {
  detail::write_file_atomically("write_line_plot_svg", path,
                                line_plot_svg(series, options));
}

} // namespace ej::metrics
