//===- Runtime.cpp - CUDA devices, streams, memory and modules ------------===//
//
// The driver's entry points are declared here with their C signatures and
// looked up with dlsym under the versioned names that cuda.h maps its calls
// to (cuMemAlloc_v2, ...), so that this file compiles without the toolkit's
// headers and the library never links libcuda. A device's state -- its
// primary context, its stream, its free lists, its staging buffers, its
// table of loaded modules -- is made on first use and lives until the
// process ends: tensors may release their blocks from destructors that run
// during exit. A module lives while a handle to it does.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Runtime.h"
#include "runtime/cuda/DriverTypes.h"
#include "runtime/cuda/Library.h"

#include "codegen/KernelCache.h"
#include "ej/Error.h"
#include "runtime/cuda/Nvrtc.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ej::cuda {

namespace {

// The driver's types, as cuda.h declares them (64-bit builds).
using CUresult = int; // 0 is CUDA_SUCCESS
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUgraph = struct CUgraph_st *;
using CUgraphExec = struct CUgraphExec_st *;
using CUgraphNode = struct CUgraphNode_st *;

using namespace driver_types; // the graph nodes' types (DriverTypes.h)

// The enum values used, with their names in cuda.h.
constexpr CUresult kOutOfMemory = 2; // CUDA_ERROR_OUT_OF_MEMORY
// CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, ..._COMPUTE_CAPABILITY_MAJOR and
// ..._COMPUTE_CAPABILITY_MINOR.
constexpr int kMultiprocessorCount = 16, kCapabilityMajor = 75,
              kCapabilityMinor = 76;
constexpr unsigned kStreamNonBlocking = 0x1;  // CU_STREAM_NON_BLOCKING
constexpr unsigned kEventDisableTiming = 0x2; // CU_EVENT_DISABLE_TIMING
// CU_STREAM_CAPTURE_MODE_RELAXED: a capture does not forbid other threads'
// (or this one's) calls such as cuMemAlloc; what cannot be captured (a
// synchronization) still fails the capture.
constexpr int kCaptureRelaxed = 2;

struct Driver {
  void *lib = nullptr;
  // Optional: check() names errors with them where the driver has them.
  CUresult (*getErrorName)(CUresult, const char **) = nullptr;
  CUresult (*getErrorString)(CUresult, const char **) = nullptr;

  CUresult (*init)(unsigned) = nullptr;
  CUresult (*deviceGetCount)(int *) = nullptr;
  CUresult (*deviceGet)(CUdevice *, int) = nullptr;
  CUresult (*deviceGetName)(char *, int, CUdevice) = nullptr;
  CUresult (*deviceGetAttribute)(int *, int, CUdevice) = nullptr;
  CUresult (*deviceTotalMem)(size_t *, CUdevice) = nullptr;
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice) = nullptr;
  CUresult (*ctxGetCurrent)(CUcontext *) = nullptr;
  CUresult (*ctxSetCurrent)(CUcontext) = nullptr;
  CUresult (*streamCreate)(CUstream *, unsigned) = nullptr;
  CUresult (*streamDestroy)(CUstream) = nullptr;
  CUresult (*streamSynchronize)(CUstream) = nullptr;
  CUresult (*eventCreate)(CUevent *, unsigned) = nullptr;
  CUresult (*eventRecord)(CUevent, CUstream) = nullptr;
  CUresult (*eventSynchronize)(CUevent) = nullptr;
  CUresult (*memAlloc)(CUdeviceptr *, size_t) = nullptr;
  CUresult (*memFree)(CUdeviceptr) = nullptr;
  CUresult (*memHostAlloc)(void **, size_t, unsigned) = nullptr;
  CUresult (*memcpyHtoDAsync)(CUdeviceptr, const void *, size_t,
                              CUstream) = nullptr;
  CUresult (*memcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream) = nullptr;
  CUresult (*memcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t,
                              CUstream) = nullptr;
  CUresult (*moduleLoadData)(CUmodule *, const void *) = nullptr;
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule, const char *) = nullptr;
  CUresult (*moduleUnload)(CUmodule) = nullptr;
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **) = nullptr;
  CUresult (*streamBeginCapture)(CUstream, int) = nullptr;
  CUresult (*streamEndCapture)(CUstream, CUgraph *) = nullptr;
  CUresult (*graphInstantiate)(CUgraphExec *, CUgraph,
                               unsigned long long) = nullptr;
  CUresult (*graphLaunch)(CUgraphExec, CUstream) = nullptr;
  CUresult (*graphExecDestroy)(CUgraphExec) = nullptr;
  CUresult (*graphDestroy)(CUgraph) = nullptr;
  // Optional: a graph's work listed and its addresses changed
  // (Graph::find_references); without them a graph replays as captured.
  CUresult (*graphGetNodes)(CUgraph, CUgraphNode *, size_t *) = nullptr;
  CUresult (*graphNodeGetType)(CUgraphNode, int *) = nullptr;
  CUresult (*graphKernelNodeGetParams)(CUgraphNode,
                                       KernelNodeParams *) = nullptr;
  // cuFuncGetParamInfo (a CUfunction) and cuKernelGetParamInfo (a CUkernel).
  CUresult (*funcGetParamInfo)(void *, size_t, size_t *, size_t *) = nullptr;
  CUresult (*kernelGetParamInfo)(void *, size_t, size_t *, size_t *) = nullptr;
  CUresult (*graphExecKernelNodeSetParams)(CUgraphExec, CUgraphNode,
                                           const KernelNodeParams *) = nullptr;
  CUresult (*graphMemcpyNodeGetParams)(CUgraphNode, Memcpy3D *) = nullptr;
  CUresult (*graphExecMemcpyNodeSetParams)(CUgraphExec, CUgraphNode,
                                           const Memcpy3D *,
                                           CUcontext) = nullptr;
  CUresult (*graphMemsetNodeGetParams)(CUgraphNode, MemsetParams *) = nullptr;

  int count = 0;      // devices, once all of the above were found
  std::string absent; // why count is 0
};

// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)", or the number when there is
// no driver to name it.
std::string describe(const Driver &api, CUresult r) {
  const char *name = nullptr, *text = nullptr;
  if (!api.getErrorName || api.getErrorName(r, &name) != 0 || !name)
    return "CUDA error " + std::to_string(r);
  std::string s = name;
  if (api.getErrorString && api.getErrorString(r, &text) == 0 && text)
    s += std::string(" (") + text + ")";
  return s;
}

Driver *load_driver() {
  auto *api = new Driver;
  api->lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!api->lib) {
    const char *why = dlerror();
    api->absent = why ? why : "libcuda.so.1 could not be loaded";
    return api;
  }
  find_symbol(api->lib, "cuGetErrorName", api->getErrorName);
  find_symbol(api->lib, "cuGetErrorString", api->getErrorString);
  find_symbol(api->lib, "cuGraphGetNodes", api->graphGetNodes);
  find_symbol(api->lib, "cuGraphNodeGetType", api->graphNodeGetType);
  find_symbol(api->lib, "cuGraphKernelNodeGetParams_v2",
              api->graphKernelNodeGetParams);
  find_symbol(api->lib, "cuFuncGetParamInfo", api->funcGetParamInfo);
  find_symbol(api->lib, "cuKernelGetParamInfo", api->kernelGetParamInfo);
  find_symbol(api->lib, "cuGraphExecKernelNodeSetParams_v2",
              api->graphExecKernelNodeSetParams);
  find_symbol(api->lib, "cuGraphMemcpyNodeGetParams",
              api->graphMemcpyNodeGetParams);
  find_symbol(api->lib, "cuGraphExecMemcpyNodeSetParams",
              api->graphExecMemcpyNodeSetParams);
  find_symbol(api->lib, "cuGraphMemsetNodeGetParams",
              api->graphMemsetNodeGetParams);
  const char *missing = nullptr;
  auto need = [&](const char *name, auto &fn) {
    if (!missing && !find_symbol(api->lib, name, fn))
      missing = name;
  };
  need("cuInit", api->init);
  need("cuDeviceGetCount", api->deviceGetCount);
  need("cuDeviceGet", api->deviceGet);
  need("cuDeviceGetName", api->deviceGetName);
  need("cuDeviceGetAttribute", api->deviceGetAttribute);
  need("cuDeviceTotalMem_v2", api->deviceTotalMem);
  need("cuDevicePrimaryCtxRetain", api->primaryCtxRetain);
  need("cuCtxGetCurrent", api->ctxGetCurrent);
  need("cuCtxSetCurrent", api->ctxSetCurrent);
  need("cuStreamCreate", api->streamCreate);
  need("cuStreamDestroy_v2", api->streamDestroy);
  need("cuStreamSynchronize", api->streamSynchronize);
  need("cuEventCreate", api->eventCreate);
  need("cuEventRecord", api->eventRecord);
  need("cuEventSynchronize", api->eventSynchronize);
  need("cuMemAlloc_v2", api->memAlloc);
  need("cuMemFree_v2", api->memFree);
  need("cuMemHostAlloc", api->memHostAlloc);
  need("cuMemcpyHtoDAsync_v2", api->memcpyHtoDAsync);
  need("cuMemcpyDtoHAsync_v2", api->memcpyDtoHAsync);
  need("cuMemcpyDtoDAsync_v2", api->memcpyDtoDAsync);
  need("cuModuleLoadData", api->moduleLoadData);
  need("cuModuleGetFunction", api->moduleGetFunction);
  need("cuModuleUnload", api->moduleUnload);
  need("cuLaunchKernel", api->launchKernel);
  need("cuStreamBeginCapture_v2", api->streamBeginCapture);
  need("cuStreamEndCapture", api->streamEndCapture);
  need("cuGraphInstantiateWithFlags", api->graphInstantiate);
  need("cuGraphLaunch", api->graphLaunch);
  need("cuGraphExecDestroy", api->graphExecDestroy);
  need("cuGraphDestroy", api->graphDestroy);
  if (missing) {
    api->absent = std::string("the CUDA driver has no ") + missing +
                  "; it is older than this library needs";
    return api;
  }
  if (CUresult r = api->init(0)) {
    api->absent = "cuInit failed: " + describe(*api, r);
    return api;
  }
  int n = 0;
  if (CUresult r = api->deviceGetCount(&n)) {
    api->absent = "cuDeviceGetCount failed: " + describe(*api, r);
    return api;
  }
  if (n <= 0)
    api->absent = "the CUDA driver found no device";
  else
    api->count = n;
  return api;
}

