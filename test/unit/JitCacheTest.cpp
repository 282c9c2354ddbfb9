//===- JitCacheTest.cpp - Compiled kernels kept on disk -------------------===//
//
// The CPU code generator's kernels go to a disk cache; a kernel compiled
// before (by this process after clear_cache(), or by another) is loaded,
// counted in stats().cache_hits_disk. A damaged entry is compiled again and
// overwritten; a directory that cannot be written means no disk cache.
//
// The whole suite runs with the disk cache in a temporary directory of its
// own (never the user's), made here and removed at the end.
//
//===----------------------------------------------------------------------===//
#include "test/unit/JitHarness.h"
#include "test/unit/Reference.h"

#include "codegen/KernelCache.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using ej::Tensor;
using ejtest::JitScope;
using ejtest::without_jit;

std::string temp_dir(const std::string &name) {
  return ::testing::TempDir() + "ej-" + name + "-" + std::to_string(getpid());
}

// The suite's disk cache: hermetic, whatever EJ_JIT_DISK_CACHE says.
class SuiteDiskCache : public ::testing::Environment {
public:
  void SetUp() override {
    fs::remove_all(dir_);
    ej::jit::set_disk_cache(dir_);
  }
  void TearDown() override {
    ej::jit::wait_for_compiles();
    ej::jit::set_disk_cache("");
    fs::remove_all(dir_);
  }

private:
  std::string dir_ = temp_dir("kernel-cache");
};
::testing::Environment *const suite_disk_cache =
    ::testing::AddGlobalTestEnvironment(new SuiteDiskCache);

// An empty disk cache of its own for one test.
class DiskCacheScope {
public:
  explicit DiskCacheScope(const std::string &name)
      : saved_((ej::jit::wait_for_compiles(), ej::jit::disk_cache())),
        dir_(temp_dir(name)) {
    // Earlier tests' background compiles are done: only this test's
    // kernels go here.
    fs::remove_all(dir_);
    ej::jit::set_disk_cache(dir_);
  }
  ~DiskCacheScope() {
    ej::jit::set_disk_cache(saved_);
    fs::remove_all(dir_);
  }
  const std::string &dir() const { return dir_; }
  // The entries' paths.
  std::vector<std::string> entries() const {
    std::vector<std::string> paths;
    if (fs::exists(dir_))
      for (const auto &e : fs::directory_iterator(dir_))
        if (e.path().extension() == ".ejk")
          paths.push_back(e.path().string());
    return paths;
  }

private:
  std::string saved_, dir_;
};

// Steps whose region fuses into compiled kernels (a transcendental chain
// and a reduction).
std::vector<double> steps(int n) {
  ej::set_seed(21);
  Tensor x = ej::random_uniform({64, 32}, ej::float32, -1, 1);
  Tensor y = ej::random_uniform({64, 32}, ej::float32, 0.5, 1.5);
  for (int i = 0; i < n; ++i) {
    ej::Step step;
    x = ej::tanh(x * y + 0.5f) - ej::reduce_mean(x, {1}, true) * 0.1f;
  }
  return ref::values(x);
}

// Runs `steps` with the CPU code generator and every region forgotten first,
// so that each kernel is compiled or loaded again; checks the results.
ej::jit::Stats compile_and_run(const std::vector<double> &want) {
  ej::jit::clear_cache();
  ej::jit::reset_stats();
  std::vector<double> got = steps(6);
  ej::jit::Stats s = ej::jit::stats();
  ref::expect_close(got, want, 1e-5, 1e-6);
  EXPECT_GE(s.regions_compiled, 1u);
  EXPECT_GT(s.ops_compiled, 0u);
  return s;
}

TEST(JitDiskCache, AKernelCompiledOnceIsLoadedFromDiskAfterwards) {
  std::vector<double> want = without_jit([] { return steps(6); });
  DiskCacheScope disk("reuse");
  JitScope jit(ej::detail::cpu_compiler());
  ej::jit::Stats cold = compile_and_run(want);
  EXPECT_EQ(cold.cache_hits_disk, 0u);
  size_t kernels = disk.entries().size();
  ASSERT_GE(kernels, 1u);
  ej::jit::Stats warm = compile_and_run(want);
  EXPECT_EQ(warm.cache_hits_disk, kernels);
  EXPECT_EQ(disk.entries().size(), kernels);
}

TEST(JitDiskCache, ACorruptEntryIsCompiledAgainAndOverwritten) {
  std::vector<double> want = without_jit([] { return steps(6); });
  DiskCacheScope disk("corrupt");
  JitScope jit(ej::detail::cpu_compiler());
  compile_and_run(want);
  std::vector<std::string> entries = disk.entries();
  ASSERT_GE(entries.size(), 1u);
  // Garbage in every entry, or half of one: a write cut short.
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i == 0) {
      fs::resize_file(entries[i], fs::file_size(entries[i]) / 2);
      continue;
    }
    std::ofstream(entries[i], std::ios::binary | std::ios::trunc)
        << "not a kernel at all";
  }
  ej::jit::Stats rebuilt = compile_and_run(want);
  EXPECT_EQ(rebuilt.cache_hits_disk, 0u);
  // The entries were overwritten with good ones.
  ej::jit::Stats warm = compile_and_run(want);
  EXPECT_EQ(warm.cache_hits_disk, entries.size());
}

// An entry whose header and checksum are right but whose bytes are no
// object file (another writer's bug, say): the linker refuses it, and the
// kernel is compiled again.
TEST(JitDiskCache, AnEntryThatDoesNotLinkIsCompiledAgain) {
  std::vector<double> want = without_jit([] { return steps(6); });
  DiskCacheScope disk("unlinkable");
  JitScope jit(ej::detail::cpu_compiler());
  compile_and_run(want);
  std::vector<std::string> entries = disk.entries();
  ASSERT_GE(entries.size(), 1u);
  for (const std::string &path : entries)
    mlir::ej::writeCachedKernel(disk.dir(), fs::path(path).stem().string(),
                                "\x7f"
                                "ELF but nothing else");
  EXPECT_EQ(compile_and_run(want).cache_hits_disk, 0u);
  EXPECT_EQ(compile_and_run(want).cache_hits_disk, entries.size());
}

TEST(JitDiskCache, AnUnwritableDirectoryOnlyMeansNoDiskCache) {
  std::vector<double> want = without_jit([] { return steps(6); });
  DiskCacheScope disk("unwritable");
  fs::create_directories(disk.dir());
  // A directory under a plain file cannot be made, whoever runs the test.
  std::string blocker = disk.dir() + "/file";
  std::ofstream(blocker) << "x";
  ej::jit::set_disk_cache(blocker + "/cache");
  JitScope jit(ej::detail::cpu_compiler());
  EXPECT_EQ(compile_and_run(want).cache_hits_disk, 0u);
  EXPECT_EQ(compile_and_run(want).cache_hits_disk, 0u);
  EXPECT_FALSE(fs::exists(blocker + "/cache"));
}

TEST(JitDiskCache, OffItWritesNothing) {
  std::vector<double> want = without_jit([] { return steps(6); });
  DiskCacheScope disk("off");
  ej::jit::set_disk_cache("");
  EXPECT_EQ(ej::jit::disk_cache(), "");
  JitScope jit(ej::detail::cpu_compiler());
  EXPECT_EQ(compile_and_run(want).cache_hits_disk, 0u);
  EXPECT_EQ(compile_and_run(want).cache_hits_disk, 0u);
  EXPECT_TRUE(disk.entries().empty());
}

} // namespace
