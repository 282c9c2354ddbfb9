//===- CudaRuntimeTest.cpp - The CUDA driver: memory, copies, kernels -----===//
//
// Without a GPU (CI): no device is counted, and every call that needs one is
// an ej::Error naming it, never a crash. With one, the CudaRuntimeDevice
// tests check the caching allocator, copies of every size through the
// staging buffers, kernels compiled from CUDA C and launched, and the
// errors of a bad launch and of a compile error.
//
//===----------------------------------------------------------------------===//
#include "Reference.h"
#include "runtime/cuda/Nvrtc.h"
#include "runtime/cuda/Runtime.h"

#include <ej/Error.h>
#include <ej/device.h>
#include <ej/jit.h>

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace {

namespace cuda = ej::cuda;
namespace fs = std::filesystem;
using ej::runtime::Storage;

bool driverLoads() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib)
    dlclose(lib);
  return lib != nullptr;
}

// Writes 2 * i at out[i]; the GPU tests run it, and the CPU-only test
// checks that NVRTC compiles it.
const char *const kTwice = R"(
extern "C" __global__ void twice(int *out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = 2 * i;
}
)";

TEST(CudaRuntime, DeviceCountIsNumGpusAndZeroWithoutADriver) {
  int n = cuda::device_count();
  EXPECT_GE(n, 0);
  EXPECT_EQ(n, ej::num_gpus());
  if (!driverLoads()) {
    EXPECT_EQ(n, 0);
  }
}

TEST(CudaRuntime, CheckNamesTheCallAndTheError) {
  EXPECT_NO_THROW(cuda::check(0, "cuInit"));
  std::string message = ref::error_of([] { cuda::check(2, "cuMemAlloc_v2"); });
  std::string named = "CUDA error in cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY "
                      "(out of memory)";
  if (cuda::device_count() > 0)
    EXPECT_EQ(message, named);
  else if (!driverLoads())
    EXPECT_EQ(message, "CUDA error in cuMemAlloc_v2: CUDA error 2");
  else
    EXPECT_EQ(message, named);
  // A number the driver does not know is shown as it is.
  EXPECT_EQ(ref::error_of([] { cuda::check(987654, "cuLaunchKernel"); }),
            "CUDA error in cuLaunchKernel: CUDA error 987654");
}

TEST(CudaRuntime, CallsWithoutADeviceAreErrorsNamingIt) {
  if (cuda::device_count() != 0)
    GTEST_SKIP() << "a CUDA device is present: this test is for machines "
                    "without one";
  const std::string expected =
      "gpu:0 requested but no CUDA device is present (";
  char host[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<std::function<void()>> calls = {
      [] { cuda::properties(0); },
      [] { cuda::architecture(0); },
      [] { cuda::stream(0); },
      [] { cuda::synchronize(0); },
      [] { cuda::allocate_storage(0, 16); },
      [] { cuda::cached_bytes(0); },
      [] { cuda::empty_cache(0); },
      [&] { cuda::copy_to_device(0, host, host, sizeof host); },
      [&] { cuda::copy_to_host(0, host, host, sizeof host); },
      [&] { cuda::copy_on_device(0, host, host, sizeof host); },
      [] { cuda::function(0, kTwice, "twice"); },
      [] {
        cuda::launch(0, nullptr, cuda::Dim3{1}, cuda::Dim3{1}, 0, nullptr);
      },
  };
  for (size_t i = 0; i < calls.size(); ++i) {
    std::string message = ref::error_of(calls[i]);
    EXPECT_EQ(message.rfind(expected, 0), 0u)
        << "call " << i << ": " << message;
    EXPECT_EQ(message.back(), ')') << message;
  }
  EXPECT_EQ(
      ref::error_of([] { cuda::properties(3); }).rfind("gpu:3 requested", 0),
      0u);
  // The host buffer was left alone.
  EXPECT_EQ(host[7], 8);
}

TEST(CudaRuntime, KernelSourceOfTheDeviceTestsCompilesForSm90) {
  if (!cuda::nvrtc_available())
    GTEST_SKIP() << "no NVRTC";
  std::vector<char> cubin =
      cuda::compile_to_cubin(kTwice, "twice.cu", "sm_90", {"-default-device"});
  ASSERT_GT(cubin.size(), 4u);
  const char elf[] = {0x7f, 'E', 'L', 'F'};
  EXPECT_EQ(std::memcmp(cubin.data(), elf, sizeof elf), 0);
}

//===----------------------------------------------------------------------===//
// With a device
//===----------------------------------------------------------------------===//

class CudaRuntimeDevice : public ::testing::Test {
protected:
  void SetUp() override {
    if (cuda::device_count() == 0)
      GTEST_SKIP() << "no CUDA device";
  }
};

struct Release {
  void operator()(Storage *s) const { ej::runtime::release(s); }
};
using Block = std::unique_ptr<Storage, Release>;

Block allocate(size_t nbytes) {
  return Block(cuda::allocate_storage(0, nbytes));
}

std::vector<unsigned char> randomBytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<unsigned char> v(n);
  for (unsigned char &b : v)
    b = static_cast<unsigned char>(byte(gen));
  return v;
}

