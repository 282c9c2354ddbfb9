//===- CpuRegion.cpp - Hot regions as native host programs ---------------===//
//
// The region compilers of the tracing JIT: the interpreting one, whose
// region is a Program of interpreter kernels, and the CPU code generator. A
// region function is split by ej-fuse into ej.fusion kernels and the ops
// between them; each kernel is compiled to native code (codegen/CpuCompiler.h),
// and the region runs as a host program: the kernels and the other ops (matmul
// through BLAS, data movement through the interpreter's kernels) in order,
// intermediates that no later step reads never leaving their kernel.
//
//===----------------------------------------------------------------------===//
#include "lib/Jit.h"
#include "lib/OpSupport.h"
#include "lib/Program.h"
#include "runtime/cpu/Allocator.h"

#include "codegen/CpuCompiler.h"
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

namespace ej::detail {

namespace {

// A region as a host program: its ops, not recorded, in order; ej.fusion
// ops run as the kernels `kernels` compiles (there are none without it).
class HostProgram : public Executable {
public:
  HostProgram(mlir::func::FuncOp f, const FusionCompiler *kernels, int device)
      : device_(device),
        program_(f.getBody().front(),
                 llvm::SmallVector<mlir::Value>(f.getArguments()),
                 llvm::SmallVector<mlir::Value>(
                     f.getBody().front().getTerminator()->getOperands()),
                 "jit", kernels) {}
  std::vector<Tensor> run(const std::vector<Tensor> &args) override {
    return program_.run(args, {}, /*record=*/false, device_);
  }

private:
  int device_;
  Program program_;
};

} // namespace

std::unique_ptr<Executable> host_program(mlir::Operation *module,
                                         const FusionCompiler *kernels,
                                         std::string &error, int device) {
  mlir::func::FuncOp f;
  module->walk([&](mlir::func::FuncOp op) { f = op; });
  if (!f) {
    error = "the module has no function";
    return nullptr;
  }
  try {
    return std::make_unique<HostProgram>(f, kernels, device);
  } catch (const Error &e) {
    error = e.what();
    return nullptr;
  }
}

namespace {

FusedKernel compile_kernel(mlir::Operation *op) {
  auto fusion = mlir::cast<mlir::ej::FusionOp>(op);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ej::makeKernelModule(fusion, *op->getContext());
  std::string error;
  std::shared_ptr<mlir::ej::CpuKernel> kernel =
      mlir::ej::compileCpuKernel(*module, error);
  if (!kernel)
    fail("jit", error);
  if (kernel->loadedFromDisk())
    counters().cache_hits_disk++;
  return [kernel](llvm::ArrayRef<const TensorImpl *> inputs,
                  llvm::ArrayRef<TensorImpl *> outputs) {
    llvm::SmallVector<mlir::ej::KernelBuffer, 8> ins, outs;
    for (const TensorImpl *t : inputs)
      ins.push_back(
          {t->data(), {t->shape, size_t(t->rank)}, dtype_size(t->dtype)});
    for (TensorImpl *t : outputs)
      outs.push_back(
          {t->data(), {t->shape, size_t(t->rank)}, dtype_size(t->dtype)});
    kernel->run(ins, outs);
  };
}

// Compiled kernels take their temporaries from the tensors' caching
// allocator: a training step's kernels allocate and free the same sizes
// every step, which malloc hands back to the system and faults in again
// each time. Set as the library loads, before any kernel runs.
const bool kKernelAllocatorSet =
    (mlir::ej::setKernelAllocator(
         {&runtime::allocate_bytes, &runtime::release_bytes}),
     true);

} // namespace

std::unique_ptr<Executable> fused_program(mlir::Operation *module,
                                          const FusionCompiler &kernels,
                                          std::string &error, int device) {
  mlir::PassManager pm(module->getContext());
  pm.addNestedPass<mlir::func::FuncOp>(mlir::ej::createEjFuse());
  if (mlir::failed(pm.run(module))) {
    error = "ej-fuse failed";
    return nullptr;
  }
  return host_program(module, &kernels, error, device);
}

RegionCompiler cpu_compiler() {
  return [](mlir::Operation *module, std::string &error) {
    return fused_program(module, compile_kernel, error, runtime::kHost);
  };
}

RegionCompiler interpreting_compiler() {
  return [](mlir::Operation *module, std::string &error) {
    return host_program(module, nullptr, error);
  };
}

} // namespace ej::detail
