//===- SuiteDiskCache.h - A test binary's own kernel disk cache -*- C++ -*-===//
//
// Tests that compile kernels keep them in a directory of their own, made
// and removed around the whole binary's run, never in the user's cache:
// define EJ_SUITE_DISK_CACHE in one file of the binary.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_CODEGEN_SUITEDISKCACHE_H
#define EJ_TEST_CODEGEN_SUITEDISKCACHE_H

#include "codegen/KernelCache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace ejtest {

/// A directory under GoogleTest's temporary directory, unique to this
/// process.
inline std::string tempDir(const std::string &name) {
  return ::testing::TempDir() + "ej-codegen-" + name + "-" +
         std::to_string(getpid());
}

class SuiteDiskCache : public ::testing::Environment {
public:
  void SetUp() override {
    std::filesystem::remove_all(dir_);
    mlir::ej::setKernelCacheDirectory(dir_);
  }
  void TearDown() override {
    mlir::ej::setKernelCacheDirectory("");
    std::filesystem::remove_all(dir_);
  }

private:
  std::string dir_ = tempDir("kernel-cache");
};

} // namespace ejtest

#define EJ_SUITE_DISK_CACHE                                                    \
  ::testing::Environment *const ej_suite_disk_cache =                          \
      ::testing::AddGlobalTestEnvironment(new ::ejtest::SuiteDiskCache)

#endif // EJ_TEST_CODEGEN_SUITEDISKCACHE_H
