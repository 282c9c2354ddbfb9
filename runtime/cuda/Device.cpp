//===- Device.cpp - Finding CUDA devices without linking the driver ------===//
//
// The driver library is opened with dlopen on first use, so the library
// loads and runs on machines with no GPU and no driver: num_gpus() is 0 there.
// Device names and the thread's DeviceScope stack live here too.
//
//===----------------------------------------------------------------------===//
#include "ej/device.h"

#include "ej/Error.h"

#include <cctype>
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

thread_local std::string current = "cpu:0";

// "cpu:0", "gpu:1", "/gpu:1", "/device:GPU:1", "GPU" (index 0): the kind
// ("cpu" or "gpu") and the index, or false.
bool parse(const std::string &name, std::string &kind, long &index) {
  std::string s;
  for (char c : name)
    s += char(std::tolower(static_cast<unsigned char>(c)));
  if (s.rfind("/device:", 0) == 0)
    s = s.substr(8);
  else if (!s.empty() && s[0] == '/')
    s = s.substr(1);
  size_t colon = s.find(':');
  kind = s.substr(0, colon);
  if (kind != "cpu" && kind != "gpu")
    return false;
  index = 0;
  if (colon == std::string::npos)
    return true;
  std::string digits = s.substr(colon + 1);
  if (digits.empty() || digits.size() > 6 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  index = std::stol(digits);
  return true;
}

} // namespace

int num_gpus() {
  static const int n = count_devices();
  return n;
}

std::string current_device() { return current; }

std::string check_device(const std::string &device) {
  std::string kind;
  long index = 0;
  if (!parse(device, kind, index))
    throw Error("device: expected \"cpu:0\" or \"gpu:N\", got \"" + device +
                "\"");
  std::string name = kind + ":" + std::to_string(index);
  if (kind == "cpu") {
    if (index != 0)
      throw Error(name + " requested but the only CPU device is cpu:0");
    return name;
  }
  int n = num_gpus();
  if (n == 0)
    throw Error(name +
                " requested but no CUDA device is present (num_gpus() == 0)");
  if (index >= n)
    throw Error(name + " requested but only " + std::to_string(n) +
                " CUDA device" + (n == 1 ? " is" : "s are") +
                " present (gpu:0 to gpu:" + std::to_string(n - 1) + ")");
  throw Error(name + " requested: the device is present, but this build "
                     "keeps tensors on cpu:0 (no GPU tensor storage yet)");
}

DeviceScope::DeviceScope(const std::string &device) : previous(current) {
  current = check_device(device);
}

DeviceScope::~DeviceScope() { current = previous; }

} // namespace ej
