//===- Device.cpp - Device names, DeviceScope and placement ---------------===//
//
// A device is an index: runtime::kHost (-1) for "cpu:0", N for "gpu:N".
// Names follow TensorFlow ("cpu:0", "gpu:1", "/gpu:1", "/device:GPU:1").
// The thread's current device is where records without inputs (creation
// ops) put their results; every other op runs on its inputs' device
// (lib/OpSupport.cpp).
//
//===----------------------------------------------------------------------===//
#include "ej/device.h"

#include "ej/Error.h"
#include "ej/ops.h"
#include "lib/Device.h"
#include "lib/Trace.h"
#include "runtime/cuda/Runtime.h"

#include <cctype>

namespace ej {

namespace {

thread_local int current = runtime::kHost;

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

namespace detail {

std::string device_name(int device) {
  return device == runtime::kHost ? "cpu:0" : "gpu:" + std::to_string(device);
}

int device_index(const std::string &device) {
  std::string kind;
  long index = 0;
  if (!parse(device, kind, index))
    throw Error("device: expected \"cpu:0\" or \"gpu:N\", got \"" + device +
                "\"");
  std::string name = kind + ":" + std::to_string(index);
  if (kind == "cpu") {
    if (index != 0)
      throw Error(name + " requested but the only CPU device is cpu:0");
    return runtime::kHost;
  }
  int n = num_gpus();
  if (n == 0)
    throw Error(name +
                " requested but no CUDA device is present (num_gpus() == 0)");
  if (index >= n)
    throw Error(name + " requested but only " + std::to_string(n) +
                " CUDA device" + (n == 1 ? " is" : "s are") +
                " present (gpu:0 to gpu:" + std::to_string(n - 1) + ")");
  return int(index);
}

int current_device_index() { return current; }

DeviceIndexScope::DeviceIndexScope(int device) : previous(current) {
  current = device;
}
DeviceIndexScope::~DeviceIndexScope() { current = previous; }

Tensor host_scalar(double value, DType dtype) {
  DeviceIndexScope host(runtime::kHost);
  return fill({}, value, dtype);
}

} // namespace detail

int num_gpus() { return cuda::device_count(); }

void synchronize() {
  // The ops this thread's JIT holds back (a region being matched) are
  // issued first: "the work issued" includes them.
  detail::Trace::current().boundary();
  // Only devices in use: opening the others would make their contexts.
  for (int d = 0; d < num_gpus(); ++d)
    if (cuda::in_use(d))
      cuda::synchronize(d);
}

std::string current_device() { return detail::device_name(current); }

std::string check_device(const std::string &device) {
  return detail::device_name(detail::device_index(device));
}

DeviceScope::DeviceScope(const std::string &device) : previous(current) {
  current = detail::device_index(device);
}

DeviceScope::~DeviceScope() { current = previous; }

} // namespace ej