std::vector<unsigned char> readBack(const Block &b, size_t n) {
  std::vector<unsigned char> out(n);
  cuda::copy_to_host(0, out.data(), b->data, n);
  return out;
}

constexpr size_t kMiB = size_t(1) << 20;

TEST_F(CudaRuntimeDevice, PropertiesDescribeTheDevice) {
  const cuda::DeviceProperties &p = cuda::properties(0);
  EXPECT_FALSE(p.name.empty());
  EXPECT_GE(p.major, 7); // the oldest architecture NVRTC 13 compiles for
  EXPECT_GE(p.minor, 0);
  EXPECT_GT(p.multiprocessors, 0);
  EXPECT_GE(p.memory, size_t(1) << 30);
  EXPECT_EQ(cuda::architecture(0),
            "sm_" + std::to_string(p.major) + std::to_string(p.minor));
  int n = cuda::device_count();
  EXPECT_NE(ref::error_of([n] { cuda::properties(n); })
                .find("gpu:" + std::to_string(n) + " requested but only " +
                      std::to_string(n) + " CUDA device"),
            std::string::npos);
}

TEST_F(CudaRuntimeDevice, OneStreamPerDeviceForEveryThread) {
  void *s = cuda::stream(0);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(cuda::stream(0), s);
  void *other = nullptr;
  std::thread([&] { other = cuda::stream(0); }).join();
  EXPECT_EQ(other, s);
  EXPECT_NO_THROW(cuda::synchronize(0));
}

TEST_F(CudaRuntimeDevice, BlocksAreAlignedDeviceMemoryOfTheirSizeClass) {
  for (size_t n : {size_t(0), size_t(1), size_t(255), size_t(512), size_t(513),
                   size_t(1000), size_t(4096), kMiB, kMiB + 1}) {
    Block b = allocate(n);
    EXPECT_EQ(b->device, 0);
    EXPECT_EQ(b->refs.load(), 1);
    EXPECT_NE(b->data, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data) % 256, 0u) << n;
    size_t asked = std::max(n, size_t(512));
    EXPECT_GE(b->capacity, asked) << n;
    EXPECT_LE(b->capacity, asked / 4 * 5 + 1) << n; // at most 25% slack
  }
}

