//===- device.h - Devices visible to EagerJIT ----------------------*- C++
//-*-===//
//
// The CUDA driver is loaded lazily: with no GPU or no driver installed,
// num_gpus() is 0 and everything runs on the CPU. Devices are named as in
// TensorFlow: "cpu:0", "gpu:0", "gpu:1", ... ("/gpu:0" and
// "/device:GPU:0" are accepted too).
//
// A tensor lives on one device (Tensor::device(); Tensor::gpu() and cpu()
// copy it over). An op runs on its inputs' device; inputs on different
// devices are an ej::Error, except scalars (rank 0), which are copied to
// the op's device. Ops without inputs (zeros, random_normal, constant)
// create their result on the thread's current device: "cpu:0", or the
// device of the innermost DeviceScope.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_DEVICE_H
#define EJ_DEVICE_H

#include <string>

namespace ej {

/// The number of CUDA devices the driver reports (0 without a driver).
int num_gpus();

/// Waits until every GPU has finished the work issued to it (as
/// torch.cuda.synchronize() does): GPU ops run asynchronously, and only
/// reading a value on the host waits for them. It first runs the ops this
/// thread's JIT holds back to run as one region, so it also ends a region,
/// as the end of an ej::Step does (a loop that synchronizes each iteration
/// is cut there).
void synchronize();

/// The device new tensors of this thread are placed on ("cpu:0" outside
/// any DeviceScope).
std::string current_device();

/// `device` in canonical form ("cpu:0", "gpu:1"), checked against the
/// devices present; throws ej::Error for a name that is not a device or a
/// device that is not present.
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
  int previous;
};

/// Lets float32 matmuls and convolutions on GPUs use TF32 tensor cores
/// (inputs rounded to 10-bit mantissas, about 1e-3 relative error, several
/// times faster), as torch.backends.cuda.matmul.allow_tf32 does. Off by
/// default: float32 products are then as accurate as fp32 arithmetic.
/// Applies to every thread from the next product on.
void set_gpu_tf32(bool enabled);

} // namespace ej

#endif // EJ_DEVICE_H
