//===- Runtime.h - CUDA devices, streams, memory and modules ----*- C++ -*-===//
//
// The library's whole use of the CUDA driver. The driver (libcuda.so.1) is
// opened with dlopen on first use and its entry points looked up with
// dlsym, so the library loads, and runs on the CPU, on machines with no GPU
// and no driver: device_count() is 0 there and nothing else is called.
//
// Each device has one stream. Every kernel launch and every copy the library
// makes on a device goes to that stream, so work on a device runs in the
// order it was issued and a buffer freed on the host can be handed to the
// next allocation at once (its later users are ordered after its earlier
// ones). The host waits only where it reads results: copies to the host
// (observation points) and synchronize().
//
// Every failing driver call becomes an ej::Error that names the call and
// the driver's error: "CUDA error in cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY
// (out of memory)".
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_RUNTIME_H
#define EJ_RUNTIME_CUDA_RUNTIME_H

#include "runtime/cpu/Allocator.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ej::cuda {

/// The number of CUDA devices (0 without a driver, or when cuInit fails).
int device_count();

/// Throws ej::Error naming `call` unless `result` is CUDA_SUCCESS (0).
void check(int result, const char *call);

struct DeviceProperties {
  std::string name;
  int major = 0, minor = 0; // compute capability
  int multiprocessors = 0;
  size_t memory = 0; // bytes
};
/// The properties of device `device` (throws ej::Error past device_count()).
const DeviceProperties &properties(int device);
/// The real architecture NVRTC compiles for: "sm_90" on an H100.
std::string architecture(int device);

/// The stream (a CUstream) this thread's work on the device goes to: the
/// device's own, created on first use in the device's primary context, or
/// the stream of the CUDA graph this thread is capturing there.
void *stream(int device);
/// Waits for all work issued to the device.
void synchronize(int device);
/// Whether the library has started using the device (its context and
/// stream exist): a device not in use has no work to wait for.
bool in_use(int device);

// --- Memory: a caching allocator per device ---

/// A block of device memory of at least `nbytes` bytes, one reference;
/// `data` is a device address, 256-byte aligned, and `device` is set. Freed
/// blocks are cached by size class and reused, never returned to the driver
/// while the program runs, except that an allocation that fails first hands
/// the device's cache back and retries (then throws ej::Error).
runtime::Storage *allocate_storage(int device, size_t nbytes);
/// Called by runtime::release_storage for a device block: caches it.
void release_storage(runtime::Storage *s) noexcept;
/// Bytes held in the device's cache (freed, not yet reused).
size_t cached_bytes(int device);
/// Hands the device's cached blocks back to the driver.
void empty_cache(int device);

// --- Copies, in stream order ---

/// Host to device. Goes through pinned staging buffers; returns once `src`
/// may be reused (the copy itself may still be in flight).
void copy_to_device(int device, void *dst, const void *src, size_t nbytes);
/// Device to host: waits for the work issued before it, then copies.
void copy_to_host(int device, void *dst, const void *src, size_t nbytes);
/// Device to device on the same device, asynchronous.
void copy_on_device(int device, void *dst, const void *src, size_t nbytes);

// --- Kernels ---

/// A loaded kernel (a CUfunction).
using Function = void *;

/// The kernels of one CUDA C source, compiled by NVRTC for the device's
/// architecture (C++17, with kernel_options(): runtime/cuda/Nvrtc.h) when
/// the first is asked for, and loaded while a handle to the module lives:
/// the last handle's release waits for the device's work and unloads it,
/// so that a program making endless new shapes does not keep every fused
/// kernel it ever ran. Cubins are kept on disk in the kernel cache
/// (codegen/KernelCache.h): another process loads them without compiling.
/// A compile error throws ej::Error with NVRTC's log.
class Module {
public:
  Module(int device, std::string source);
  ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  /// The kernel `name` (an `extern "C" __global__` function), valid while
  /// the module lives.
  Function function(const std::string &name);

private:
  int device_;
  std::string source_;
  std::mutex mu_;
  void *handle_ = nullptr; // the CUmodule, once loaded
  std::vector<std::pair<std::string, Function>> functions_;
};

/// The module of `source` on `device`: the one loaded already while a
/// handle to it lives, else a new one.
std::shared_ptr<Module> module(int device, const std::string &source);

/// The kernel `name` of `source`, whose module stays loaded for the
/// process: the interpreter's kernels, one per op, dtype and variant.
Function function(int device, const std::string &source,
                  const std::string &name);

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

// --- Graphs ---

/// The work of a capture, replayed with one launch (see capture()).
class Graph {
public:
  struct State;
  explicit Graph(std::unique_ptr<State> state);
  /// Waits for the device, then frees the graph and gives its blocks back.
  ~Graph();
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;
  /// Replays the captured work on the device's stream.
  void launch();

  /// Finds where the graph's work holds addresses inside the device
  /// buffers `buffers` (each [data, data + bytes)): kernels' arguments (a
  /// pointer, or a pointer inside a struct, as cuBLAS passes its operands)
  /// and copies' ends. Returns false, having kept nothing, when the driver
  /// cannot list a graph's work, or the graph holds work whose addresses
  /// cannot be read or changed (a host callback, a memset into a buffer,
  /// a kernel given its arguments as one block).
  bool
  find_references(const std::vector<std::pair<const void *, size_t>> &buffers);
  /// From the next launch on, the references to buffer k (of those given
  /// to find_references) point into the block at `to` instead, at the same
  /// offsets: a replay reads and writes the caller's buffers, not copies.
  void rebind(size_t k, const void *to);

private:
  std::unique_ptr<State> state_;
};

/// Captures the work `body` issues on the device into a graph, without
/// running it: this thread's work goes to a stream of the capture's own
/// meanwhile, and other threads' work on the device runs as usual, not
/// captured. While `body` runs, this thread's device allocations
/// come from, and its releases go to, blocks the graph owns: a replay
/// writes the buffers the capture saw, which nothing else may be handed
/// meanwhile. Buffers `body` keeps alive (its results) stay the graph's
/// too. Throws ej::Error when the capture fails (`body` threw, or did
/// something a capture cannot hold: a copy from or to the host); the
/// stream is then usable again and nothing of `body` has run.
std::unique_ptr<Graph> capture(int device, const std::function<void()> &body);

/// Kernels the library has launched in this process, on every device
/// (cuBLAS's own launches not counted).
uint64_t launches();
/// Graphs launched, likewise.
uint64_t graph_launches();
/// Copies from the host to a device and within a device, likewise.
uint64_t copies();

/// Launches `f` on the device's stream. `params` points to the kernel's
/// arguments as cuLaunchKernel takes them (an array of pointers to each).
void launch(int device, Function f, Dim3 grid, Dim3 block, unsigned shared,
            void **params);

} // namespace ej::cuda

#endif // EJ_RUNTIME_CUDA_RUNTIME_H
