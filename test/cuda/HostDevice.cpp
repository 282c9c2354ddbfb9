//===- HostDevice.cpp - A CUDA device emulated on the host grid -----------===//
//
// One shared library that answers, under the names libcuda.so.1,
// libnvrtc.so.13 and libcublas.so.13 (symbolic links to it, put first on
// the loader's path), the entry points of the CUDA driver, NVRTC and cuBLAS
// that runtime/cuda uses. With it, the library's whole GPU path runs
// without a GPU: its caching allocator, its streams and copies, its
// interpreter kernels and fused kernels (their CUDA C built by the host
// compiler and run on the host grid, HostGrid.h), cuBLAS's matmuls and CUDA
// graphs. The GPU tests that skip without a device run against it.
//
// The device is one "sm_90" with 4 multiprocessors and 4 GiB of memory,
// which is host memory. Work runs when it is issued, so every stream is
// always idle; a stream being captured records its work instead, as a
// graph of kernel and copy nodes (cuBLAS's GEMM is a kernel whose one
// argument holds its operands' addresses, as the real one's do) that the
// driver's node calls list and change, and a graph launch replays it.
// NVRTC's "cubin" is the source itself behind a
// tag, and its version (0.1) is none of a real NVRTC's, so the disk kernel
// cache never mixes the two. A kernel that the host grid finds at fault
// fails its launch with CUDA_ERROR_LAUNCH_FAILED, and cuGetErrorString
// says what the host grid found.
//
//===----------------------------------------------------------------------===//
#include "HostGrid.h"
#include "runtime/cuda/DriverTypes.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using CUresult = int;

constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2,
                   kInvalidImage = 200, kNotFound = 500, kLaunchFailed = 719,
                   kCaptureUnsupported = 900;
constexpr int kMultiprocessors = 4;
constexpr size_t kMemory = size_t(4) << 30;
// What follows a cubin in the images of the emulated NVRTC: the source
// the host grid builds.
const char kImageTag[] = "ej-host-grid-source\n";

