//===- Profile.cpp - Where the time goes: EJ_LOG=profile -----------------===//
#include "lib/Profile.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ej::detail {

namespace {

struct Line {
  int64_t ns = 0;
  int64_t calls = 0;
};

// Leaked on purpose: ops may run from other threads' exit handlers.
struct Table {
  std::mutex mu;
  std::unordered_map<std::string, Line> lines;
};
Table &table() {
  static Table *t = new Table;
  return *t;
}

bool asked_by_environment() {
  static const bool asked = [] {
    const char *log = std::getenv("EJ_LOG");
    return log && std::string(log).find("profile") != std::string::npos;
  }();
  return asked;
}

void print_table() { std::fputs(profile_report().c_str(), stderr); }

} // namespace

std::atomic<bool> g_profiling{asked_by_environment()};
void set_profiling(bool on) { g_profiling = on; }

std::string profile_report() {
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mu);
  std::vector<std::pair<std::string, Line>> rows(t.lines.begin(),
                                                 t.lines.end());
  std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
    return a.second.ns > b.second.ns;
  });
  int64_t total = 0;
  for (const auto &r : rows)
    total += r.second.ns;
  char line[512];
  std::snprintf(line, sizeof line,
                "[ej profile] %.1f ms in ops and kernels; the largest:\n"
                "[ej profile] %10s %6s %9s %10s  %s\n",
                double(total) / 1e6, "ms", "%", "calls", "us/call", "what");
  std::string out = line;
  for (size_t i = 0; i < rows.size() && i < 40; ++i) {
    const Line &l = rows[i].second;
    std::snprintf(
        line, sizeof line, "[ej profile] %10.2f %6.1f %9lld %10.2f  %s\n",
        double(l.ns) / 1e6, total ? 100.0 * double(l.ns) / double(total) : 0.0,
        static_cast<long long>(l.calls),
        double(l.ns) / 1e3 / double(std::max<int64_t>(l.calls, 1)),
        rows[i].first.c_str());
    out += line;
  }
  return out;
}

void profile_add(const std::string &label, int64_t ns) {
  Table &t = table();
  std::lock_guard<std::mutex> lock(t.mu);
  if (t.lines.empty() && asked_by_environment())
    std::atexit(print_table);
  Line &l = t.lines[label];
  l.ns += ns;
  ++l.calls;
}

} // namespace ej::detail
