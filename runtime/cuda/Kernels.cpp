//===- Kernels.cpp - The table of the interpreter's CUDA kernels ----------===//
#include "runtime/cuda/Kernels.h"

namespace ej::cuda {
using detail::Record;
using runtime::Kernel;

// Defined in runtime/cuda/*Kernels.cpp.
#define EJ_UNARY(Name, name) void kernel_##Name(Record &r);
#define EJ_BINARY(Name, name) void kernel_##Name(Record &r);
#define EJ_COMPARE(Name, name) void kernel_##Name(Record &r);
#define EJ_REDUCE(Name, name) void kernel_##Name(Record &r);
#include "lib/Ops.def"
void kernel_Constant(Record &r);
void kernel_Fill(Record &r);
void kernel_Arange(Record &r);
void kernel_Linspace(Record &r);
void kernel_Eye(Record &r);
void kernel_RandomUniform(Record &r);
void kernel_RandomNormal(Record &r);
void kernel_Cast(Record &r);
void kernel_Where(Record &r);
void kernel_ArgMax(Record &r);
void kernel_ArgMin(Record &r);
void kernel_MatMul(Record &r);
void kernel_Reshape(Record &r);
void kernel_Copy(Record &r);
void kernel_Concat(Record &r);
void kernel_Gather(Record &r);
void kernel_OneHot(Record &r);
void kernel_Pad(Record &r);
void kernel_Conv2D(Record &r);
void kernel_Conv2DBackpropInput(Record &r);
void kernel_Conv2DBackpropFilter(Record &r);
void kernel_MaxPool(Record &r);
void kernel_MaxPoolGrad(Record &r);
void kernel_AvgPool(Record &r);
void kernel_AvgPoolGrad(Record &r);

// Views and variables: the CPU kernels touch only metadata and reference
// counts, whatever device holds the storage.
constexpr Kernel kernel_Transpose = runtime::kernel_Transpose;
constexpr Kernel kernel_BroadcastTo = runtime::kernel_BroadcastTo;
constexpr Kernel kernel_Slice = runtime::kernel_Slice;
constexpr Kernel kernel_StopGradient = runtime::kernel_StopGradient;
constexpr Kernel kernel_VariableRead = runtime::kernel_VariableRead;
constexpr Kernel kernel_Assign = runtime::kernel_Assign;

} // namespace ej::cuda

namespace ej::runtime {

namespace {
constexpr Kernel kCudaKernels[] = {
#define EJ_OP(Name, name) cuda::kernel_##Name,
#include "lib/Ops.def"
};
static_assert(sizeof(kCudaKernels) / sizeof(kCudaKernels[0]) ==
              detail::kNumOps);
} // namespace

Kernel cuda_kernel(detail::OpCode op) {
  return kCudaKernels[static_cast<int>(op)];
}

} // namespace ej::runtime