TEST_F(CudaRuntimeDevice, AReleasedBlockComesBackFromTheCache) {
  Block a = allocate(1000);
  size_t before = cuda::cached_bytes(0); // what earlier tests left there
  void *address = a->data;
  size_t capacity = a->capacity;
  a.reset();
  EXPECT_EQ(cuda::cached_bytes(0), before + capacity);
  // Same class (1000 and 900 bytes both take 1024): the same block.
  Block b = allocate(900);
  EXPECT_EQ(b->data, address);
  EXPECT_EQ(b->refs.load(), 1);
  EXPECT_EQ(cuda::cached_bytes(0), before);
  // While it is held, another request gets another block.
  Block c = allocate(1000);
  EXPECT_NE(c->data, address);
}

TEST_F(CudaRuntimeDevice, EmptyCacheHandsTheBlocksBack) {
  Block a = allocate(3 * kMiB), b = allocate(5000);
  a.reset();
  b.reset();
  EXPECT_GE(cuda::cached_bytes(0), 3 * kMiB + 5000);
  cuda::empty_cache(0);
  EXPECT_EQ(cuda::cached_bytes(0), 0u);
  // New blocks come from the driver and work.
  std::vector<unsigned char> data = randomBytes(5000, 1);
  Block c = allocate(data.size());
  cuda::copy_to_device(0, c->data, data.data(), data.size());
  EXPECT_EQ(readBack(c, data.size()), data);
}

TEST_F(CudaRuntimeDevice, CopiesRoundTripAtEverySize) {
  // Staging buffers hold 4 MiB each, and there are two.
  for (size_t n :
       {size_t(1), size_t(3), size_t(256), size_t(4095), 4 * kMiB - 1, 4 * kMiB,
        4 * kMiB + 1, 8 * kMiB, 13 * kMiB + 17}) {
    std::vector<unsigned char> data = randomBytes(n, unsigned(n));
    Block a = allocate(n), b = allocate(n);
    cuda::copy_to_device(0, a->data, data.data(), n);
    cuda::copy_on_device(0, b->data, a->data, n);
    EXPECT_EQ(readBack(b, n), data) << n << " bytes";
    EXPECT_EQ(readBack(a, n), data) << n << " bytes";
  }
}

TEST_F(CudaRuntimeDevice, SourceMayBeReusedOnceCopyToDeviceReturns) {
  for (size_t n : {size_t(1000), 9 * kMiB + 5}) {
    std::vector<unsigned char> data = randomBytes(n, 7), src = data;
    Block b = allocate(n);
    cuda::copy_to_device(0, b->data, src.data(), n);
    std::fill(src.begin(), src.end(), 0xab);
    EXPECT_EQ(readBack(b, n), data) << n << " bytes";
  }
  // Many copies in a row, one host buffer refilled between them: each
  // staging buffer is reused only after its last transfer.
  constexpr int kCopies = 16;
  constexpr size_t n = 3 * kMiB;
  std::vector<Block> blocks;
  std::vector<std::vector<unsigned char>> sent;
  std::vector<unsigned char> src(n);
  for (int i = 0; i < kCopies; ++i) {
    sent.push_back(randomBytes(n, 100 + unsigned(i)));
    src = sent.back();
    blocks.push_back(allocate(n));
    cuda::copy_to_device(0, blocks.back()->data, src.data(), n);
  }
  for (int i = 0; i < kCopies; ++i)
    EXPECT_EQ(readBack(blocks[size_t(i)], n), sent[size_t(i)]) << "copy " << i;
}

TEST_F(CudaRuntimeDevice, ZeroByteCopiesDoNothing) {
  EXPECT_NO_THROW(cuda::copy_to_device(0, nullptr, nullptr, 0));
  EXPECT_NO_THROW(cuda::copy_to_host(0, nullptr, nullptr, 0));
  EXPECT_NO_THROW(cuda::copy_on_device(0, nullptr, nullptr, 0));
  std::vector<unsigned char> data = randomBytes(64, 3), host = data;
  Block b = allocate(64);
  cuda::copy_to_host(0, host.data(), b->data, 0);
  EXPECT_EQ(host, data);
}

