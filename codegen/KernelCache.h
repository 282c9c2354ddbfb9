//===- KernelCache.h - Compiled kernels kept on disk ------------*- C++ -*-===//
//
// The object files of compiled kernels, kept between processes in one
// directory: `$EJ_JIT_DISK_CACHE`, else `$XDG_CACHE_HOME/eagerjit`, else
// `~/.cache/eagerjit` (`EJ_JIT_DISK_CACHE=0` turns the cache off). An entry
// is named by its key (a SHA-256 in hex, see CpuCompiler.cpp) and holds a
// header -- magic, the key, the object's size and checksum -- then the
// object. Entries are written to a temporary file and renamed, so a reader
// sees a whole entry or none; an entry whose header or checksum is wrong is
// reported as absent (and the caller overwrites it). A directory that cannot
// be made or written only means no disk cache: one line under EJ_LOG=jit.
// The cache is bounded (kernelCacheLimit): old entries make room.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_KERNELCACHE_H
#define EJ_CODEGEN_KERNELCACHE_H

#include <cstdint>
#include <memory>
#include <string>

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace mlir::ej {

/// The directory of the disk cache; empty when it is off.
std::string kernelCacheDirectory();

/// Moves the disk cache to `dir` (made when first written); empty turns it
/// off. Kernels compiled from then on read and write there.
void setKernelCacheDirectory(const std::string &dir);

/// The most bytes the cache's entries may take (`EJ_JIT_DISK_CACHE_MB`,
/// default 1024 MB). A write that passes it removes the entries used least
/// recently (read or written), down to three quarters of it.
uint64_t kernelCacheLimit();
void setKernelCacheLimit(uint64_t bytes);

/// The object stored under `key` in `dir`; null when there is none, or when
/// the entry is damaged (truncated, overwritten: one log line).
std::unique_ptr<llvm::MemoryBuffer> readCachedKernel(const std::string &dir,
                                                     const std::string &key);

/// Stores `object` under `key` in `dir`, atomically. A failure is logged
/// (once per directory) and otherwise ignored.
void writeCachedKernel(const std::string &dir, const std::string &key,
                       const std::string &object);

/// The path of the entry for `key` in `dir`.
std::string cachedKernelPath(const std::string &dir, const std::string &key);

/// Whether EJ_LOG contains "jit".
bool jitLogging();

/// Writes `line` to stderr, as "[ej jit] line", when jitLogging().
void logJit(const std::string &line);

} // namespace mlir::ej

#endif // EJ_CODEGEN_KERNELCACHE_H
