//===- KernelCache.cpp - Compiled kernels kept on disk --------------------===//
//
// An entry: the magic "EJKERNEL", the format (little-endian u32), the key
// (64 hex digits), the object's size and its xxh3 checksum (u64 each), then
// the object's bytes.
//
//===----------------------------------------------------------------------===//
#include "codegen/KernelCache.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <set>

using namespace mlir;

namespace {

constexpr char kMagic[8] = {'E', 'J', 'K', 'E', 'R', 'N', 'E', 'L'};
constexpr uint32_t kFormat = 1;
constexpr size_t kKeySize = 64;
constexpr size_t kHeaderSize = sizeof kMagic + 4 + kKeySize + 8 + 8;

std::string defaultDirectory() {
  if (const char *dir = std::getenv("EJ_JIT_DISK_CACHE"))
    return std::strcmp(dir, "0") == 0 ? std::string() : std::string(dir);
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    return std::string(xdg) + "/eagerjit";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/eagerjit";
  return {};
}

struct Settings {
  std::mutex mu;
  std::string directory = defaultDirectory();
  // Directories a write failed in: reported once, not tried again.
  std::set<std::string> unwritable;
};

Settings &settings() {
  static Settings *s = new Settings; // compile threads may outlive statics
  return *s;
}

} // namespace

std::string ej::kernelCacheDirectory() {
  Settings &s = settings();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.directory;
}

void ej::setKernelCacheDirectory(const std::string &dir) {
  Settings &s = settings();
  std::lock_guard<std::mutex> lock(s.mu);
  s.directory = dir;
}

void ej::logJit(const std::string &line) {
  static const bool enabled = [] {
    const char *log = std::getenv("EJ_LOG");
    return log && std::strstr(log, "jit") != nullptr;
  }();
  if (enabled)
    std::cerr << "[ej jit] " + line + "\n";
}

std::string ej::cachedKernelPath(const std::string &dir,
                                 const std::string &key) {
  return dir + "/" + key + ".ejk";
}

std::unique_ptr<llvm::MemoryBuffer>
ej::readCachedKernel(const std::string &dir, const std::string &key) {
  std::string path = cachedKernelPath(dir, key);
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return nullptr; // no entry (or no directory)
  llvm::StringRef bytes = (*file)->getBuffer();
  auto damaged = [&](const char *why) {
    logJit("kernel " + key.substr(0, 16) + ": the disk cache's entry " + why +
           ", compiling again");
    return nullptr;
  };
  if (bytes.size() < kHeaderSize)
    return damaged("is truncated");
  const char *p = bytes.data();
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0)
    return damaged("is not a kernel");
  p += sizeof kMagic;
  if (llvm::support::endian::read32le(p) != kFormat)
    return damaged("has another format");
  p += 4;
  if (llvm::StringRef(p, kKeySize) != key)
    return damaged("holds another key");
  p += kKeySize;
  uint64_t size = llvm::support::endian::read64le(p);
  uint64_t checksum = llvm::support::endian::read64le(p + 8);
  llvm::StringRef object = bytes.drop_front(kHeaderSize);
  if (object.size() != size)
    return damaged("is truncated");
  if (llvm::xxh3_64bits(object) != checksum)
    return damaged("fails its checksum");
  // A copy: the object file reader wants its buffer aligned.
  return llvm::MemoryBuffer::getMemBufferCopy(object, path);
}

void ej::writeCachedKernel(const std::string &dir, const std::string &key,
                           const std::string &object) {
  if (key.size() != kKeySize)
    return;
  Settings &s = settings();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.unwritable.count(dir))
      return;
  }
  auto failed = [&](const std::string &what, std::error_code ec) {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.unwritable.insert(dir).second)
      logJit("no disk cache in " + dir + ": " + what + ": " + ec.message());
  };
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return failed("cannot make the directory", ec);
  // A unique temporary name in the same directory, renamed over the entry:
  // processes that store the same kernel at once each write a whole file.
  llvm::SmallString<256> tmp;
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(
          dir + "/" + key + ".tmp-%%%%%%%%", fd, tmp))
    return failed("cannot write", ec);
  char header[kHeaderSize];
  char *p = header;
  std::memcpy(p, kMagic, sizeof kMagic);
  p += sizeof kMagic;
  llvm::support::endian::write32le(p, kFormat);
  p += 4;
  std::memcpy(p, key.data(), kKeySize);
  p += kKeySize;
  llvm::support::endian::write64le(p, object.size());
  llvm::support::endian::write64le(p + 8, llvm::xxh3_64bits(object));
  bool ok;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write(header, kHeaderSize);
    os.write(object.data(), object.size());
    os.close();
    ok = !os.has_error();
    if (!ok) {
      failed("cannot write", os.error());
      os.clear_error();
    }
  }
  if (ok) {
    if (std::error_code ec =
            llvm::sys::fs::rename(tmp, cachedKernelPath(dir, key))) {
      failed("cannot rename an entry", ec);
      ok = false;
    }
  }
  if (!ok)
    llvm::sys::fs::remove(tmp);
}
