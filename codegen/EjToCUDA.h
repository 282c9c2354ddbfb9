//===- EjToCUDA.h - CUDA C from ej.fusion regions ----------------*- C++
//-*-===//
//
// The GPU code generator's first half: every ej.fusion becomes one or more
// CUDA C kernels (extern "C", static shapes baked in), which NVRTC compiles
// to cubin (runtime/cuda/Nvrtc.h). Registered as the `ej-to-cuda`
// translation of ej-translate.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_EJTOCUDA_H
#define EJ_CODEGEN_EJTOCUDA_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir::ej {

/// One emitted kernel: its name (an extern "C" symbol of the source) and the
/// launch shape the emitter chose (1-d grid and block). Its parameters are
/// device pointers, in the order of `params` (buffer names of the fusion:
/// `inN` is the fusion's input N, `outN` its result N, `tmpN` a temporary
/// of the fusion, listed in the source's plan comment).
struct CudaKernelInfo {
  std::string name;
  int64_t grid = 1;
  int64_t block = 1;
  std::vector<std::string> params;
};

/// A buffer of a fusion's plan: its element type as MLIR prints it
/// ("f32", "i64", "i1") and its shape.
struct CudaBufferType {
  std::string element;
  std::vector<int64_t> shape;
};

/// One step of a fusion, in order: a launch of kernels[kernel] (of the
/// CudaSource), or, with kernel -1, a cuBLAS matmul writing buffer `result`
/// from the buffers `operands`.
struct CudaStep {
  int kernel = -1;
  std::string result;
  std::vector<std::string> operands;
};

/// What running a fusion takes: its temporaries (buffers named `tmpN`,
/// allocated by the caller for the fusion's duration) and its steps. The
/// types of the inputs and results are the fusion's; `types` also holds
/// them, by buffer name, for the matmuls.
struct CudaFusionPlan {
  std::vector<std::pair<std::string, CudaBufferType>> temporaries;
  std::vector<CudaStep> steps;
  std::vector<std::pair<std::string, CudaBufferType>> types;
};

/// CUDA C for a set of fusions: one translation unit, its kernels in
/// launch order, and each fusion's plan (in walk order).
struct CudaSource {
  std::string code;
  std::vector<CudaKernelInfo> kernels;
  std::vector<CudaFusionPlan> fusions;
};

/// Emits every ej.fusion under `root`, in walk order. An op the emitter
/// cannot express gets an error and the result is a failure.
///
/// A fusion's kernels follow its dataflow: elementwise and shape ops are
/// computed where they are used (one grid-stride kernel per output shape,
/// 16-byte vector loads and stores when the innermost extent is a multiple
/// of 4); reductions over the same rows share one kernel with one block per
/// row (warp shuffles, then one value per warp through shared memory),
/// together with their elementwise producers and the consumers of their
/// row's values (softmax, layernorm, mean(square(x - y))). A matmul inside a
/// fusion is a cuBLAS call between kernels, listed in the plan comment.
FailureOr<CudaSource> emitCudaSource(Operation *root);

/// The ej-to-cuda translation: runs ej-fuse first (ops already in an
/// ej.fusion stay where they are, the others are grouped, as in a trace the
/// JIT dumps), then prints emitCudaSource's code.
LogicalResult translateEjToCuda(Operation *root, llvm::raw_ostream &os);

/// Registers `--ej-to-cuda` with MLIR's translation registry.
void registerEjToCudaTranslation();

} // namespace mlir::ej

#endif // EJ_CODEGEN_EJTOCUDA_H