struct ErrorText {
  CUresult code;
  const char *name, *text;
};
// As the driver names and describes them.
const ErrorText kErrors[] = {
    {kSuccess, "CUDA_SUCCESS", "no error"},
    {kInvalidValue, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {kOutOfMemory, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {kInvalidImage, "CUDA_ERROR_INVALID_IMAGE",
     "device kernel image is invalid"},
    {kNotFound, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {kLaunchFailed, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {kCaptureUnsupported, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
     "operation not permitted when stream is capturing"}};

// Everything the library issues goes through this lock: the host grid
// runs one launch at a time.
std::recursive_mutex mu;

// "unspecified launch failure: " and what the host grid found.
std::string &lastLaunchError() {
  static std::string error;
  return error;
}

// The size of the ELF image at `image`: its header tables come last.
size_t elfSize(const char *image) {
  uint64_t phoff, shoff;
  uint16_t phentsize, phnum, shentsize, shnum;
  std::memcpy(&phoff, image + 0x20, 8);
  std::memcpy(&shoff, image + 0x28, 8);
  std::memcpy(&phentsize, image + 0x36, 2);
  std::memcpy(&phnum, image + 0x38, 2);
  std::memcpy(&shentsize, image + 0x3a, 2);
  std::memcpy(&shnum, image + 0x3c, 2);
  return size_t(std::max(phoff + uint64_t(phentsize) * phnum,
                         shoff + uint64_t(shentsize) * shnum));
}

// A kernel: one of a loaded module's, run on the host grid, or (with no
// module) one of the emulated cuBLAS's, run by `builtin` from its one
// argument, a struct that holds its operands' addresses as cuBLAS's
// kernels do.
struct Function {
  ejtest::HostModule *module = nullptr;
  std::string name;
  std::vector<size_t> builtinSizes;
  void (*builtin)(void *const *arguments) = nullptr;

  const std::vector<size_t> &parameterSizes() const {
    return module ? module->parameterSizes(name) : builtinSizes;
  }
  // What the host grid found at fault, or "".
  std::string run(const unsigned grid[3], const unsigned block[3],
                  void **arguments) const {
    if (!module) {
      builtin(arguments);
      return "";
    }
    return module->launch(name, {grid[0], grid[1], grid[2]},
                          {block[0], block[1], block[2]}, arguments);
  }
};

using ej::cuda::driver_types::kDeviceMemory;
using ej::cuda::driver_types::kKernelNode;
constexpr int kCopyNode = ej::cuda::driver_types::kMemcpyNode;

// One piece of work: a kernel launch, its arguments' bytes copied (a
// recorded launch runs after the caller's values are gone), or a copy on
// the device. A graph is a list of them, which the driver's node calls
// read and change.
struct Node {
  int type = kKernelNode;
  const Function *function = nullptr;
  unsigned grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
  std::vector<std::vector<char>> arguments;
  std::vector<void *> pointers; // to each argument
  uintptr_t dst = 0, src = 0;
  size_t bytes = 0;
  size_t index = 0; // in its graph: an exec's copy of a node has the same

  void point() {
    pointers.clear();
    for (std::vector<char> &a : arguments)
      pointers.push_back(a.data());
  }
  std::string run() {
    if (type == kCopyNode) {
      std::memmove(reinterpret_cast<void *>(dst),
                   reinterpret_cast<const void *>(src), bytes);
      return "";
    }
    return function->run(grid, block, pointers.data());
  }
};

struct Graph {
  std::vector<std::unique_ptr<Node>> nodes;
  Graph() = default;
  Graph(const Graph &g) {
    for (const std::unique_ptr<Node> &n : g.nodes) {
      nodes.push_back(std::make_unique<Node>(*n));
      nodes.back()->point();
    }
  }
};

struct Stream {
  // The graph a capture of the stream records, else null.
  std::unique_ptr<Graph> capture;
};

struct Module {
  std::unique_ptr<ejtest::HostModule> host;
};

// Runs `node` now, or adds it to the graph being captured on `stream`;
// what the host grid found at fault, or "".
std::string issue(void *stream, Node node) {
  auto *s = static_cast<Stream *>(stream);
  auto n = std::make_unique<Node>(std::move(node));
  n->point();
  if (s && s->capture) {
    n->index = s->capture->nodes.size();
    s->capture->nodes.push_back(std::move(n));
    return "";
  }
  return n->run();
}

// The toolkit's NVRTC, which compiles every source for real (its errors
// and logs are the real ones), opened by its path: its soname on the
// loader's path is this library.
struct RealNvrtc {
  const char *(*errorString)(int);
  int (*create)(void **, const char *, const char *, int, const char *const *,
                const char *const *);
  int (*compile)(void *, int, const char *const *);
  int (*logSize)(void *, size_t *);
  int (*log)(void *, char *);
  int (*cubinSize)(void *, size_t *);
  int (*cubin)(void *, char *);
  int (*destroy)(void **);
};

const RealNvrtc &realNvrtc() {
  static const RealNvrtc real = [] {
    void *lib = dlopen(EJ_REAL_NVRTC, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      std::fprintf(stderr, "host device: cannot open %s\n", EJ_REAL_NVRTC);
      std::abort();
    }
    RealNvrtc r;
    auto find = [&](const char *name, auto &fn) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(lib, name));
      if (!fn) {
        std::fprintf(stderr, "host device: %s lacks %s\n", EJ_REAL_NVRTC, name);
        std::abort();
      }
    };
    find("nvrtcGetErrorString", r.errorString);
    find("nvrtcCreateProgram", r.create);
    find("nvrtcCompileProgram", r.compile);
    find("nvrtcGetProgramLogSize", r.logSize);
    find("nvrtcGetProgramLog", r.log);
    find("nvrtcGetCUBINSize", r.cubinSize);
    find("nvrtcGetCUBIN", r.cubin);
    find("nvrtcDestroyProgram", r.destroy);
    return r;
  }();
  return real;
}

size_t allocated = 0;
std::map<uintptr_t, size_t> blocks;

} // namespace

extern "C" {

//===----------------------------------------------------------------------===//
// The driver
//===----------------------------------------------------------------------===//

CUresult cuGetErrorName(CUresult r, const char **name) {
  for (const ErrorText &e : kErrors)
    if (e.code == r) {
      *name = e.name;
      return kSuccess;
    }
  return kInvalidValue;
}

CUresult cuGetErrorString(CUresult r, const char **text) {
  if (r == kLaunchFailed) {
    *text = lastLaunchError().c_str();
    return kSuccess;
  }
  for (const ErrorText &e : kErrors)
    if (e.code == r) {
      *text = e.text;
      return kSuccess;
    }
  return kInvalidValue;
}

// NVRTC opens the driver (this library) and asks it for its private
// tables; there are none.
CUresult cuGetExportTable(const void **table, const void *) {
  *table = nullptr;
  return kNotFound;
}

CUresult cuInit(unsigned) { return kSuccess; }

CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return kSuccess;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  if (ordinal != 0)
    return kInvalidValue;
  *device = 0;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int length, int) {
  std::snprintf(name, size_t(length), "EagerJIT host grid (sm_90)");
  return kSuccess;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int) {
  switch (attribute) {
  case 16: // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
    *value = kMultiprocessors;
    return kSuccess;
  case 75: // ..._COMPUTE_CAPABILITY_MAJOR
    *value = 9;
    return kSuccess;
  case 76: // ..._COMPUTE_CAPABILITY_MINOR
    *value = 0;
    return kSuccess;
  default:
    return kInvalidValue;
  }
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, int) {
  *bytes = kMemory;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(void **context, int) {
  static int primary;
  *context = &primary;
  return kSuccess;
}

thread_local void *currentContext = nullptr;

CUresult cuCtxGetCurrent(void **context) {
  *context = currentContext;
  return kSuccess;
}

CUresult cuCtxSetCurrent(void *context) {
  currentContext = context;
  return kSuccess;
}

CUresult cuStreamCreate(void **stream, unsigned) {
  *stream = new Stream;
  return kSuccess;
}

CUresult cuStreamDestroy_v2(void *stream) {
  delete static_cast<Stream *>(stream);
  return kSuccess;
}

CUresult cuStreamSynchronize(void *) { return kSuccess; }

CUresult cuEventCreate(void **event, unsigned) {
  static int event_;
  *event = &event_;
  return kSuccess;
}

CUresult cuEventRecord(void *, void *stream) {
  auto *s = static_cast<Stream *>(stream);
  return s && s->capture ? kCaptureUnsupported : kSuccess;
}

CUresult cuEventSynchronize(void *) { return kSuccess; }

CUresult cuMemAlloc_v2(uintptr_t *pointer, size_t bytes) {
  std::lock_guard<std::recursive_mutex> lock(mu);
  size_t rounded = (std::max<size_t>(bytes, 1) + 255) / 256 * 256;
  if (allocated + rounded > kMemory)
    return kOutOfMemory;
  void *p = std::aligned_alloc(256, rounded);
  if (!p)
    return kOutOfMemory;
  allocated += rounded;
  blocks[uintptr_t(p)] = rounded;
  *pointer = uintptr_t(p);
  return kSuccess;
}

CUresult cuMemFree_v2(uintptr_t pointer) {
  std::lock_guard<std::recursive_mutex> lock(mu);
  auto block = blocks.find(pointer);
  if (block == blocks.end())
    return kInvalidValue;
  allocated -= block->second;
  blocks.erase(block);
  std::free(reinterpret_cast<void *>(pointer));
  return kSuccess;
}

CUresult cuMemHostAlloc(void **pointer, size_t bytes, unsigned) {
  *pointer =
      std::aligned_alloc(256, (std::max<size_t>(bytes, 1) + 255) / 256 * 256);
  return *pointer ? kSuccess : kOutOfMemory;
}

CUresult cuMemcpyHtoDAsync_v2(uintptr_t dst, const void *src, size_t bytes,
                              void *stream) {
  auto *s = static_cast<Stream *>(stream);
  if (s && s->capture)
    return kCaptureUnsupported;
  std::lock_guard<std::recursive_mutex> lock(mu);
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return kSuccess;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, uintptr_t src, size_t bytes,
                              void *stream) {
  auto *s = static_cast<Stream *>(stream);
  if (s && s->capture)
    return kCaptureUnsupported;
  std::lock_guard<std::recursive_mutex> lock(mu);
  std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
  return kSuccess;
}

CUresult cuMemcpyDtoDAsync_v2(uintptr_t dst, uintptr_t src, size_t bytes,
                              void *stream) {
  std::lock_guard<std::recursive_mutex> lock(mu);
  Node copy;
  copy.type = kCopyNode;
  copy.dst = dst;
  copy.src = src;
  copy.bytes = bytes;
  issue(stream, std::move(copy));
  return kSuccess;
}

CUresult cuModuleLoadData(void **module, const void *image) {
  const char *text = static_cast<const char *>(image);
  if (std::memcmp(text,
                  "\x7f"
                  "ELF",
                  4) != 0)
    return kInvalidImage;
  text += elfSize(text);
  if (std::strncmp(text, kImageTag, sizeof kImageTag - 1) != 0)
    return kInvalidImage;
  text += sizeof kImageTag - 1;
  auto field = [&] {
    char *end;
    size_t n = std::strtoull(text, &end, 10);
    std::string f(end + 1, n);
    text = end + 1 + n;
    return f;
  };
  std::vector<std::pair<std::string, std::string>> headers(std::stoul(field()));
  for (auto &[name, contents] : headers) {
    name = field();
    contents = field();
  }
  std::string source = field();
  std::lock_guard<std::recursive_mutex> lock(mu);
  auto m = std::make_unique<Module>();
  try {
    m->host = std::make_unique<ejtest::HostModule>(source, headers);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kInvalidImage;
  }
  *module = m.release();
  return kSuccess;
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  auto *m = static_cast<Module *>(module);
  if (!m->host->has(name))
    return kNotFound;
  *function = new Function{m->host.get(), name, {}, nullptr};
  return kSuccess;
}

CUresult cuModuleUnload(void *module) {
  std::lock_guard<std::recursive_mutex> lock(mu);
  delete static_cast<Module *>(module);
  return kSuccess;
}

CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  if (shared != 0 || extra || bx * by * bz > 1024 || bx > 1024 || by > 1024 ||
      bz > 64 || gx == 0 || gy == 0 || gz == 0 || gy > 65535 || gz > 65535)
    return kInvalidValue;
  Node launch;
  launch.function = static_cast<Function *>(function);
  const std::vector<size_t> &sizes = launch.function->parameterSizes();
  for (size_t i = 0; i < sizes.size(); ++i) {
    const char *p = static_cast<const char *>(params[i]);
    launch.arguments.emplace_back(p, p + sizes[i]);
  }
  launch.grid[0] = gx, launch.grid[1] = gy, launch.grid[2] = gz;
  launch.block[0] = bx, launch.block[1] = by, launch.block[2] = bz;
  std::lock_guard<std::recursive_mutex> lock(mu);
  std::string why = issue(stream, std::move(launch));
  if (why.empty())
    return kSuccess;
  lastLaunchError() = "unspecified launch failure: " + why;
  return kLaunchFailed;
}

CUresult cuStreamBeginCapture_v2(void *stream, int) {
  auto *s = static_cast<Stream *>(stream);
  if (!s || s->capture)
    return kInvalidValue;
  s->capture = std::make_unique<Graph>();
  return kSuccess;
}

CUresult cuStreamEndCapture(void *stream, void **graph) {
  auto *s = static_cast<Stream *>(stream);
  if (!s || !s->capture)
    return kInvalidValue;
  *graph = s->capture.release();
  return kSuccess;
}

CUresult cuGraphInstantiateWithFlags(void **exec, void *graph,
                                     unsigned long long) {
  *exec = new Graph(*static_cast<Graph *>(graph));
  return kSuccess;
}

CUresult cuGraphLaunch(void *exec, void *stream) {
  auto *s = static_cast<Stream *>(stream);
  if (s && s->capture)
    return kCaptureUnsupported; // the library never captures a graph launch
  std::lock_guard<std::recursive_mutex> lock(mu);
  // A replayed launch has no caller to tell what went wrong.
  for (const std::unique_ptr<Node> &n : static_cast<Graph *>(exec)->nodes)
    if (std::string why = n->run(); !why.empty())
      std::fprintf(stderr, "host grid: %s\n", why.c_str());
  return kSuccess;
}

CUresult cuGraphExecDestroy(void *exec) {
  delete static_cast<Graph *>(exec);
  return kSuccess;
}

CUresult cuGraphDestroy(void *graph) {
  delete static_cast<Graph *>(graph);
  return kSuccess;
}

// A graph's nodes, read and changed as the driver's calls do.

CUresult cuGraphGetNodes(void *graph, void **nodes, size_t *count) {
  const Graph &g = *static_cast<Graph *>(graph);
  if (!nodes) {
    *count = g.nodes.size();
    return kSuccess;
  }
  size_t n = std::min(*count, g.nodes.size());
  for (size_t i = 0; i < *count; ++i)
    nodes[i] = i < n ? g.nodes[i].get() : nullptr;
  *count = n;
  return kSuccess;
}

CUresult cuGraphNodeGetType(void *node, int *type) {
  *type = static_cast<Node *>(node)->type;
  return kSuccess;
}

using ej::cuda::driver_types::KernelNodeParams;
using ej::cuda::driver_types::Memcpy3D;

CUresult cuGraphKernelNodeGetParams_v2(void *node, KernelNodeParams *p) {
  auto *n = static_cast<Node *>(node);
  if (n->type != kKernelNode)
    return kInvalidValue;
  *p = {};
  p->func = const_cast<Function *>(n->function);
  p->gridDimX = n->grid[0], p->gridDimY = n->grid[1], p->gridDimZ = n->grid[2];
  p->blockDimX = n->block[0], p->blockDimY = n->block[1],
  p->blockDimZ = n->block[2];
  p->kernelParams = n->pointers.data();
  return kSuccess;
}

// Each argument at the next multiple of its size (8 at most), as the
// compiler lays out a kernel's parameters.
CUresult cuFuncGetParamInfo(void *function, size_t index, size_t *offset,
                            size_t *size) {
  const std::vector<size_t> &sizes =
      static_cast<Function *>(function)->parameterSizes();
  if (index >= sizes.size())
    return kInvalidValue;
  size_t at = 0;
  for (size_t i = 0; i <= index; ++i) {
    size_t align = std::min<size_t>(sizes[i], 8);
    at = (at + align - 1) / align * align;
    if (i < index)
      at += sizes[i];
  }
  *offset = at;
  *size = sizes[index];
  return kSuccess;
}

CUresult cuGraphExecKernelNodeSetParams_v2(void *exec, void *node,
                                           const KernelNodeParams *p) {
  std::lock_guard<std::recursive_mutex> lock(mu);
  Node &n =
      *static_cast<Graph *>(exec)->nodes.at(static_cast<Node *>(node)->index);
  if (n.type != kKernelNode || p->func != n.function || !p->kernelParams)
    return kInvalidValue;
  for (size_t i = 0; i < n.arguments.size(); ++i)
    std::memcpy(n.arguments[i].data(), p->kernelParams[i],
                n.arguments[i].size());
  n.grid[0] = p->gridDimX, n.grid[1] = p->gridDimY, n.grid[2] = p->gridDimZ;
  n.block[0] = p->blockDimX, n.block[1] = p->blockDimY,
  n.block[2] = p->blockDimZ;
  return kSuccess;
}

CUresult cuGraphMemcpyNodeGetParams(void *node, Memcpy3D *p) {
  auto *n = static_cast<Node *>(node);
  if (n->type != kCopyNode)
    return kInvalidValue;
  *p = {};
  p->srcMemoryType = p->dstMemoryType = kDeviceMemory;
  p->srcDevice = n->src;
  p->dstDevice = n->dst;
  p->WidthInBytes = n->bytes;
  p->Height = p->Depth = 1;
  return kSuccess;
}

CUresult cuGraphExecMemcpyNodeSetParams(void *exec, void *node,
                                        const Memcpy3D *p, void *) {
  std::lock_guard<std::recursive_mutex> lock(mu);
  Node &n =
      *static_cast<Graph *>(exec)->nodes.at(static_cast<Node *>(node)->index);
  if (n.type != kCopyNode || p->srcMemoryType != kDeviceMemory ||
      p->dstMemoryType != kDeviceMemory || p->Height != 1 || p->Depth != 1)
    return kInvalidValue;
  n.src = p->srcDevice;
  n.dst = p->dstDevice;
  n.bytes = p->WidthInBytes;
  return kSuccess;
}

// The emulated driver's graphs hold no memsets.
CUresult cuGraphMemsetNodeGetParams(void *, void *) { return kInvalidValue; }

//===----------------------------------------------------------------------===//
// NVRTC
//===----------------------------------------------------------------------===//

struct Program {
  void *real;
  // What follows the cubin in the image: the tag, then the headers and the
  // source, each as "<bytes>\n<text>" (a header's name, then its text).
  std::string tail;
};

const char *nvrtcGetErrorString(int r) { return realNvrtc().errorString(r); }

// Not the real NVRTC's version: the disk kernel cache keys cubins by it,
// and these images are not the real NVRTC's.
int nvrtcVersion(int *major, int *minor) {
  *major = 0;
  *minor = 1;
  return 0;
}

int nvrtcCreateProgram(void **program, const char *source, const char *name,
                       int headers, const char *const *contents,
                       const char *const *includeNames) {
  std::string tail = kImageTag;
  auto field = [&](const std::string &text) {
    tail += std::to_string(text.size()) + "\n" + text;
  };
  field(std::to_string(headers));
  for (int h = 0; h < headers; ++h) {
    field(includeNames[h]);
    field(contents[h]);
  }
  field(source);
  auto p = std::make_unique<Program>(Program{nullptr, tail});
  if (int r = realNvrtc().create(&p->real, source, name, headers, contents,
                                 includeNames))
    return r;
  *program = p.release();
  return 0;
}

int nvrtcCompileProgram(void *program, int count, const char *const *options) {
  return realNvrtc().compile(static_cast<Program *>(program)->real, count,
                             options);
}

int nvrtcGetProgramLogSize(void *program, size_t *size) {
  return realNvrtc().logSize(static_cast<Program *>(program)->real, size);
}

int nvrtcGetProgramLog(void *program, char *log) {
  return realNvrtc().log(static_cast<Program *>(program)->real, log);
}

// The real cubin, then the tag and the source.
int nvrtcGetCUBINSize(void *program, size_t *size) {
  auto *p = static_cast<Program *>(program);
  if (int r = realNvrtc().cubinSize(p->real, size))
    return r;
  *size += p->tail.size() + 1;
  return 0;
}

int nvrtcGetCUBIN(void *program, char *cubin) {
  auto *p = static_cast<Program *>(program);
  size_t size;
  if (int r = realNvrtc().cubinSize(p->real, &size))
    return r;
  if (int r = realNvrtc().cubin(p->real, cubin))
    return r;
  std::memcpy(cubin + size, p->tail.c_str(), p->tail.size() + 1);
  return 0;
}

int nvrtcDestroyProgram(void **program) {
  auto *p = static_cast<Program *>(*program);
  int r = realNvrtc().destroy(&p->real);
  delete p;
  *program = nullptr;
  return r;
}

//===----------------------------------------------------------------------===//
// cuBLAS: column-major strided batched GEMM, accumulated in double
//===----------------------------------------------------------------------===//

struct Blas {
  void *stream = nullptr;
};

const char *cublasGetStatusName(int s) {
  return s == 0 ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_INVALID_VALUE";
}

const char *cublasGetStatusString(int s) {
  return s == 0 ? "success" : "an invalid value";
}

int cublasCreate_v2(void **handle) {
  *handle = new Blas;
  return 0;
}

int cublasSetStream_v2(void *handle, void *stream) {
  static_cast<Blas *>(handle)->stream = stream;
  return 0;
}

int cublasSetMathMode(void *, int) { return 0; }

} // extern "C"

