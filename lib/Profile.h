//===- Profile.h - Where the time goes: EJ_LOG=profile ---------*- C++ -*-===//
//
// With EJ_LOG containing "profile", every op the interpreter runs (cold, or
// between the kernels of a compiled region) and every compiled kernel is
// timed; at exit a table of the largest totals goes to stderr, one line per
// op name or kernel. Off, the cost is one test of a flag per op.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_PROFILE_H
#define EJ_LIB_PROFILE_H

#include <atomic>
#include <chrono>
#include <string>

namespace ej::detail {

/// Whether ops and kernels are timed: EJ_LOG's "profile" (read as the
/// library loads), or set_profiling. One relaxed load: it is on every op's
/// path.
extern std::atomic<bool> g_profiling;
inline bool profiling() { return g_profiling.load(std::memory_order_relaxed); }
void set_profiling(bool on);

/// The table printed at exit (when EJ_LOG asked for it): one line per op
/// or kernel, largest first.
std::string profile_report();

/// Adds `ns` nanoseconds and one call to the line of `label`.
void profile_add(const std::string &label, int64_t ns);

/// Times its scope into the line of `label` (a string that outlives it).
class ProfileScope {
public:
  explicit ProfileScope(const std::string &label)
      : label_(label), start_(std::chrono::steady_clock::now()) {}
  ~ProfileScope() {
    profile_add(label_, std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - start_)
                            .count());
  }
  ProfileScope(const ProfileScope &) = delete;
  ProfileScope &operator=(const ProfileScope &) = delete;

private:
  const std::string &label_;
  std::chrono::steady_clock::time_point start_;
};

} // namespace ej::detail

#endif // EJ_LIB_PROFILE_H
