//===- DriverTypes.h - The CUDA driver's graph node types -------*- C++ -*-===//
//
// The structs and enum values of the driver's graph node calls, laid out
// as cuda.h lays them out, without the toolkit's headers (the library
// compiles without them). The library reads and changes captured graphs
// through them (runtime/cuda/Runtime.cpp), and the emulated device answers
// the same calls (test/cuda/HostDevice.cpp): one declaration serves both.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_DRIVERTYPES_H
#define EJ_RUNTIME_CUDA_DRIVERTYPES_H

#include <cstddef>

namespace ej::cuda::driver_types {

/// CUgraphNodeType: the kinds of node that a captured graph's work is read
/// from, and those that hold no address of the library's buffers.
enum NodeType : int {
  kKernelNode = 0,
  kMemcpyNode = 1,
  kMemsetNode = 2,
  kEmptyNode = 5,
  kWaitEventNode = 6,
  kEventRecordNode = 7,
  kMemAllocNode = 10,
  kMemFreeNode = 11,
};

/// CU_MEMORYTYPE_DEVICE.
constexpr int kDeviceMemory = 2;

/// CUDA_KERNEL_NODE_PARAMS_v2 (func a CUfunction, kern a CUkernel, ctx a
/// CUcontext).
struct KernelNodeParams {
  void *func;
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  void **kernelParams;
  void **extra;
  void *kern;
  void *ctx;
};

/// CUDA_MEMCPY3D_v2.
struct Memcpy3D {
  size_t srcXInBytes, srcY, srcZ, srcLOD;
  int srcMemoryType;
  const void *srcHost;
  unsigned long long srcDevice;
  void *srcArray, *reserved0;
  size_t srcPitch, srcHeight;
  size_t dstXInBytes, dstY, dstZ, dstLOD;
  int dstMemoryType;
  void *dstHost;
  unsigned long long dstDevice;
  void *dstArray, *reserved1;
  size_t dstPitch, dstHeight;
  size_t WidthInBytes, Height, Depth;
};

/// CUDA_MEMSET_NODE_PARAMS.
struct MemsetParams {
  unsigned long long dst;
  size_t pitch;
  unsigned value, elementSize;
  size_t width, height;
};

} // namespace ej::cuda::driver_types

#endif // EJ_RUNTIME_CUDA_DRIVERTYPES_H