// Loaded once, on first use; never unloaded (see the file comment).
const Driver &driver() {
  static const Driver *api = load_driver();
  return *api;
}

// The module of one CUDA C source on one device: its cubin, loaded once,
// and the kernels looked up in it.
constexpr int kStagingBuffers = 2;

struct Device {
  CUdevice handle = 0;
  DeviceProperties properties;
  std::string arch;

  std::once_flag started;
  std::atomic<bool> opened{false}; // set once `started` has run
  CUcontext context = nullptr;
  CUstream stream = nullptr;

  // Freed blocks by size class; `held` counts all the bytes taken from the
  // driver, `cached` those of them in the free lists.
  std::mutex memory;
  std::vector<runtime::Storage *> free[runtime::kNumSizeClasses];
  size_t cached = 0, held = 0;

  // Pinned buffers that copies from and to the host go through, used in
  // turn; each has the event recorded after the last copy that used it.
  std::mutex staging;
  void *buffers[kStagingBuffers] = {};
  CUevent copied[kStagingBuffers] = {};
  int next = 0;

  // The loaded modules by CUDA C source (entries of unloaded ones are
  // dropped as the table grows), and those loaded for good (function()).
  std::mutex modulesMu;
  std::unordered_map<std::string, std::weak_ptr<Module>> modules;
  size_t modulesSwept = 0;
  std::vector<std::shared_ptr<Module>> kept;
};

std::string gpu(int device) { return "gpu:" + std::to_string(device); }

std::unique_ptr<Device> describe_device(const Driver &api, int index) {
  auto d = std::make_unique<Device>();
  check(api.deviceGet(&d->handle, index), "cuDeviceGet");
  char name[256] = {};
  check(api.deviceGetName(name, int(sizeof name), d->handle),
        "cuDeviceGetName");
  DeviceProperties &p = d->properties;
  p.name = name;
  check(api.deviceGetAttribute(&p.major, kCapabilityMajor, d->handle),
        "cuDeviceGetAttribute");
  check(api.deviceGetAttribute(&p.minor, kCapabilityMinor, d->handle),
        "cuDeviceGetAttribute");
  check(api.deviceGetAttribute(&p.multiprocessors, kMultiprocessorCount,
                               d->handle),
        "cuDeviceGetAttribute");
  check(api.deviceTotalMem(&p.memory, d->handle), "cuDeviceTotalMem_v2");
  d->arch = "sm_" + std::to_string(p.major) + std::to_string(p.minor);
  return d;
}

const std::vector<Device *> &devices() {
  static const std::vector<Device *> *all = [] {
    const Driver &api = driver();
    std::vector<std::unique_ptr<Device>> made;
    for (int i = 0; i < api.count; ++i)
      made.push_back(describe_device(api, i));
    auto *table = new std::vector<Device *>;
    for (std::unique_ptr<Device> &d : made)
      table->push_back(d.release());
    return table;
  }();
  return *all;
}

// The device's state, without touching its context.
Device &at(int device) {
  const std::vector<Device *> &all = devices();
  if (device >= 0 && size_t(device) < all.size())
    return *all[size_t(device)];
  if (all.empty())
    throw Error(gpu(device) + " requested but no CUDA device is present (" +
                driver().absent + ")");
  size_t n = all.size();
  throw Error(gpu(device) + " requested but only " + std::to_string(n) +
              " CUDA device" + (n == 1 ? " is" : "s are") + " present (gpu:0" +
              (n == 1 ? "" : " to " + gpu(int(n) - 1)) + ")");
}

// The current context is per-thread driver state that other code in the
// process (a library on the CUDA runtime) may change too, so it is asked
// for, which is cheap, rather than remembered.
void make_current(const Device &d) {
  const Driver &api = driver();
  CUcontext current = nullptr;
  check(api.ctxGetCurrent(&current), "cuCtxGetCurrent");
  if (current != d.context)
    check(api.ctxSetCurrent(d.context), "cuCtxSetCurrent");
}

// For destructors, which must not throw: makes the device's context current
// and waits for its stream. A failure (the driver shutting down at exit)
// leaves nothing to wait for.
void finish_quietly(const Device &d) {
  const Driver &api = driver();
  CUcontext current = nullptr;
  if (api.ctxGetCurrent(&current) == 0 && current != d.context)
    api.ctxSetCurrent(d.context);
  api.streamSynchronize(d.stream);
}

// The device, started, with its context current on the calling thread.
Device &open(int device) {
  Device &d = at(device);
  std::call_once(d.started, [&d] {
    const Driver &api = driver();
    // The primary context is the one the CUDA runtime uses: libraries built
    // on it (cuBLAS) share our memory and stream.
    check(api.primaryCtxRetain(&d.context, d.handle),
          "cuDevicePrimaryCtxRetain");
    check(api.ctxSetCurrent(d.context), "cuCtxSetCurrent");
    // Non-blocking: work that other code puts on the legacy default stream
    // does not wait for ours, nor ours for it.
    check(api.streamCreate(&d.stream, kStreamNonBlocking), "cuStreamCreate");
    d.opened.store(true);
  });
  make_current(d);
  return d;
}

