//===- device.h - Devices visible to EagerJIT ---------------------*- C++
//-*-===//
//
// The CUDA driver is loaded lazily: with no GPU or no driver installed,
// num_gpus() is 0 and everything runs on the CPU. Devices are named as in
// TensorFlow: "cpu:0", "gpu:0", "gpu:1", ... ("/gpu:0" and
// "/device:GPU:0" are accepted too).
//
// Tensors live on the CPU: this build has no device-resident storage yet.
// Asking for a GPU is therefore an ej::Error that says why: no device
// present, an index past the devices present, or no GPU storage in this
// build.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_DEVICE_H
#define EJ_DEVICE_H

#include <string>

namespace ej {

/// The number of CUDA devices the driver reports (0 without a driver).
int num_gpus();

/// The device new tensors of this thread are placed on ("cpu:0" outside
/// any DeviceScope).
std::string current_device();

/// `device` in canonical form ("cpu:0", "gpu:1"), checked against the
/// devices present; throws ej::Error for a name that is not a device, a
/// device that is not present, or a GPU while tensors cannot live there.
std::string check_device(const std::string &device);

/// Places the tensors this thread creates on `device` until the scope ends,
/// like `with tf.device("gpu:0"):`. Scopes nest; the constructor throws
/// ej::Error (see check_device) and then changes nothing.
class DeviceScope {
public:
  explicit DeviceScope(const std::string &device);
  ~DeviceScope();
  DeviceScope(const DeviceScope &) = delete;
  DeviceScope &operator=(const DeviceScope &) = delete;

private:
  std::string previous;
};

} // namespace ej

#endif // EJ_DEVICE_H
