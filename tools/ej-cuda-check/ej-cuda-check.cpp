//===- ej-cuda-check.cpp - Compile and load emitted CUDA C on a device ----===//
//
// Reads CUDA C files that ej-translate --ej-to-cuda wrote, compiles each
// with NVRTC for the device's architecture (sm_90 without a device), and,
// where a device is present, loads the cubin through the driver and looks
// up every kernel of the file's plan comments. It needs neither LLVM nor
// MLIR, so that it runs on GPU machines that have only CUDA; the driver
// and NVRTC are opened with dlopen.
//
//   ej-cuda-check [--arch=sm_XY] FILE.cu...
//
// Prints one line per file; the exit status is 0 when every file compiled
// and, with a device, loaded with all its kernels.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Nvrtc.h"

#include "ej/Error.h"

#include <dlfcn.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The driver entry points used here, with their C signatures (CUresult is
// an int, 0 on success; handles are pointers or ints).
struct Driver {
  void *lib = nullptr;
  int (*init)(unsigned) = nullptr;
  int (*deviceCount)(int *) = nullptr;
  int (*deviceGet)(int *, int) = nullptr;
  int (*attribute)(int *, int, int) = nullptr;
  int (*retain)(void **, int) = nullptr;
  int (*setCurrent)(void *) = nullptr;
  int (*load)(void **, const void *) = nullptr;
  int (*function)(void **, void *, const char *) = nullptr;
  int (*unload)(void *) = nullptr;
  void *context = nullptr;
  int device = 0;

  // Whether a device is present and a context on it is current.
  bool open() {
    lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      return false;
    auto get = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(lib, name));
      return fn != nullptr;
    };
    int n = 0;
    return get(init, "cuInit") && get(deviceCount, "cuDeviceGetCount") &&
           get(deviceGet, "cuDeviceGet") &&
           get(attribute, "cuDeviceGetAttribute") &&
           get(retain, "cuDevicePrimaryCtxRetain") &&
           get(setCurrent, "cuCtxSetCurrent") &&
           get(load, "cuModuleLoadData") &&
           get(function, "cuModuleGetFunction") &&
           get(unload, "cuModuleUnload") && init(0) == 0 &&
           deviceCount(&n) == 0 && n > 0 && deviceGet(&device, 0) == 0 &&
           retain(&context, device) == 0 && setCurrent(context) == 0;
  }

  std::string arch() {
    // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR.
    int major = 0, minor = 0;
    attribute(&major, 75, device);
    attribute(&minor, 76, device);
    return "sm_" + std::to_string(major) + std::to_string(minor);
  }
};

// The kernels of a file: the plan comment lines `//   NAME<<<grid, block>>>`.
std::vector<std::string> kernelsOf(const std::string &source) {
  std::vector<std::string> names;
  std::istringstream in(source);
  for (std::string line; std::getline(in, line);) {
    size_t launch = line.find("<<<");
    if (line.rfind("//   ", 0) == 0 && launch != std::string::npos)
      names.push_back(line.substr(5, launch - 5));
  }
  return names;
}

} // namespace

int main(int argc, char **argv) {
  std::string arch;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--arch=", 0) == 0)
      arch = a.substr(7);
    else
      files.push_back(a);
  }
  if (files.empty()) {
    std::cerr << "usage: ej-cuda-check [--arch=sm_XY] FILE.cu...\n";
    return 2;
  }
  Driver driver;
  bool device = driver.open();
  if (arch.empty())
    arch = device ? driver.arch() : "sm_90";
  std::cout << "device: "
            << (device ? "present, " + driver.arch()
                       : std::string("none (compile only)"))
            << "; compiling for " << arch << "; nvrtc "
            << (ej::cuda::nvrtc_available() ? ej::cuda::nvrtc_version()
                                            : std::string("missing"))
            << "\n";
  int failures = 0;
  for (const std::string &path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string source = text.str();
    std::vector<std::string> kernels = kernelsOf(source);
    try {
      std::vector<char> cubin = ej::cuda::compile_to_cubin(
          source, path, arch, ej::cuda::kernel_options());
      std::string status = "compiled (" + std::to_string(cubin.size()) +
                           " bytes, " + std::to_string(kernels.size()) +
                           " kernels)";
      if (device) {
        void *module = nullptr;
        if (int r = driver.load(&module, cubin.data()))
          throw ej::Error("cuModuleLoadData failed with CUresult " +
                          std::to_string(r));
        for (const std::string &k : kernels) {
          void *fn = nullptr;
          if (int r = driver.function(&fn, module, k.c_str()))
            throw ej::Error("kernel " + k + " not found (CUresult " +
                            std::to_string(r) + ")");
        }
        driver.unload(module);
        status += ", loaded on the device";
      }
      std::cout << "PASS " << path << ": " << status << "\n";
    } catch (const ej::Error &e) {
      ++failures;
      std::cout << "FAIL " << path << ": " << e.what() << "\n";
    }
  }
  std::cout << files.size() - failures << " of " << files.size()
            << " files passed\n";
  return failures ? 1 : 0;
}