CUdeviceptr address(const void *p) { return reinterpret_cast<CUdeviceptr>(p); }

// Hands the free lists' blocks back to the driver; d.memory is held and the
// context current. A block freed on the host may still be used by work
// queued on the stream, which must finish first.
void return_cache(Device &d) {
  if (d.cached == 0)
    return;
  const Driver &api = driver();
  check(api.streamSynchronize(d.stream), "cuStreamSynchronize");
  for (uint32_t c = 0; c < runtime::kNumSizeClasses; ++c) {
    std::vector<runtime::Storage *> &list = d.free[c];
    while (!list.empty()) {
      std::unique_ptr<runtime::Storage> s(list.back());
      list.pop_back();
      d.cached -= s->capacity;
      d.held -= s->capacity;
      check(api.memFree(address(s->data)), "cuMemFree_v2");
    }
  }
}

// The smallest block. Smaller ones would save no memory worth having, and
// one class for all small tensors (scalars, biases) lets them reuse each
// other's blocks.
constexpr size_t kSmallestBlock = 512;

} // namespace

int device_count() { return driver().count; }

void check(int result, const char *call) {
  if (result != 0)
    throw Error(std::string("CUDA error in ") + call + ": " +
                describe(driver(), result));
}

const DeviceProperties &properties(int device) { return at(device).properties; }

std::string architecture(int device) { return at(device).arch; }

bool in_use(int device) { return at(device).opened.load(); }

namespace {
// What launches(), graph_launches() and copies() count.
std::atomic<uint64_t> launch_count{0}, graph_count{0}, copy_count{0};
} // namespace

// --- Memory ---
//
// Every use of a device's memory by the library is ordered on the device's
// one stream, so a block released on the host can be handed out again at
// once: whatever the next owner queues runs after what the last one queued.

namespace {

// The blocks a capture's graph replays into (see capture()): while this
// thread captures on `device`, its allocations there come from `free`
// first and its releases go there, so that nothing outside the graph is
// handed them; the graph gives them back when it is destroyed. Its work
// goes to `stream`, the capture's own: other threads' work on the
// device's stream runs, uncaptured, meanwhile. (The graph replays on the
// device's stream, in order with everything else.)
struct CapturePool {
  int device = -1;
  CUstream stream = nullptr;
  std::vector<runtime::Storage *> free[runtime::kNumSizeClasses];
};
thread_local CapturePool *capturing = nullptr;

// Where this thread's work on `device` goes: the device's stream, or the
// stream it is capturing.
CUstream work_stream(const Device &d, int device) {
  return capturing && capturing->device == device ? capturing->stream
                                                  : d.stream;
}

} // namespace

void *stream(int device) {
  Device &d = open(device);
  return work_stream(d, device);
}

void synchronize(int device) {
  // On a capturing thread this is an error (the stream captures), which
  // ends the capture: the values it would wait for are not computed.
  Device &d = open(device);
  check(driver().streamSynchronize(work_stream(d, device)),
        "cuStreamSynchronize");
}

runtime::Storage *allocate_storage(int device, size_t nbytes) {
  Device &d = open(device);
  if (capturing && capturing->device == device) {
    uint32_t c = runtime::size_class_of(std::max(nbytes, kSmallestBlock));
    std::vector<runtime::Storage *> &own = capturing->free[c];
    if (!own.empty()) {
      runtime::Storage *s = own.back();
      own.pop_back();
      s->refs.store(1, std::memory_order_relaxed);
      return s;
    }
  }
  size_t memory = d.properties.memory;
  if (nbytes > memory)
    throw Error("cannot allocate " + std::to_string(nbytes) + " bytes on " +
                gpu(device) + ": the device has " + std::to_string(memory));
  uint32_t c = runtime::size_class_of(std::max(nbytes, kSmallestBlock));
  size_t bytes = runtime::size_class_bytes(c);
  std::lock_guard<std::mutex> lock(d.memory);
  runtime::Storage *s = nullptr;
  if (!d.free[c].empty()) {
    s = d.free[c].back();
    d.free[c].pop_back();
    d.cached -= bytes;
  } else {
    const Driver &api = driver();
    auto block = std::make_unique<runtime::Storage>();
    CUdeviceptr p = 0;
    CUresult r = api.memAlloc(&p, bytes);
    if (r == kOutOfMemory && d.cached > 0) {
      // The cache may hold what this allocation needs, in other classes.
      return_cache(d);
      r = api.memAlloc(&p, bytes);
    }
    if (r != 0)
      throw Error("CUDA error in cuMemAlloc_v2: " + describe(api, r) +
                  ": cannot allocate " + std::to_string(nbytes) + " bytes on " +
                  gpu(device) + ", where tensors hold " +
                  std::to_string(d.held - d.cached) + " bytes");
    d.held += bytes;
    s = block.release();
    s->size_class = c;
    s->capacity = bytes;
    s->data = reinterpret_cast<void *>(p);
    s->device = device;
  }
  s->refs.store(1, std::memory_order_relaxed);
  return s;
}

