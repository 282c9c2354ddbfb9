//===- KernelCache.cpp - Compiled kernels kept on disk --------------------===//
//
// An entry: the magic "EJKERNEL", the format (little-endian u32), the key
// (64 hex digits), the object's size and its xxh3 checksum (u64 each), then
// the object's bytes. A write past the size limit removes the entries read
// or written least recently.
//
//===----------------------------------------------------------------------===//
#include "codegen/KernelCache.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <utime.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <vector>

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

uint64_t defaultLimit() {
  const char *mb = std::getenv("EJ_JIT_DISK_CACHE_MB");
  char *end = nullptr;
  long long n = mb && *mb ? std::strtoll(mb, &end, 10) : -1;
  return (n >= 0 && end && *end == 0) ? uint64_t(n) << 20 : uint64_t(1) << 30;
}

struct Settings {
  std::mutex mu;
  std::string directory = defaultDirectory();
  uint64_t limit = defaultLimit();
  // Per directory: the bytes its entries take, as trim() last counted them
  // plus what this process wrote since.
  std::map<std::string, uint64_t> bytes;
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

bool ej::jitLogging() {
  static const bool enabled = [] {
    const char *log = std::getenv("EJ_LOG");
    return log && std::strstr(log, "jit") != nullptr;
  }();
  return enabled;
}

void ej::logJit(const std::string &line) {
  if (jitLogging())
    std::cerr << "[ej jit] " + line + "\n";
}

void ej::setKernelCacheLimit(uint64_t bytes) {
  Settings &s = settings();
  std::lock_guard<std::mutex> lock(s.mu);
  s.limit = bytes;
}

uint64_t ej::kernelCacheLimit() {
  Settings &s = settings();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.limit;
}

namespace {

// Keeps the entries of `dir` within the limit: past it, the entries used
// least recently (a read touches its entry) go until three quarters of the
// limit are left. Temporary files that a process left an hour ago or more
// (it died while writing) go too. Other processes may remove the same
// files at the same time: a failed removal is not an error. Returns the
// bytes left.
uint64_t trim(const std::string &dir, const std::string &newest) {
  struct Entry {
    std::string path;
    uint64_t size;
    llvm::sys::TimePoint<> used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  auto now = std::chrono::system_clock::now();
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    llvm::ErrorOr<llvm::sys::fs::basic_file_status> found = it->status();
    if (!found)
      continue;
    const llvm::sys::fs::basic_file_status &status = *found;
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.contains(".tmp-")) {
      if (now - status.getLastModificationTime() > std::chrono::hours(1))
        llvm::sys::fs::remove(it->path());
      continue;
    }
    if (!name.ends_with(".ejk"))
      continue;
    entries.push_back(
        {it->path(), status.getSize(), status.getLastModificationTime()});
    total += status.getSize();
  }
  uint64_t limit = ej::kernelCacheLimit();
  if (total <= limit)
    return total;
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.used < b.used; });
  uint64_t keep = limit / 4 * 3;
  for (const Entry &e : entries) {
    if (total <= keep)
      break;
    if (e.path == newest) // just written: kept even past the limit
      continue;
    llvm::sys::fs::remove(e.path);
    total -= e.size;
  }
  ej::logJit("disk cache " + dir + " trimmed to " +
             std::to_string(total >> 20) + " MB (limit " +
             std::to_string(limit >> 20) + " MB)");
  return total;
}

} // namespace

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
  // Used now: the last to go when the cache is trimmed.
  ::utime(path.c_str(), nullptr);
  // A copy: the object file reader wants its buffer aligned.
  return llvm::MemoryBuffer::getMemBufferCopy(object, path);
}

namespace {

// Adds an entry of `size` bytes to what `dir` is known to hold, the
// directory's size as trim() last counted it plus what this process wrote
// since: the directory is scanned again only when that passes the limit
// (or on the first write), not on every write.
void account(const std::string &dir, const std::string &newest, uint64_t size) {
  Settings &s = settings();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.bytes.find(dir);
    if (it != s.bytes.end() && it->second + size <= s.limit) {
      it->second += size;
      return;
    }
  }
  uint64_t total = trim(dir, newest);
  std::lock_guard<std::mutex> lock(s.mu);
  s.bytes[dir] = total;
}

} // namespace

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
  else
    account(dir, cachedKernelPath(dir, key), kHeaderSize + object.size());
}
