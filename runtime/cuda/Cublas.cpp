//===- Cublas.cpp - float32/float64 GEMMs through cuBLAS ------------------===//
//
// The few cuBLAS entry points used are declared with their C signatures and
// looked up with dlsym. cuBLAS runs on the CUDA runtime, which works in the
// thread's current context: asking for the device's stream first makes the
// device's primary context current (runtime/cuda/Runtime.cpp), the context
// the runtime uses too.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Cublas.h"
#include "runtime/cuda/Library.h"
#include "runtime/cuda/Runtime.h"

#include "ej/Error.h"
#include "ej/device.h"

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ej {

namespace {
std::atomic<bool> tf32{false};
} // namespace

void set_gpu_tf32(bool enabled) { tf32.store(enabled); }

} // namespace ej

namespace ej::cuda {

namespace {

using Status = int; // cublasStatus_t; 0 is CUBLAS_STATUS_SUCCESS
using Handle = struct CublasContext *;

// cublasOperation_t and cublasMath_t values, with their names in
// cublas_api.h.
constexpr int kOpN = 0, kOpT = 1;    // CUBLAS_OP_N, CUBLAS_OP_T
constexpr int kDefaultMath = 0;      // CUBLAS_DEFAULT_MATH: fp32 exact
constexpr int kTf32TensorOpMath = 3; // CUBLAS_TF32_TENSOR_OP_MATH

template <class T>
using Gemm = Status (*)(Handle, int, int, int, int, int, const T *, const T *,
                        int, long long, const T *, int, long long, const T *,
                        T *, int, long long, int);

struct Api {
  void *lib = nullptr;
  std::string tried;
  Status (*create)(Handle *) = nullptr;
  Status (*setStream)(Handle, void *) = nullptr;
  Status (*setMathMode)(Handle, int) = nullptr;
  Gemm<float> sgemm = nullptr;
  Gemm<double> dgemm = nullptr;
  // Optional: error names where this cuBLAS has them.
  const char *(*statusName)(Status) = nullptr;
  const char *(*statusString)(Status) = nullptr;
};

const Api &api() {
  static Api a;
  static std::once_flag once;
  std::call_once(once, [] {
    a.lib = open_toolkit_library("libcublas.so.13", "libcublas.so", a.tried);
    if (!a.lib)
      return;
    find_symbol(a.lib, "cublasGetStatusName", a.statusName);
    find_symbol(a.lib, "cublasGetStatusString", a.statusString);
    bool ok = find_symbol(a.lib, "cublasCreate_v2", a.create) &&
              find_symbol(a.lib, "cublasSetStream_v2", a.setStream) &&
              find_symbol(a.lib, "cublasSetMathMode", a.setMathMode) &&
              find_symbol(a.lib, "cublasSgemmStridedBatched", a.sgemm) &&
              find_symbol(a.lib, "cublasDgemmStridedBatched", a.dgemm);
    if (!ok) {
      dlclose(a.lib);
      a.lib = nullptr;
      a.tried += " (found, but without the entry points used)";
    }
  });
  if (!a.lib)
    throw Error("cuBLAS (GPU matmuls and convolutions) could not be loaded "
                "(tried " +
                a.tried +
                "); install the CUDA toolkit's cuBLAS or add its lib64 to "
                "LD_LIBRARY_PATH");
  return a;
}

void check(const Api &a, Status s, const char *call) {
  if (s == 0)
    return;
  std::string what = "cuBLAS error in " + std::string(call) + ": ";
  what += a.statusName ? a.statusName(s) : "status " + std::to_string(s);
  if (a.statusString)
    what += std::string(" (") + a.statusString(s) + ")";
  throw Error(what);
}

// A device's handle, made on first use and kept for the process, and the
// lock that keeps its math mode and its call together.
struct Device {
  std::mutex mu;
  Handle handle = nullptr;
};

Device &device_state(int device) {
  static std::mutex mu;
  static std::map<int, Device> devices;
  std::lock_guard<std::mutex> lock(mu);
  return devices[device];
}

} // namespace

void gemm_strided_batched(int device, DType dtype, int m, int n, int k,
                          const GemmOperand &a, const GemmOperand &b, void *c,
                          int ldc, long long stride_c, int batch,
                          bool accumulate) {
  const Api &api = cuda::api();
  Device &d = device_state(device);
  std::lock_guard<std::mutex> lock(d.mu);
  // Makes the device's context current on this thread (see the top).
  void *s = stream(device);
  if (!d.handle) {
    Handle h = nullptr;
    check(api, api.create(&h), "cublasCreate_v2");
    d.handle = h;
  }
  // Set for each call: the calling thread's stream is the device's, or the
  // one it captures a CUDA graph on.
  check(api, api.setStream(d.handle, s), "cublasSetStream_v2");
  int ta = a.trans ? kOpT : kOpN, tb = b.trans ? kOpT : kOpN;
  if (dtype == float64) {
    const double one = 1, beta = accumulate ? 1 : 0;
    check(api,
          api.dgemm(d.handle, ta, tb, m, n, k, &one,
                    static_cast<const double *>(a.data), a.ld, a.stride,
                    static_cast<const double *>(b.data), b.ld, b.stride, &beta,
                    static_cast<double *>(c), ldc, stride_c, batch),
          "cublasDgemmStridedBatched");
    return;
  }
  check(
      api,
      api.setMathMode(d.handle, tf32.load() ? kTf32TensorOpMath : kDefaultMath),
      "cublasSetMathMode");
  const float one = 1, beta = accumulate ? 1 : 0;
  check(api,
        api.sgemm(d.handle, ta, tb, m, n, k, &one,
                  static_cast<const float *>(a.data), a.ld, a.stride,
                  static_cast<const float *>(b.data), b.ld, b.stride, &beta,
                  static_cast<float *>(c), ldc, stride_c, batch),
        "cublasSgemmStridedBatched");
}

} // namespace ej::cuda