void release_storage(runtime::Storage *s) noexcept {
  if (capturing && capturing->device == s->device) {
    capturing->free[s->size_class].push_back(s);
    return;
  }
  Device &d = *devices()[size_t(s->device)];
  std::lock_guard<std::mutex> lock(d.memory);
  d.free[s->size_class].push_back(s);
  d.cached += s->capacity;
}

size_t cached_bytes(int device) {
  Device &d = at(device);
  std::lock_guard<std::mutex> lock(d.memory);
  return d.cached;
}

void empty_cache(int device) {
  Device &d = at(device);
  std::lock_guard<std::mutex> lock(d.memory);
  // Blocks in the cache mean the device was started.
  if (d.cached == 0)
    return;
  make_current(d);
  return_cache(d);
}

// --- Copies ---

namespace {

// Large enough that a transfer runs at the bus's speed; a copy larger than
// one goes in pieces, through the buffers in turn.
constexpr size_t kStagingBytes = size_t(4) << 20;

// Made on first use; d.staging is held and the context current.
void open_staging(Device &d) {
  const Driver &api = driver();
  for (int b = 0; b < kStagingBuffers; ++b) {
    if (!d.buffers[b]) {
      void *p = nullptr;
      check(api.memHostAlloc(&p, kStagingBytes, 0), "cuMemHostAlloc");
      d.buffers[b] = p;
    }
    if (!d.copied[b]) {
      CUevent e = nullptr;
      check(api.eventCreate(&e, kEventDisableTiming), "cuEventCreate");
      d.copied[b] = e;
    }
  }
}

} // namespace

void copy_to_device(int device, void *dst, const void *src, size_t nbytes) {
  Device &d = open(device);
  if (nbytes == 0)
    return;
  // A graph would read the staging buffer when replayed, long after this
  // copy's data has been replaced there.
  if (capturing && capturing->device == device)
    throw Error("a copy from the host cannot be part of a CUDA graph");
  const Driver &api = driver();
  copy_count.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(d.staging);
  open_staging(d);
  for (size_t done = 0; done < nbytes;) {
    size_t n = std::min(kStagingBytes, nbytes - done);
    int b = d.next;
    d.next = (b + 1) % kStagingBuffers;
    // The buffer's last transfer must have read it before it is refilled;
    // after that, `src` is no longer needed.
    check(api.eventSynchronize(d.copied[b]), "cuEventSynchronize");
    std::memcpy(d.buffers[b], static_cast<const char *>(src) + done, n);
    check(api.memcpyHtoDAsync(address(dst) + done, d.buffers[b], n, d.stream),
          "cuMemcpyHtoDAsync_v2");
    check(api.eventRecord(d.copied[b], d.stream), "cuEventRecord");
    done += n;
  }
}

void copy_to_host(int device, void *dst, const void *src, size_t nbytes) {
  Device &d = open(device);
  if (nbytes == 0)
    return;
  if (capturing && capturing->device == device)
    throw Error("a copy to the host cannot be part of a CUDA graph");
  const Driver &api = driver();
  std::lock_guard<std::mutex> lock(d.staging);
  open_staging(d);
  // While a piece is on its way into one buffer, the host copies the one
  // before out of the other. Stream order keeps a transfer into a buffer
  // behind the transfers that read it before.
  struct Piece {
    int buffer = -1;
    size_t offset = 0, size = 0;
  } pending;
  auto drain = [&](const Piece &p) {
    check(api.eventSynchronize(d.copied[p.buffer]), "cuEventSynchronize");
    std::memcpy(static_cast<char *>(dst) + p.offset, d.buffers[p.buffer],
                p.size);
  };
  for (size_t done = 0; done < nbytes;) {
    Piece p{d.next, done, std::min(kStagingBytes, nbytes - done)};
    d.next = (p.buffer + 1) % kStagingBuffers;
    check(api.memcpyDtoHAsync(d.buffers[p.buffer], address(src) + done, p.size,
                              d.stream),
          "cuMemcpyDtoHAsync_v2");
    check(api.eventRecord(d.copied[p.buffer], d.stream), "cuEventRecord");
    if (pending.buffer >= 0)
      drain(pending);
    pending = p;
    done += p.size;
  }
  drain(pending);
}

void copy_on_device(int device, void *dst, const void *src, size_t nbytes) {
  Device &d = open(device);
  if (nbytes == 0)
    return;
  copy_count.fetch_add(1, std::memory_order_relaxed);
  check(driver().memcpyDtoDAsync(address(dst), address(src), nbytes,
                                 work_stream(d, device)),
        "cuMemcpyDtoDAsync_v2");
}

// --- Kernels ---

namespace {

// The disk cache's key of the cubin of `source` for `arch`: everything that
// makes the cubin, so that no process loads one another compiler made.
std::string cubin_key(const std::string &arch, const std::string &source) {
  llvm::SHA256 hash;
  auto field = [&](llvm::StringRef f) {
    hash.update(f);
    hash.update(llvm::StringRef("\0", 1)); // fields end unambiguously
  };
  field("cuda");
  field(arch);
  field(nvrtc_version());
  for (const std::string &o : kernel_options())
    field(o);
  field(source);
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

std::string milliseconds(std::chrono::steady_clock::duration t) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f",
                std::chrono::duration<double, std::milli>(t).count());
  return text;
}

