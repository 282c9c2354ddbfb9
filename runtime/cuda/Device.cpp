//===- Device.cpp - Finding CUDA devices without linking the driver ------===//
//
// The driver library is opened with dlopen on first use, so the library
// loads and runs on machines with no GPU and no driver: num_gpus() is 0 there.
//
//===----------------------------------------------------------------------===//
#include "ej/device.h"

#include <dlfcn.h>

#if EJ_HAVE_CUDA_HEADERS
#include <cuda.h>
#else
using CUresult = int;
using CUdevice = int;
constexpr CUresult CUDA_SUCCESS = CUresult(0);
#endif

namespace ej {

namespace {

int count_devices() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return 0;
  using InitFn = CUresult (*)(unsigned);
  using CountFn = CUresult (*)(int *);
  auto init = reinterpret_cast<InitFn>(dlsym(lib, "cuInit"));
  auto count = reinterpret_cast<CountFn>(dlsym(lib, "cuDeviceGetCount"));
  int n = 0;
  // Any failure (no device, a driver too old for us) means no GPU.
  if (!init || !count || init(0) != CUDA_SUCCESS || count(&n) != CUDA_SUCCESS)
    n = 0;
  return n;
}

} // namespace

int num_gpus() {
  static const int n = count_devices();
  return n;
}

} // namespace ej
