//===- CpuCompiler.h - ej kernels to native code through ORC ------*- C++
//-*-===//
//
// A kernel is a `func.func @kernel` of fusible ej ops in destination-
// passing style: its arguments are the inputs, then one tensor per result
// marked `bufferization.writable`, each result written there by a
// `bufferization.materialize_in_destination`. makeKernelModule writes one
// from an ej.fusion body; compileCpuKernel lowers it with ej-cpu-pipeline,
// translates it to LLVM IR, optimizes it at O2 for the host CPU and JITs it
// with ORC (mlir::ExecutionEngine). The caller passes row-major buffers.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_CPUCOMPILER_H
#define EJ_CODEGEN_CPUCOMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace mlir::ej {

class FusionOp;

/// The dialects, interface models and translations the CPU pipeline uses.
void registerCpuCodegenDialects(DialectRegistry &registry);

/// A kernel module (see above) computing the results of `fusion` from its
/// operands, in a context of its own dialects.
OwningOpRef<ModuleOp> makeKernelModule(FusionOp fusion, MLIRContext &ctx);

/// A buffer the kernel reads or writes: row-major, `shape` elements.
struct KernelBuffer {
  void *data;
  std::vector<int64_t> shape;
};

class CpuKernel {
public:
  ~CpuKernel();
  /// inputs then outputs, in the kernel's argument order.
  void run(const std::vector<KernelBuffer> &buffers) const;

private:
  friend std::unique_ptr<CpuKernel> compileCpuKernel(ModuleOp, std::string &);
  std::unique_ptr<ExecutionEngine> engine_;
  void (*entry_)(void **) = nullptr;
};

/// Compiles a kernel module (which the pipeline rewrites in place); null,
/// with `error` set, when it cannot.
std::unique_ptr<CpuKernel> compileCpuKernel(ModuleOp module,
                                            std::string &error);

} // namespace mlir::ej

#endif // EJ_CODEGEN_CPUCOMPILER_H