// The module of `source` (named after `name`, its first kernel asked for),
// from the disk cache or compiled; the context is current.
CUmodule load_module(const Device &d, const std::string &source,
                     const std::string &name) {
  const Driver &api = driver();
  std::string dir = ::mlir::ej::kernelCacheDirectory(), key;
  if (!dir.empty()) {
    key = cubin_key(d.arch, source);
    if (std::unique_ptr<llvm::MemoryBuffer> cubin =
            ::mlir::ej::readCachedKernel(dir, key)) {
      CUmodule m = nullptr;
      CUresult r = api.moduleLoadData(&m, cubin->getBufferStart());
      if (r == 0) {
        ::mlir::ej::logJit("cuda kernel " + name + " for " + d.arch +
                           " loaded from the disk cache");
        return m;
      }
      ::mlir::ej::logJit("cuda kernel " + name + ": the disk cache's cubin " +
                         key.substr(0, 16) + " does not load (" +
                         describe(api, r) + "), compiling again");
    }
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<char> cubin =
      compile_to_cubin(source, name + ".cu", d.arch, kernel_options());
  CUmodule m = nullptr;
  check(api.moduleLoadData(&m, cubin.data()), "cuModuleLoadData");
  ::mlir::ej::logJit(
      "cuda kernel " + name + " compiled for " + d.arch +
      " (ms): " + milliseconds(std::chrono::steady_clock::now() - start));
  // Only a cubin that loaded is kept.
  if (!dir.empty())
    ::mlir::ej::writeCachedKernel(dir, key,
                                  std::string(cubin.begin(), cubin.end()));
  return m;
}

// Kernels' names, for launch errors.
struct Names {
  std::mutex mu;
  std::unordered_map<CUfunction, std::string> of;
};

Names &names() {
  static Names *n = new Names;
  return *n;
}

std::string name_of(CUfunction f) {
  Names &n = names();
  std::lock_guard<std::mutex> lock(n.mu);
  auto it = n.of.find(f);
  return it == n.of.end() ? "(not from cuda::function)" : it->second;
}

std::string str(Dim3 d) {
  return "(" + std::to_string(d.x) + ", " + std::to_string(d.y) + ", " +
         std::to_string(d.z) + ")";
}

} // namespace

Module::Module(int device, std::string source)
    : device_(device), source_(std::move(source)) {}

Module::~Module() {
  if (!handle_)
    return;
  const Driver &api = driver();
  Device &d = *devices()[size_t(device_)];
  {
    Names &n = names();
    std::lock_guard<std::mutex> lock(n.mu);
    for (const auto &f : functions_)
      n.of.erase(static_cast<CUfunction>(f.second));
  }
  // Its kernels may still be queued.
  finish_quietly(d);
  api.moduleUnload(static_cast<CUmodule>(handle_));
}

Function Module::function(const std::string &name) {
  Device &d = open(device_);
  // Compiling takes a while: only the threads that want this source wait.
  std::lock_guard<std::mutex> lock(mu_);
  if (!handle_)
    handle_ = load_module(d, source_, name);
  for (const auto &f : functions_)
    if (f.first == name)
      return f.second;
  CUfunction f = nullptr;
  check(driver().moduleGetFunction(&f, static_cast<CUmodule>(handle_),
                                   name.c_str()),
        ("cuModuleGetFunction (kernel " + name + ")").c_str());
  functions_.emplace_back(name, f);
  Names &n = names();
  std::lock_guard<std::mutex> named(n.mu);
  n.of.emplace(f, name);
  return f;
}

std::shared_ptr<Module> module(int device, const std::string &source) {
  Device &d = open(device);
  std::lock_guard<std::mutex> lock(d.modulesMu);
  std::weak_ptr<Module> &slot = d.modules[source];
  std::shared_ptr<Module> m = slot.lock();
  if (m)
    return m;
  m = std::make_shared<Module>(device, source);
  slot = m;
  if (d.modules.size() > 2 * d.modulesSwept + 64) {
    for (auto it = d.modules.begin(); it != d.modules.end();)
      it = it->second.expired() ? d.modules.erase(it) : std::next(it);
    d.modulesSwept = d.modules.size();
  }
  return m;
}

Function function(int device, const std::string &source,
                  const std::string &name) {
  std::shared_ptr<Module> m = module(device, source);
  {
    Device &d = open(device);
    std::lock_guard<std::mutex> lock(d.modulesMu);
    if (std::find(d.kept.begin(), d.kept.end(), m) == d.kept.end())
      d.kept.push_back(m);
  }
  return m->function(name);
}

// --- Graphs ---

struct Graph::State {
  int device;
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
  CapturePool pool;

