//===- Device.h - Devices as indices, inside the library -----------*- C++
//-*-===//
//
// The public API names devices by strings (ej/device.h); inside, a device
// is runtime::kHost or a CUDA device's index, as TensorImpl::device holds it.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_DEVICE_H
#define EJ_LIB_DEVICE_H

#include "ej/Tensor.h"
#include "runtime/cpu/Allocator.h"

#include <string>

namespace ej::detail {

/// "cpu:0" or "gpu:N".
std::string device_name(int device);

/// The index of a device name (see ej::check_device for the errors).
int device_index(const std::string &device);

/// The device records without inputs put their results on in this thread.
int current_device_index();

/// Makes `device` the thread's current device until the scope ends (as
/// ej::DeviceScope does, for a device already checked).
class DeviceIndexScope {
public:
  explicit DeviceIndexScope(int device);
  ~DeviceIndexScope();
  DeviceIndexScope(const DeviceIndexScope &) = delete;
  DeviceIndexScope &operator=(const DeviceIndexScope &) = delete;

private:
  int previous;
};

/// A float or int scalar constant of the library's own (an optimizer's
/// betas, a schedule's rate, a loss's NaN) on the host, whatever the
/// current device: an op moves it to its device, and a GPU region takes it
/// as an argument, uploaded with the others, where one made on the GPU
/// would be a kernel launch each time it is made.
Tensor host_scalar(double value, DType dtype);

} // namespace ej::detail

#endif // EJ_LIB_DEVICE_H
