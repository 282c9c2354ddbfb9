//===- HostGridAbi.h - What host CUDA C and its scheduler share -*- C++ -*-===//
//
// The one structure through which CUDA C compiled for the host
// (HostGridShim.h, prepended to the source) and the fiber scheduler that
// runs it (HostGrid.cpp) talk: the built-in indices the scheduler sets
// before it resumes a thread, and the calls a thread makes to wait for the
// others. Plain C, so that both sides read it the same way.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_CUDA_HOSTGRIDABI_H
#define EJ_TEST_CUDA_HOSTGRIDABI_H

struct EjHostDim3 {
  unsigned x, y, z;
};

struct EjHostGridState {
  /// threadIdx, blockIdx, blockDim, gridDim of the running thread.
  EjHostDim3 thread, block, block_dim, grid_dim;
  /// __syncthreads(): returns when every thread of the block has called it.
  void (*sync_threads)(struct EjHostGridState *);
  /// A warp shuffle: this lane offers the `bytes` at `value` and receives
  /// into `result` what lane `source` of its warp offered (its own value
  /// when `source` is its own lane); `mask` is the lanes that must take part.
  void (*shuffle)(struct EjHostGridState *, unsigned mask, const void *value,
                  void *result, unsigned bytes, unsigned source);
  /// The scheduler's own data.
  void *scheduler;
};

#endif // EJ_TEST_CUDA_HOSTGRIDABI_H