  // The nodes that hold addresses of the buffers find_references was
  // given, with their parameters as the exec has them, and each buffer's
  // places in them. rebind() changes the parameters; launch() hands the
  // changed nodes' to the exec.
  struct Node {
    CUgraphNode node;
    int type; // kKernelNode or kMemcpyNode
    KernelNodeParams kernel{};
    std::vector<std::vector<char>> arguments; // a kernel's, as bytes
    std::vector<void *> pointers;             // to each of them
    Memcpy3D copy{};
    bool changed = false;
  };
  // An address in a node: in kernel argument `argument` at byte `offset`,
  // or a copy's source (kCopySource) or destination (kCopyDestination);
  // `delta` bytes past its buffer's start.
  struct Place {
    size_t node, argument, offset;
    uint64_t delta;
  };
  static constexpr size_t kCopySource = ~size_t(0),
                          kCopyDestination = ~size_t(1);
  std::vector<Node> nodes;
  std::vector<std::vector<Place>> places;
  std::vector<const void *> bound; // where each buffer is now

  // Waits for the device (a replay may still run), then hands the graph's
  // blocks to the device's cache.
  ~State() {
    const Driver &api = driver();
    Device &d = *devices()[size_t(device)];
    finish_quietly(d);
    if (exec)
      api.graphExecDestroy(exec);
    if (graph)
      api.graphDestroy(graph);
    for (auto &list : pool.free)
      for (runtime::Storage *s : list) {
        std::lock_guard<std::mutex> lock(d.memory);
        d.free[s->size_class].push_back(s);
        d.cached += s->capacity;
      }
  }
};

Graph::Graph(std::unique_ptr<State> state) : state_(std::move(state)) {}
Graph::~Graph() = default;

void Graph::launch() {
  Device &d = open(state_->device);
  const Driver &api = driver();
  for (State::Node &n : state_->nodes) {
    if (!n.changed)
      continue;
    n.changed = false;
    if (n.type == kKernelNode)
      check(api.graphExecKernelNodeSetParams(state_->exec, n.node, &n.kernel),
            "cuGraphExecKernelNodeSetParams_v2");
    else
      check(api.graphExecMemcpyNodeSetParams(state_->exec, n.node, &n.copy,
                                             d.context),
            "cuGraphExecMemcpyNodeSetParams");
  }
  graph_count.fetch_add(1, std::memory_order_relaxed);
  check(api.graphLaunch(state_->exec, d.stream), "cuGraphLaunch");
}

namespace {

// The bytes of a kernel node's arguments, read through the parameter
// layout of its function; false when the driver cannot tell the layout,
// or the node holds its arguments as one block.
bool read_arguments(const Driver &api, const KernelNodeParams &k,
                    std::vector<std::vector<char>> &arguments,
                    std::vector<size_t> &offsets) {
  if (!k.kernelParams)
    return false;
  for (size_t i = 0;; ++i) {
    size_t offset = 0, size = 0;
    CUresult r = 1;
    if (k.func && api.funcGetParamInfo)
      r = api.funcGetParamInfo(k.func, i, &offset, &size);
    else if (!k.func && k.kern && api.kernelGetParamInfo)
      r = api.kernelGetParamInfo(k.kern, i, &offset, &size);
    else
      return false;
    if (r != 0)
      return true; // past the last argument
    const char *p = static_cast<const char *>(k.kernelParams[i]);
    arguments.emplace_back(p, p + size);
    offsets.push_back(offset);
  }
}

} // namespace

bool Graph::find_references(
    const std::vector<std::pair<const void *, size_t>> &buffers) {
  const Driver &api = driver();
  State &s = *state_;
  s.nodes.clear();
  s.places.assign(buffers.size(), {});
  s.bound.clear();
  if (!api.graphGetNodes || !api.graphNodeGetType ||
      !api.graphKernelNodeGetParams || !api.graphExecKernelNodeSetParams ||
      !api.graphMemcpyNodeGetParams || !api.graphExecMemcpyNodeSetParams ||
      !api.graphMemsetNodeGetParams)
    return false;
  size_t count = 0;
  if (api.graphGetNodes(s.graph, nullptr, &count) != 0)
    return false;
  std::vector<CUgraphNode> list(count);
  if (count && api.graphGetNodes(s.graph, list.data(), &count) != 0)
    return false;
  // The buffer an address points into, or -1.
  auto buffer_of = [&](uint64_t address) -> long {
    for (size_t k = 0; k < buffers.size(); ++k) {
      auto start = reinterpret_cast<uint64_t>(buffers[k].first);
      if (address >= start && address - start < buffers[k].second)
        return long(k);
    }
    return -1;
  };
  auto give_up = [&] {
    s.nodes.clear();
    s.places.assign(buffers.size(), {});
    return false;
  };
  for (CUgraphNode node : list) {
    int type = -1;
    if (api.graphNodeGetType(node, &type) != 0)
      return give_up();
    State::Node n;
    n.node = node;
    n.type = type;
    bool found = false;
    auto add = [&](long k, size_t argument, size_t offset, uint64_t address) {
      s.places[size_t(k)].push_back(
          {s.nodes.size(), argument, offset,
           address - reinterpret_cast<uint64_t>(buffers[size_t(k)].first)});
      found = true;
    };
    switch (type) {
    case kKernelNode: {
      std::vector<size_t> offsets;
      if (api.graphKernelNodeGetParams(node, &n.kernel) != 0 ||
          !read_arguments(api, n.kernel, n.arguments, offsets))
        return give_up();
      // Addresses are 8-byte aligned in the argument block, also inside
      // a struct argument.
      for (size_t i = 0; i < n.arguments.size(); ++i) {
        const std::vector<char> &a = n.arguments[i];
        for (size_t at = (8 - offsets[i] % 8) % 8; at + 8 <= a.size();
             at += 8) {
          uint64_t word;
          std::memcpy(&word, a.data() + at, 8);
          if (long k = buffer_of(word); k >= 0)
            add(k, i, at, word);
        }
      }
      break;
    }
    case kMemcpyNode:
      if (api.graphMemcpyNodeGetParams(node, &n.copy) != 0)
        return give_up();
      if (long k = buffer_of(n.copy.srcDevice); k >= 0)
        add(k, State::kCopySource, 0, n.copy.srcDevice);
      if (long k = buffer_of(n.copy.dstDevice); k >= 0)
        add(k, State::kCopyDestination, 0, n.copy.dstDevice);
      break;
    case kMemsetNode: {
      MemsetParams m{};
      if (api.graphMemsetNodeGetParams(node, &m) != 0 || buffer_of(m.dst) >= 0)
        return give_up();
      break;
    }
    case kEmptyNode:
    case kWaitEventNode:
    case kEventRecordNode:
    case kMemAllocNode:
    case kMemFreeNode:
      break;
    default:
      return give_up();
    }
    if (!found)
      continue;
    for (std::vector<char> &a : n.arguments)
      n.pointers.push_back(a.data());
    n.kernel.kernelParams = n.pointers.data();
    s.nodes.push_back(std::move(n));
  }
  for (const auto &b : buffers)
    s.bound.push_back(b.first);
  return true;
}