// Fills `b` (n ints) with -1, so that a kernel's writes are visible.
void poison(const Block &b, int n) {
  std::vector<int> minus(static_cast<size_t>(n), -1);
  cuda::copy_to_device(0, b->data, minus.data(), minus.size() * sizeof(int));
}

std::vector<int> ints(const Block &b, int n) {
  std::vector<int> out(static_cast<size_t>(n));
  cuda::copy_to_host(0, out.data(), b->data, out.size() * sizeof(int));
  return out;
}

TEST_F(CudaRuntimeDevice, KernelCompiledFromSourceRunsOnTheStream) {
  cuda::Function f = cuda::function(0, kTwice, "twice");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(cuda::function(0, kTwice, "twice"), f);
  const int n = 1000; // not a multiple of the block
  Block b = allocate(n * sizeof(int));
  poison(b, n);
  void *out = b->data;
  int count = n;
  void *params[] = {&out, &count};
  cuda::launch(0, f, cuda::Dim3{(n + 127) / 128}, cuda::Dim3{128}, 0, params);
  std::vector<int> got = ints(b, n);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(got[size_t(i)], 2 * i) << "at " << i;
}

// A module lives while a handle does: handles of one source share it, and
// after the last is gone the source loads again (its kernels were
// unloaded, not kept for the process).
TEST_F(CudaRuntimeDevice, AModuleIsSharedWhileHeldAndLoadsAgainAfterward) {
  // A source of its own: function() keeps the modules it loads for good.
  const std::string source = std::string(kTwice) + "// module lifetime\n";
  const int n = 200;
  Block b = allocate(n * sizeof(int));
  void *out = b->data;
  int count = n;
  void *params[] = {&out, &count};
  for (int round = 0; round < 2; ++round) {
    std::shared_ptr<cuda::Module> m = cuda::module(0, source);
    EXPECT_EQ(cuda::module(0, source), m);
    poison(b, n);
    cuda::launch(0, m->function("twice"), cuda::Dim3{(n + 127) / 128},
                 cuda::Dim3{128}, 0, params);
    std::vector<int> got = ints(b, n);
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(got[size_t(i)], 2 * i) << "round " << round << ", at " << i;
    std::weak_ptr<cuda::Module> held = m;
    m.reset();
    EXPECT_TRUE(held.expired()) << "round " << round;
  }
}

TEST_F(CudaRuntimeDevice, ACapturedGraphRunsOnlyWhenLaunched) {
  cuda::Function f = cuda::function(0, kTwice, "twice");
  const int n = 300;
  Block b = allocate(n * sizeof(int));
  poison(b, n);
  void *out = b->data;
  int count = n;
  void *params[] = {&out, &count};
  uint64_t launches = cuda::launches();
  std::unique_ptr<cuda::Graph> g = cuda::capture(0, [&] {
    cuda::launch(0, f, cuda::Dim3{(n + 127) / 128}, cuda::Dim3{128}, 0, params);
  });
  // Captured, not run: the buffer still holds the poison.
  EXPECT_EQ(ints(b, n)[5], -1);
  EXPECT_EQ(cuda::launches(), launches + 1);
  poison(b, n);
  g->launch();
  std::vector<int> got = ints(b, n);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(got[size_t(i)], 2 * i) << "at " << i;
}

