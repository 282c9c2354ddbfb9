//===- KernelCacheTest.cpp - Compiled kernels kept on disk ----------------===//
//
// compileCpuFunction stores each kernel's object in the disk cache and loads
// it the next time; a damaged entry is compiled again and overwritten. The
// codegen tests run with the disk cache in a temporary directory of their
// own (never the user's).
//
//===----------------------------------------------------------------------===//
#include "Harness.h"
#include "SuiteDiskCache.h"

#include "codegen/KernelCache.h"

#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace ejtest;
using mlir::ej::ElementType;

EJ_SUITE_DISK_CACHE;

const char *const kChain = R"(
func.func @f(%a: tensor<4x37xf32>, %b: tensor<37xf32>) -> tensor<4x37xf32> {
  %0 = ej.mul %a, %b : tensor<4x37xf32>, tensor<37xf32>
  %1 = ej.tanh %0 : tensor<4x37xf32>
  %2 = ej.exp %1 : tensor<4x37xf32>
  return %2 : tensor<4x37xf32>
}
)";

// Compiles kChain (or loads it) and runs it on fixed random inputs.
std::vector<double> chain(bool &fromDisk) {
  auto fn = compile(kChain);
  if (!fn)
    return {};
  fromDisk = fn->loadedFromDisk();
  static const Array a = random({4, 37}, ElementType::Float32);
  static const Array b = random({37}, ElementType::Float32);
  return run(*fn, {a, b})[0].v;
}

std::vector<std::string> entries(const std::string &dir) {
  std::vector<std::string> paths;
  for (const auto &e : fs::directory_iterator(dir))
    if (e.path().extension() == ".ejk")
      paths.push_back(e.path().string());
  return paths;
}

TEST(KernelCache, AKernelIsCompiledOnceThenLoadedAndComputesTheSame) {
  std::string saved = mlir::ej::kernelCacheDirectory();
  std::string dir = ejtest::tempDir("reuse");
  fs::remove_all(dir);
  mlir::ej::setKernelCacheDirectory(dir);
  bool fromDisk = true;
  std::vector<double> compiled = chain(fromDisk);
  EXPECT_FALSE(fromDisk);
  ASSERT_EQ(entries(dir).size(), 1u);
  std::vector<double> loaded = chain(fromDisk);
  EXPECT_TRUE(fromDisk);
  EXPECT_EQ(loaded, compiled);

  // Damaged, the entry is compiled again and overwritten.
  std::string path = entries(dir)[0];
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(fs::file_size(path) / 2));
    f << "flipped bytes";
  }
  EXPECT_EQ(chain(fromDisk), compiled);
  EXPECT_FALSE(fromDisk);
  EXPECT_EQ(chain(fromDisk), compiled);
  EXPECT_TRUE(fromDisk);

  mlir::ej::setKernelCacheDirectory(saved);
  fs::remove_all(dir);
}

// The key covers the IR: another function is another entry.
TEST(KernelCache, AnotherKernelIsAnotherEntry) {
  std::string saved = mlir::ej::kernelCacheDirectory();
  std::string dir = ejtest::tempDir("keys");
  fs::remove_all(dir);
  mlir::ej::setKernelCacheDirectory(dir);
  bool fromDisk = true;
  chain(fromDisk);
  std::string other = kChain;
  other.replace(other.find("ej.tanh"), 7, "ej.sin");
  auto fn = compile(other);
  ASSERT_TRUE(fn);
  EXPECT_FALSE(fn->loadedFromDisk());
  EXPECT_EQ(entries(dir).size(), 2u);
  mlir::ej::setKernelCacheDirectory(saved);
  fs::remove_all(dir);
}

} // namespace

// Past the size limit, a write removes the entries used least recently
// (a read counts as a use) down to three quarters of the limit, and the
// temporary files a dead writer left long ago.
TEST(KernelCache, AFullCacheDropsTheEntriesUsedLeastRecently) {
  std::string dir = ejtest::tempDir("bounded");
  fs::remove_all(dir);
  fs::create_directories(dir);
  uint64_t saved = mlir::ej::kernelCacheLimit();
  mlir::ej::setKernelCacheLimit(10000);
  std::string object(2000, 'o');
  auto key = [](int i) { return std::string(63, 'a') + char('0' + i); };
  auto age = [&](const std::string &path, int hours) {
    fs::last_write_time(path, fs::file_time_type::clock::now() -
                                  std::chrono::hours(hours));
  };
  for (int i = 0; i < 4; ++i) { // about 8.5 KB: within the limit
    mlir::ej::writeCachedKernel(dir, key(i), object);
    age(mlir::ej::cachedKernelPath(dir, key(i)), 10 - i); // 0 oldest
  }
  std::string stale = dir + "/" + key(9) + ".tmp-abcdefgh";
  std::ofstream(stale) << "half an entry";
  age(stale, 2);
  EXPECT_EQ(entries(dir).size(), 4u);
  // Reading entry 0 makes it the most recent; the next write passes the
  // limit and removes 1 and 2 (down to 7500 bytes).
  ASSERT_TRUE(mlir::ej::readCachedKernel(dir, key(0)));
  mlir::ej::writeCachedKernel(dir, key(4), object);
  mlir::ej::setKernelCacheLimit(saved);
  auto exists = [&](int i) {
    return fs::exists(mlir::ej::cachedKernelPath(dir, key(i)));
  };
  EXPECT_TRUE(exists(0));
  EXPECT_FALSE(exists(1));
  EXPECT_FALSE(exists(2));
  EXPECT_TRUE(exists(3));
  EXPECT_TRUE(exists(4));
  EXPECT_FALSE(fs::exists(stale));
  fs::remove_all(dir);
}
