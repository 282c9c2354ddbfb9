//===- Nvrtc.cpp - CUDA C to cubin with NVRTC -----------------------------===//
//
// The few NVRTC entry points used here are declared with their C
// signatures and looked up with dlsym, so that this file compiles without
// the toolkit's headers.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Nvrtc.h"
#include "runtime/cuda/Library.h"

#include "ej/Error.h"

#include <cstdlib>
#include <mutex>

namespace ej::cuda {

namespace {

using Result = int; // nvrtcResult; 0 is NVRTC_SUCCESS
using Program = struct Opaque *;

struct Api {
  void *lib = nullptr;
  const char *(*errorString)(Result) = nullptr;
  Result (*version)(int *, int *) = nullptr;
  Result (*create)(Program *, const char *, const char *, int,
                   const char *const *, const char *const *) = nullptr;
  Result (*compile)(Program, int, const char *const *) = nullptr;
  Result (*logSize)(Program, size_t *) = nullptr;
  Result (*log)(Program, char *) = nullptr;
  Result (*cubinSize)(Program, size_t *) = nullptr;
  Result (*cubin)(Program, char *) = nullptr;
  Result (*destroy)(Program *) = nullptr;
  std::string tried;
};

const Api &api() {
  static Api a;
  static std::once_flag once;
  std::call_once(once, [] {
    a.lib = open_toolkit_library("libnvrtc.so.13", "libnvrtc.so", a.tried);
    if (!a.lib)
      return;
    bool ok = find_symbol(a.lib, "nvrtcGetErrorString", a.errorString) &&
              find_symbol(a.lib, "nvrtcVersion", a.version) &&
              find_symbol(a.lib, "nvrtcCreateProgram", a.create) &&
              find_symbol(a.lib, "nvrtcCompileProgram", a.compile) &&
              find_symbol(a.lib, "nvrtcGetProgramLogSize", a.logSize) &&
              find_symbol(a.lib, "nvrtcGetProgramLog", a.log) &&
              find_symbol(a.lib, "nvrtcGetCUBINSize", a.cubinSize) &&
              find_symbol(a.lib, "nvrtcGetCUBIN", a.cubin) &&
              find_symbol(a.lib, "nvrtcDestroyProgram", a.destroy);
    if (!ok) {
      dlclose(a.lib);
      a.lib = nullptr;
    }
  });
  return a;
}

const Api &need() {
  const Api &a = api();
  if (!a.lib)
    throw Error("nvrtc: libnvrtc could not be loaded (tried " + a.tried +
                "); install the CUDA toolkit or add its lib64 to "
                "LD_LIBRARY_PATH");
  return a;
}

} // namespace

bool nvrtc_available() { return api().lib != nullptr; }

std::string nvrtc_version() {
  const Api &a = need();
  int major = 0, minor = 0;
  a.version(&major, &minor);
  return std::to_string(major) + "." + std::to_string(minor);
}

const std::vector<std::string> &kernel_options() {
  static const std::vector<std::string> options = {"-default-device",
                                                   "--fmad=false"};
  return options;
}

std::vector<char> compile_to_cubin(const std::string &source,
                                   const std::string &name,
                                   const std::string &arch,
                                   const std::vector<std::string> &options) {
  const Api &a = need();
  Program program = nullptr;
  auto fail = [&](const std::string &what, Result r) -> Error {
    return Error("nvrtc: " + what + " " + name + ": " + a.errorString(r));
  };
  if (Result r =
          a.create(&program, source.c_str(), name.c_str(), 0, nullptr, nullptr))
    throw fail("cannot create a program for", r);
  struct Destroy {
    const Api &a;
    Program &p;
    ~Destroy() { a.destroy(&p); }
  } destroy{a, program};

  // A real architecture gives SASS (a cubin) rather than PTX.
  std::vector<std::string> all = {"--gpu-architecture=" + arch, "-std=c++17"};
  all.insert(all.end(), options.begin(), options.end());
  std::vector<const char *> argv;
  for (const std::string &o : all)
    argv.push_back(o.c_str());
  Result r = a.compile(program, int(argv.size()), argv.data());
  size_t logSize = 0;
  std::string log;
  if (a.logSize(program, &logSize) == 0 && logSize > 1) {
    log.resize(logSize);
    a.log(program, log.data());
    log.resize(logSize - 1);
  }
  if (r)
    throw Error("nvrtc: compiling " + name + " for " + arch + " failed (" +
                a.errorString(r) + "):\n" + log);
  size_t size = 0;
  if (Result e = a.cubinSize(program, &size))
    throw fail("no cubin for", e);
  std::vector<char> cubin(size);
  if (Result e = a.cubin(program, cubin.data()))
    throw fail("no cubin for", e);
  return cubin;
}

} // namespace ej::cuda