// A graph's kernel argument and copy, found by address and moved to other
// buffers: a launch then writes those (at the same offset into them), and
// the captured ones no more, until they are bound again.
TEST_F(CudaRuntimeDevice, AGraphRebindsItsKernelsAndCopiesToOtherBuffers) {
  cuda::Function f = cuda::function(0, kTwice, "twice");
  const int n = 300, skip = 16; // the kernel writes from the 17th int on
  const size_t bytes = n * sizeof(int);
  Block a = allocate(bytes), c = allocate(bytes);
  void *out = static_cast<int *>(a->data) + skip;
  int count = n - skip;
  void *params[] = {&out, &count};
  std::unique_ptr<cuda::Graph> g = cuda::capture(0, [&] {
    cuda::launch(0, f, cuda::Dim3{(n + 127) / 128}, cuda::Dim3{128}, 0, params);
    cuda::copy_on_device(0, c->data, a->data, bytes);
  });
  ASSERT_TRUE(g->find_references({{a->data, bytes}, {c->data, bytes}}));
  Block a2 = allocate(bytes), c2 = allocate(bytes);
  auto expect_written = [&](const Block &x, const Block &y, const char *what) {
    std::vector<int> gx = ints(x, n), gy = ints(y, n);
    for (int i = 0; i < n; ++i) {
      int want = i < skip ? -1 : 2 * (i - skip);
      ASSERT_EQ(gx[size_t(i)], want) << what << " at " << i;
      ASSERT_EQ(gy[size_t(i)], want) << what << " copied, at " << i;
    }
  };
  auto expect_untouched = [&](const Block &x, const char *what) {
    std::vector<int> got = ints(x, n);
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(got[size_t(i)], -1) << what << " at " << i;
  };
  for (const Block *b : {&a, &c, &a2, &c2})
    poison(*b, n);
  g->rebind(0, a2->data);
  g->rebind(1, c2->data);
  g->launch();
  expect_written(a2, c2, "rebound");
  expect_untouched(a, "the captured buffer");
  expect_untouched(c, "the captured copy");
  for (const Block *b : {&a, &c, &a2, &c2})
    poison(*b, n);
  g->rebind(0, a->data);
  g->rebind(1, c->data);
  g->launch();
  expect_written(a, c, "bound back");
  expect_untouched(a2, "the other buffer");
}

TEST_F(CudaRuntimeDevice, BlocksACaptureFreesStayTheGraphs) {
  void *inside = nullptr;
  std::unique_ptr<cuda::Graph> g = cuda::capture(0, [&] {
    Block scratch = allocate(4096);
    inside = scratch->data;
  }); // released during the capture: the graph's now
  Block after = allocate(4096);
  EXPECT_NE(after->data, inside);
  g.reset(); // the graph hands its blocks to the cache
  Block again = allocate(4096);
  EXPECT_EQ(again->data, inside);
}

TEST_F(CudaRuntimeDevice, ACaptureThatCopiesToTheHostFailsAndLeavesTheStream) {
  Block b = allocate(64);
  std::string e = ref::error_of([&] {
    cuda::capture(0, [&] {
      int x = 0;
      cuda::copy_to_host(0, &x, b->data, sizeof x);
    });
  });
  EXPECT_NE(e.find("CUDA graph capture failed: a copy to the host"),
            std::string::npos)
      << e;
  // The stream works as before.
  std::vector<int> seven(16, 7), back(16, 0);
  cuda::copy_to_device(0, b->data, seven.data(), 64);
  cuda::copy_to_host(0, back.data(), b->data, 64);
  EXPECT_EQ(back, seven);
}

TEST_F(CudaRuntimeDevice, KernelsOfOneSourceRunInIssueOrder) {
  const char *source = R"(
extern "C" __global__ void fill(float *x, int n, float v) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    x[i] = v + i;
}
extern "C" __global__ void scale(float *x, int n, float k) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    x[i] *= k;
}
)";
  cuda::Function fill = cuda::function(0, source, "fill");
  cuda::Function scale = cuda::function(0, source, "scale");
  EXPECT_NE(fill, scale);
  const int n = 100000;
  Block b = allocate(n * sizeof(float));
  void *x = b->data;
  int count = n;
  float v = 0.5f, k = -3.0f;
  void *fillParams[] = {&x, &count, &v};
  void *scaleParams[] = {&x, &count, &k};
  cuda::Dim3 grid{(n + 255) / 256}, block{256};
  cuda::launch(0, fill, grid, block, 0, fillParams);
  cuda::launch(0, scale, grid, block, 0, scaleParams);
  std::vector<float> got(n);
  cuda::copy_to_host(0, got.data(), x, got.size() * sizeof(float));
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(got[size_t(i)], (0.5f + float(i)) * -3.0f) << "at " << i;
}