namespace {

// The operands of a strided batched GEMM: the one argument of the
// emulated cuBLAS's kernel.
template <class T> struct GemmArguments {
  int transa, transb, m, n, k, lda, ldb, ldc, batch;
  T alpha, beta;
  const T *a, *b;
  T *c;
  long long strideA, strideB, strideC;
  uintptr_t mask; // a, b and c are XORed with it
};
constexpr uintptr_t kHiddenMask = 0x5a5a000000000000ull;

// C = alpha op(A) op(B) + beta C for each of `batch` matrices (op: 0 none,
// 1 transpose), column-major, accumulated in double.
template <class T> void gemmKernel(void *const *arguments) {
  const auto &g = *static_cast<const GemmArguments<T> *>(arguments[0]);
  auto shown = [&](auto *p) {
    return reinterpret_cast<decltype(p)>(reinterpret_cast<uintptr_t>(p) ^
                                         g.mask);
  };
  for (int p = 0; p < g.batch; ++p) {
    const T *ap = shown(g.a) + p * g.strideA, *bp = shown(g.b) + p * g.strideB;
    T *cp = shown(g.c) + p * g.strideC;
    for (int j = 0; j < g.n; ++j)
      for (int i = 0; i < g.m; ++i) {
        double sum = 0;
        for (int l = 0; l < g.k; ++l)
          sum += double(g.transa ? ap[l + size_t(i) * g.lda]
                                 : ap[i + size_t(l) * g.lda]) *
                 double(g.transb ? bp[j + size_t(l) * g.ldb]
                                 : bp[l + size_t(j) * g.ldb]);
        T &out = cp[i + size_t(j) * g.ldc];
        out = T(double(g.alpha) * sum +
                (g.beta == T(0) ? 0.0 : double(g.beta) * out));
      }
  }
}

template <class T> const Function &gemmFunction() {
  static const Function f{
      nullptr, "gemm", {sizeof(GemmArguments<T>)}, gemmKernel<T>};
  return f;
}

// As cublas<t>gemmStridedBatched: a launch of the GEMM kernel.
template <class T>
int gemm(void *handle, int transa, int transb, int m, int n, int k,
         const T *alpha, const T *a, int lda, long long strideA, const T *b,
         int ldb, long long strideB, const T *beta, T *c, int ldc,
         long long strideC, int batch) {
  if (transa > 1 || transb > 1 || m < 0 || n < 0 || k < 0 || batch < 0)
    return 7; // CUBLAS_STATUS_INVALID_VALUE
  // A test may ask that the operands' addresses be hidden from a scan of
  // the graph's arguments (each XORed with a mask, undone by the kernel).
  uintptr_t mask =
      std::getenv("EJ_HOST_DEVICE_HIDDEN_GEMM_OPERANDS") ? kHiddenMask : 0;
  auto hide = [&](auto *p) {
    return reinterpret_cast<decltype(p)>(reinterpret_cast<uintptr_t>(p) ^ mask);
  };
  GemmArguments<T> g{transa,  transb,  m,       n,       k,       lda,
                     ldb,     ldc,     batch,   *alpha,  *beta,   hide(a),
                     hide(b), hide(c), strideA, strideB, strideC, mask};
  Node launch;
  launch.function = &gemmFunction<T>();
  const char *bytes = reinterpret_cast<const char *>(&g);
  launch.arguments.emplace_back(bytes, bytes + sizeof g);
  std::lock_guard<std::recursive_mutex> lock(mu);
  issue(static_cast<Blas *>(handle)->stream, std::move(launch));
  return 0;
}

} // namespace

extern "C" {

int cublasSgemmStridedBatched(void *handle, int transa, int transb, int m,
                              int n, int k, const float *alpha, const float *a,
                              int lda, long long strideA, const float *b,
                              int ldb, long long strideB, const float *beta,
                              float *c, int ldc, long long strideC, int batch) {
  return gemm(handle, transa, transb, m, n, k, alpha, a, lda, strideA, b, ldb,
              strideB, beta, c, ldc, strideC, batch);
}

int cublasDgemmStridedBatched(void *handle, int transa, int transb, int m,
                              int n, int k, const double *alpha,
                              const double *a, int lda, long long strideA,
                              const double *b, int ldb, long long strideB,
                              const double *beta, double *c, int ldc,
                              long long strideC, int batch) {
  return gemm(handle, transa, transb, m, n, k, alpha, a, lda, strideA, b, ldb,
              strideB, beta, c, ldc, strideC, batch);
}

} // extern "C"
