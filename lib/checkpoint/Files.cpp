//===- Files.cpp - Whole-file reads and atomic writes ---------------------===//
//
// The write is atomic the POSIX way: a temporary file in the same
// directory (so rename() does not cross file systems), fsync, then rename.
//
//===----------------------------------------------------------------------===//
#include "lib/checkpoint/Files.h"
#include "ej/Error.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

namespace ej::detail {
namespace {

[[noreturn]] void fail_io(const char *op, const std::string &path,
                          const std::string &what) {
  throw Error(std::string(op) + ": " + path + ": " + what + " (" +
              std::strerror(errno) + ")");
}

} // namespace

std::string read_whole_file(const char *op, const std::string &path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    errno = EISDIR;
    fail_io(op, path, "cannot read the file");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f)
    fail_io(op, path, "cannot open the file");
  std::string data((std::istreambuf_iterator<char>(f)),
                   std::istreambuf_iterator<char>());
  if (f.bad())
    fail_io(op, path, "cannot read the file");
  return data;
}

void write_file_atomically(const char *op, const std::string &path,
                           const std::string &bytes) {
  if (path.empty())
    throw Error(std::string(op) + ": the path is empty");
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    errno = EISDIR;
    fail_io(op, path, "cannot write the file");
  }
  static std::atomic<unsigned> counter{0};
  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    fail_io(op, path, "cannot create the temporary file " + tmp);
  const char *p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = e;
      fail_io(op, path, "cannot write the temporary file " + tmp);
    }
    p += n;
    left -= size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    errno = e;
    fail_io(op, path, "cannot flush the temporary file " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    errno = e;
    fail_io(op, path, "cannot rename " + tmp + " over it");
  }
}

} // namespace ej::detail