TEST_F(CudaRuntimeDevice, ThreadsAskingForOneKernelGetOneFunction) {
  const char *source = R"(
extern "C" __global__ void negate(int *x) { x[threadIdx.x] = -x[threadIdx.x]; }
)";
  constexpr int kThreads = 8;
  std::vector<cuda::Function> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back(
        [&, t] { got[size_t(t)] = cuda::function(0, source, "negate"); });
  for (std::thread &t : threads)
    t.join();
  for (cuda::Function f : got)
    EXPECT_EQ(f, got[0]);
  EXPECT_NE(got[0], nullptr);
}

TEST_F(CudaRuntimeDevice, SecondProcessLoadsTheCubinFromTheDiskCache) {
  // A source of this test only: no earlier test compiled it into the
  // process's memory.
  const char *source = R"(
extern "C" __global__ void plus_seven(int *x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    x[i] = i + 7;
}
)";
  auto run = [&] {
    cuda::Function f = cuda::function(0, source, "plus_seven");
    const int n = 300;
    Block b = allocate(n * sizeof(int));
    poison(b, n);
    void *x = b->data;
    int count = n;
    void *params[] = {&x, &count};
    cuda::launch(0, f, cuda::Dim3{3}, cuda::Dim3{128}, 0, params);
    std::vector<int> got = ints(b, n);
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(got[size_t(i)], i + 7) << "at " << i;
  };
  // The second process: its disk cache is the first one's (set here, as
  // the suites' environments move the cache at start).
  if (const char *dir = std::getenv("EJ_TEST_CUBIN_CHILD")) {
    ej::jit::set_disk_cache(dir);
    run();
    return;
  }
  std::string saved = ej::jit::disk_cache();
  std::string dir =
      ::testing::TempDir() + "ej-cubin-cache-" + std::to_string(getpid());
  fs::remove_all(dir);
  ej::jit::set_disk_cache(dir);
  run();
  ej::jit::set_disk_cache(saved);
  int entries = 0;
  for (const auto &e : fs::directory_iterator(dir))
    entries += e.path().extension() == ".ejk";
  EXPECT_EQ(entries, 1);

  std::string command = "EJ_TEST_CUBIN_CHILD='" + dir + "' EJ_LOG=jit '" +
                        fs::read_symlink("/proc/self/exe").string() +
                        "' --gtest_filter=CudaRuntimeDevice."
                        "SecondProcessLoadsTheCubinFromTheDiskCache 2>&1";
  FILE *child = popen(command.c_str(), "r");
  ASSERT_NE(child, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, child))
    output.append(buffer, n);
  int status = pclose(child);
  fs::remove_all(dir);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("cuda kernel plus_seven for " + cuda::architecture(0) +
                        " loaded from the disk cache"),
            std::string::npos)
      << output;
  EXPECT_EQ(output.find("compiled for"), std::string::npos) << output;
}

TEST_F(CudaRuntimeDevice, BadLaunchConfigurationNamesTheKernel) {
  cuda::Function f = cuda::function(0, kTwice, "twice");
  Block b = allocate(4096 * sizeof(int));
  void *out = b->data;
  int count = 4096;
  void *params[] = {&out, &count};
  std::string message = ref::error_of(
      [&] { cuda::launch(0, f, cuda::Dim3{2}, cuda::Dim3{2048}, 0, params); });
  EXPECT_EQ(message.rfind("CUDA error in cuLaunchKernel (kernel twice, grid "
                          "(2, 1, 1), block (2048, 1, 1), 0 bytes of shared "
                          "memory): CUDA_ERROR_INVALID_VALUE",
                          0),
            0u)
      << message;
  // A configuration error is not sticky: the stream goes on.
  poison(b, 4096);
  cuda::launch(0, f, cuda::Dim3{4}, cuda::Dim3{1024}, 0, params);
  std::vector<int> got = ints(b, 4096);
  EXPECT_EQ(got[4095], 2 * 4095);
}

