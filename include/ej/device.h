//===- device.h - Devices visible to EagerJIT ----------------------*- C++
//-*-===//
//
// The CUDA driver is loaded lazily: with no GPU or no driver installed,
// num_gpus() is 0 and everything runs on the CPU.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_DEVICE_H
#define EJ_DEVICE_H

namespace ej {

/// The number of CUDA devices the driver reports (0 without a driver).
int num_gpus();

} // namespace ej

#endif // EJ_DEVICE_H
