//===- HostGrid.h - CUDA C run on the host, one fiber per thread -*- C++
//-*-===//
//
// Without a GPU, NVRTC proves that a kernel compiles, not that it computes
// the right thing. HostModule runs the same CUDA C on the host: the host
// C++ compiler builds it after HostGridShim.h into a shared object, and a
// launch runs every block of the grid in turn, each of its threads a fiber
// that runs until it waits at __syncthreads or a warp shuffle. So the
// kernels' indexing, their block and warp reductions and their barriers
// are exercised on real data, and a barrier that not every thread reaches,
// a shuffle that a lane skips, or a write past a buffer's end is an error
// that names the kernel, not a wrong number found later on a device.
//
// What it cannot show: timing, races that the order of threads between
// two barriers would expose (the scheduler runs them in one fixed order),
// and the device's own math library (the host's libm stands for it).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_CUDA_HOSTGRID_H
#define EJ_TEST_CUDA_HOSTGRID_H

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ejtest {

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

/// The order in which a block's runnable threads are resumed. A kernel
/// whose results differ between the two reads what another thread writes
/// without a barrier between them.
enum class ThreadOrder { Ascending, Descending };

/// CUDA C compiled for the host, its kernels ready to launch.
class HostModule {
public:
  /// Compiles `code` (as NVRTC would take it, with the `headers` it
  /// includes by name) and finds its kernels (its `extern "C" __global__`
  /// functions); throws std::runtime_error with the compiler's output when
  /// it does not compile.
  explicit HostModule(
      const std::string &code,
      const std::vector<std::pair<std::string, std::string>> &headers = {});
  ~HostModule();
  HostModule(const HostModule &) = delete;
  HostModule &operator=(const HostModule &) = delete;

  /// Runs `kernel` on a grid of `grid` blocks of `block` threads; `args`
  /// holds a pointer to each argument, as cuLaunchKernel takes them.
  /// Returns the empty string, or what went wrong: a barrier that some
  /// threads of a block skipped, a shuffle that some lanes of a warp did
  /// not reach, or threads that wait forever.
  std::string launch(const std::string &kernel, Dim3 grid, Dim3 block,
                     void **args, ThreadOrder order = ThreadOrder::Ascending);

  /// Whether the module defines `kernel`.
  bool has(const std::string &kernel) const;
  /// The size in bytes of each of `kernel`'s parameters (what a launch's
  /// arguments must be copied as, to be replayed later).
  const std::vector<size_t> &parameterSizes(const std::string &kernel) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The names of the `extern "C" __global__` functions of `code`.
std::vector<std::string> kernelNames(const std::string &code);

/// Memory for a kernel's buffer, laid out so that a stray access shows:
/// its end meets an unmapped page (a read or write past it stops the
/// process with a message naming the address), and the bytes between the
/// end and the next 16-byte boundary, which a vector access could reach,
/// hold a pattern that `intact` checks.
class GuardedBuffer {
public:
  explicit GuardedBuffer(size_t bytes);
  ~GuardedBuffer();
  GuardedBuffer(const GuardedBuffer &) = delete;
  GuardedBuffer &operator=(const GuardedBuffer &) = delete;

  void *data() const { return data_; }
  size_t bytes() const { return bytes_; }
  /// Whether the bytes after the end still hold their pattern.
  bool intact() const;

private:
  void *map_ = nullptr;
  size_t mapped_ = 0;
  void *data_ = nullptr;
  size_t bytes_ = 0;
};

} // namespace ejtest

#endif // EJ_TEST_CUDA_HOSTGRID_H