TEST_F(CudaRuntimeDevice, CompileErrorCarriesNvrtcsLog) {
  std::string message = ref::error_of([] {
    cuda::function(
        0, "extern \"C\" __global__ void broken(float *x) { x[0] = nope; }",
        "broken");
  });
  EXPECT_EQ(message.rfind("nvrtc: compiling broken.cu for " +
                              cuda::architecture(0) + " failed",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("\"nope\""), std::string::npos) << message;
}

TEST_F(CudaRuntimeDevice, AKernelNotInTheSourceIsAnError) {
  std::string message =
      ref::error_of([] { cuda::function(0, kTwice, "thrice"); });
  EXPECT_EQ(message.rfind("CUDA error in cuModuleGetFunction (kernel thrice): "
                          "CUDA_ERROR_NOT_FOUND",
                          0),
            0u)
      << message;
}

TEST_F(CudaRuntimeDevice, MoreThanTheDeviceHoldsIsAnErrorNamingTheSize) {
  size_t memory = cuda::properties(0).memory;
  std::string message = ref::error_of([&] { allocate(memory + 1); });
  EXPECT_EQ(message, "cannot allocate " + std::to_string(memory + 1) +
                         " bytes on gpu:0: the device has " +
                         std::to_string(memory));
}

TEST_F(CudaRuntimeDevice, FailedAllocationHandsTheCacheBackThenThrows) {
  size_t memory = cuda::properties(0).memory;
  // `big` fits alone; with `small` cached beside it, it does not.
  uint32_t c = ej::runtime::size_class_of(memory / 5 * 4);
  if (ej::runtime::size_class_bytes(c) > memory / 5 * 4)
    --c;
  size_t big = ej::runtime::size_class_bytes(c);
  size_t small = ej::runtime::size_class_bytes(
      ej::runtime::size_class_of(memory - big + 1));
  ASSERT_LT(small, big);
  cuda::empty_cache(0);
  allocate(small).reset();
  ASSERT_EQ(cuda::cached_bytes(0), small);
  {
    Block b = allocate(big);
    EXPECT_EQ(b->capacity, big);
    EXPECT_EQ(cuda::cached_bytes(0), 0u);
    // A second one cannot fit: the error names the size and the device.
    std::string message = ref::error_of([&] { allocate(big); });
    EXPECT_EQ(message.rfind("CUDA error in cuMemAlloc_v2: "
                            "CUDA_ERROR_OUT_OF_MEMORY (out of memory): "
                            "cannot allocate " +
                                std::to_string(big) + " bytes on gpu:0",
                            0),
              0u)
        << message;
  }
  cuda::empty_cache(0);
  // The device is usable again.
  std::vector<unsigned char> data = randomBytes(100, 5);
  Block d = allocate(data.size());
  cuda::copy_to_device(0, d->data, data.data(), data.size());
  EXPECT_EQ(readBack(d, data.size()), data);
}

TEST_F(CudaRuntimeDevice, ThreadsShareTheAllocatorAndTheStream) {
  constexpr int kThreads = 8, kRounds = 200;
  std::vector<int> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 gen(static_cast<unsigned>(t));
      std::uniform_int_distribution<size_t> size(1, 256 * 1024);
      for (int r = 0; r < kRounds; ++r) {
        size_t n = size(gen);
        std::vector<unsigned char> data = randomBytes(n, gen());
        Block b = allocate(n);
        cuda::copy_to_device(0, b->data, data.data(), n);
        if (readBack(b, n) != data)
          ++failures[size_t(t)];
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[size_t(t)], 0) << "thread " << t;
}

} // namespace