void Graph::rebind(size_t k, const void *to) {
  State &s = *state_;
  if (s.bound.at(k) == to)
    return;
  s.bound[k] = to;
  for (const State::Place &p : s.places[k]) {
    State::Node &n = s.nodes[p.node];
    uint64_t address = reinterpret_cast<uint64_t>(to) + p.delta;
    if (p.argument == State::kCopySource)
      n.copy.srcDevice = address;
    else if (p.argument == State::kCopyDestination)
      n.copy.dstDevice = address;
    else
      std::memcpy(n.arguments[p.argument].data() + p.offset, &address, 8);
    n.changed = true;
  }
}

std::unique_ptr<Graph> capture(int device, const std::function<void()> &body) {
  const Driver &api = driver();
  open(device);
  if (capturing)
    throw Error("CUDA graph capture: this thread is capturing already");
  auto state = std::make_unique<Graph::State>();
  state->device = device;
  state->pool.device = device;
  // The capture's own stream (see CapturePool), gone once it has ended.
  CUstream stream = nullptr;
  check(api.streamCreate(&stream, kStreamNonBlocking), "cuStreamCreate");
  struct Destroy {
    const Driver &api;
    CUstream stream;
    ~Destroy() { api.streamDestroy(stream); }
  } destroy{api, stream};
  check(api.streamBeginCapture(stream, kCaptureRelaxed),
        "cuStreamBeginCapture_v2");
  state->pool.stream = stream;
  capturing = &state->pool;
  std::string failed;
  std::exception_ptr other; // not an ej::Error: rethrown once captured
  try {
    body();
  } catch (const Error &e) {
    failed = e.what();
  } catch (...) {
    other = std::current_exception();
  }
  capturing = nullptr;
  // Ends the capture in every case: a capture that an uncapturable call
  // broke returns an error here, and the stream is usable again.
  CUresult r = api.streamEndCapture(stream, &state->graph);
  if (other)
    std::rethrow_exception(other);
  if (failed.empty() && r != 0)
    failed = "CUDA error in cuStreamEndCapture: " + describe(api, r);
  if (failed.empty())
    if (CUresult i = api.graphInstantiate(&state->exec, state->graph, 0))
      failed = "CUDA error in cuGraphInstantiateWithFlags: " + describe(api, i);
  if (!failed.empty())
    throw Error("CUDA graph capture failed: " + failed);
  return std::make_unique<Graph>(std::move(state));
}

uint64_t launches() { return launch_count.load(std::memory_order_relaxed); }
uint64_t graph_launches() {
  return graph_count.load(std::memory_order_relaxed);
}
uint64_t copies() { return copy_count.load(std::memory_order_relaxed); }

void launch(int device, Function f, Dim3 grid, Dim3 block, unsigned shared,
            void **params) {
  Device &d = open(device);
  launch_count.fetch_add(1, std::memory_order_relaxed);
  auto kernel = static_cast<CUfunction>(f);
  CUresult r = driver().launchKernel(kernel, grid.x, grid.y, grid.z, block.x,
                                     block.y, block.z, shared,
                                     work_stream(d, device), params, nullptr);
  if (r != 0)
    check(r, ("cuLaunchKernel (kernel " + name_of(kernel) + ", grid " +
              str(grid) + ", block " + str(block) + ", " +
              std::to_string(shared) + " bytes of shared memory)")
                 .c_str());
}

} // namespace ej::cuda
