//===- Nvrtc.h - CUDA C to cubin with NVRTC ---------------------*- C++ -*-===//
//
// NVRTC is a compiler library: it needs no GPU and no driver. It is opened
// with dlopen on first use, like the driver (runtime/cuda/Device.cpp): a
// program that never compiles a GPU kernel never loads it, and the library
// starts on machines without the CUDA toolkit.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_NVRTC_H
#define EJ_RUNTIME_CUDA_NVRTC_H

#include <string>
#include <vector>

namespace ej::cuda {

/// Whether NVRTC could be loaded: libnvrtc.so.13 from the library path,
/// then from the toolkit found at build time, then from /usr/local/cuda.
bool nvrtc_available();

/// NVRTC's version as "major.minor"; throws ej::Error when it is missing.
std::string nvrtc_version();

/// The options the runtime compiles every kernel with, besides the
/// architecture and -std=c++17 (compile_to_cubin's own): -default-device (a
/// function without an execution space is a device function, so the
/// functions a kernel calls need no __device__) and --fmad=false. No
/// --use_fast_math, and no contraction of a multiply and an add into one
/// FMA (NVRTC's default): kernels round each operation as the CPU's do, so
/// that a fused kernel and the interpreter give the same bits.
const std::vector<std::string> &kernel_options();

/// Compiles CUDA C `source` (named `name` in diagnostics) to a cubin for
/// `arch` (a real architecture such as "sm_90"). Throws ej::Error when
/// NVRTC is missing or the compilation fails; the message carries NVRTC's
/// log.
std::vector<char>
compile_to_cubin(const std::string &source, const std::string &name,
                 const std::string &arch,
                 const std::vector<std::string> &options = {});

} // namespace ej::cuda

#endif // EJ_RUNTIME_CUDA_NVRTC_H
