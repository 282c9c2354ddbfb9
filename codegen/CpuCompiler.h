//===- CpuCompiler.h - ej functions to native code --------------*- C++ -*-===//
//
// compileCpuFunction takes an ej `func.func` (an op, or the text of a
// module) and returns native code that computes its results from raw
// buffers: the function becomes a kernel in destination-passing style,
// ej-cpu-pipeline lowers it to the llvm dialect, LLVM optimizes it at O2 for
// the host CPU (its name and features: AVX-512 where present) into an
// object file, which ORC links into the process. Objects are kept in a disk
// cache (codegen/KernelCache.h) under a hash of the kernel's IR and the
// target: a kernel compiled once, by any process, is loaded, not compiled,
// the next time. A function the pipeline cannot lower
// (random draws, variables, gather, ...) gives a null result and a
// one-line error, never an abort: the caller runs the interpreter instead.
//
// The lower-level pieces serve the tracing JIT's fused regions:
// makeKernelModule writes a kernel from an ej.fusion, compileCpuKernel
// compiles any kernel module.
//
// Nothing here depends on the eager library: buffers are plain pointers.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_CPUCOMPILER_H
#define EJ_CODEGEN_CPUCOMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class MemoryBufferRef;
namespace orc {
class LLJIT;
} // namespace orc
} // namespace llvm

namespace mlir {
class PassManager;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace mlir::ej {

class FusionOp;
class CpuKernel;

/// The dialects, interface models and translations the CPU pipeline uses.
void registerCpuCodegenDialects(DialectRegistry &registry);

//===----------------------------------------------------------------------===//
// Whole functions
//===----------------------------------------------------------------------===//

/// The element types of ej values, stored as bool (one byte), int32_t,
/// int64_t, float and double.
enum class ElementType { Bool, Int32, Int64, Float32, Float64 };

/// Bytes per element of `t`.
size_t elementSize(ElementType t);

/// The type of an argument or result of a compiled function.
struct TensorSignature {
  std::vector<int64_t> shape;
  ElementType element;
  int64_t numElements() const;
};

/// An input: its elements and their strides in elements (empty: row-major).
struct InputBuffer {
  const void *data;
  std::vector<int64_t> strides;
};

class CpuFunction {
public:
  ~CpuFunction();
  const std::vector<TensorSignature> &inputs() const { return inputs_; }
  const std::vector<TensorSignature> &outputs() const { return outputs_; }
  /// Milliseconds spent in the pipeline, LLVM's optimizer and codegen (or
  /// in loading the object from the disk cache).
  double compileMs() const { return compileMs_; }
  /// Whether the code came from the disk cache.
  bool loadedFromDisk() const { return loadedFromDisk_; }
  /// The object files its code came in (codegen/KernelParts.h).
  unsigned parts() const { return parts_; }
  /// Whether its code streams outputs to memory (CpuKernel::streams).
  bool streams() const;

  /// Computes the results from `inputs` (one per argument, of its shape;
  /// inputs that are not row-major are packed first) into `outputs`
  /// (row-major buffers of the results' shapes). The outputs must overlap
  /// neither the inputs nor each other: the compiled code assumes so.
  void run(const std::vector<InputBuffer> &inputs,
           const std::vector<void *> &outputs) const;

private:
  friend std::unique_ptr<CpuFunction> compileCpuFunction(func::FuncOp,
                                                         std::string &);
  std::unique_ptr<CpuKernel> kernel_;
  std::vector<TensorSignature> inputs_, outputs_;
  double compileMs_ = 0;
  bool loadedFromDisk_ = false;
  unsigned parts_ = 1;
};

/// Compiles `func` (left unchanged); null, with a one-line `error`, when it
/// cannot.
std::unique_ptr<CpuFunction> compileCpuFunction(func::FuncOp func,
                                                std::string &error);

/// Parses `text` (an ej module; `source` names it in diagnostics) and
/// compiles its function `name` (the first when empty).
std::unique_ptr<CpuFunction> compileCpuFunction(const std::string &text,
                                                const std::string &name,
                                                const std::string &source,
                                                std::string &error);

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

/// A kernel module computing the results of `fusion` from its operands: a
/// `func.func @kernel` whose arguments are memrefs, the inputs then one per
/// result, each result written there by a
/// `bufferization.materialize_in_destination`.
OwningOpRef<ModuleOp> makeKernelModule(FusionOp fusion, MLIRContext &ctx);

/// The same kernel form for `func`; null, with `error` set, when an argument
/// or result is not a static tensor.
OwningOpRef<ModuleOp> makeKernelModule(func::FuncOp func, std::string &error);

/// A buffer the kernel reads or writes: row-major, `shape` elements of
/// `elementSize` bytes (the shape is not copied: it outlives the call).
struct KernelBuffer {
  KernelBuffer(void *data, llvm::ArrayRef<int64_t> shape, size_t elementSize)
      : data(data), shape(shape), elementSize(elementSize) {}
  void *data;
  llvm::ArrayRef<int64_t> shape;
  size_t elementSize;
};

class CpuKernel {
public:
  ~CpuKernel();
  /// Runs the kernel on its inputs and outputs, in its argument order; the
  /// outputs overlap neither the inputs nor each other (inputs may
  /// overlap). Code that streams (streams()) takes outputs aligned to
  /// kOutputAlignment (codegen/BufferAliasing.h), as the tensors' allocator
  /// gives them; an output that is not is written through an aligned copy.
  void run(llvm::ArrayRef<KernelBuffer> inputs,
           llvm::ArrayRef<KernelBuffer> outputs) const;
  /// Whether the code writes outputs with non-temporal stores, which
  /// suppose them aligned (see describeBufferAliasing and streamStores).
  bool streams() const { return streams_; }
  /// Whether the code came from the disk cache (rather than the compiler).
  bool loadedFromDisk() const { return loadedFromDisk_; }
  /// The object files its code came in (codegen/KernelParts.h).
  unsigned parts() const { return parts_; }

private:
  friend std::unique_ptr<CpuKernel> compileCpuKernel(ModuleOp, std::string &);
  // Links `objects` (a kernel compiled in parts links several) into a JIT
  // of its own; null, with `error`, when it cannot.
  static std::unique_ptr<CpuKernel>
  load(llvm::ArrayRef<llvm::MemoryBufferRef> objects, std::string &error);
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  void (*entry_)(void **) = nullptr;
  bool loadedFromDisk_ = false;
  bool streams_ = false;
  unsigned parts_ = 1;
};

/// Compiles a kernel module (which the pipeline rewrites in place), or
/// loads its object from the disk cache when a process compiled the same
/// kernel for the same target before; null, with `error` set, when it
/// cannot.
std::unique_ptr<CpuKernel> compileCpuKernel(ModuleOp module,
                                            std::string &error);

/// Sets up, once per process, what compiling needs: LLVM's host target, the
/// registry of passes, the description of the host. The first compile does
/// it; a program that compiles on a thread of its own calls it first on
/// its own thread, so that these outlive that thread's last compile when
/// the process exits (statics die in the reverse order of their making).
void initializeCodegen();

/// ej-cpu-pipeline built once for the kernels of one MLIR context. A pass
/// manager initializes its passes on its first run, and the canonicalizers
/// then collect the patterns of every loaded op: 3% of the instructions of
/// compiling the 8-op chain's kernel, paid by every kernel that built its
/// own pass manager. It must be destroyed before its context. While a
/// KernelPipelineScope holds it, compileCpuKernel on that thread runs it
/// for modules of its context.
class KernelPipeline {
public:
  explicit KernelPipeline(MLIRContext &ctx);
  ~KernelPipeline();
  KernelPipeline(const KernelPipeline &) = delete;
  KernelPipeline &operator=(const KernelPipeline &) = delete;
  MLIRContext *context() const;
  /// Lowers `module` to the llvm dialect (unverified: the caller verifies).
  LogicalResult run(ModuleOp module);

private:
  std::unique_ptr<PassManager> pm_;
};

class KernelPipelineScope {
public:
  explicit KernelPipelineScope(KernelPipeline &pipeline);
  ~KernelPipelineScope();
  KernelPipelineScope(const KernelPipelineScope &) = delete;
  KernelPipelineScope &operator=(const KernelPipelineScope &) = delete;

private:
  KernelPipeline *previous_;
};

/// How many threads share the compiling of one kernel whose parallel loop
/// nests make it several parts (codegen/KernelParts.h); 0, the default,
/// takes the hardware's threads.
void setCompileThreads(unsigned threads);

/// The bytes of output from which a kernel streams its outputs to memory
/// with non-temporal stores (see streamStores, codegen/LlvmOptimize.h):
/// past what the host's last-level cache holds, they would only evict
/// what later ops read. 0 restores that default; a negative value never
/// streams.
void setStreamingBytes(int64_t bytes);

/// Where compiled kernels get their temporaries (the memref.alloc and
/// memref.dealloc of buffers they do not hand back, which their code calls
/// as `_mlir_memref_to_llvm_alloc` and `_free`): the process's malloc and
/// free unless set. Set it before
/// any kernel runs; `release` takes what `allocate` returned, or null.
/// Returns the previous one.
struct KernelAllocator {
  void *(*allocate)(size_t bytes);
  void (*release)(void *p);
};
KernelAllocator setKernelAllocator(KernelAllocator allocator);

/// The disk cache's key of a kernel module (before the pipeline): a SHA-256,
/// in hex, of its IR, the target (triple, CPU, features), LLVM's version,
/// the cache's format and this library's build.
std::string cpuKernelKey(ModuleOp module);

} // namespace mlir::ej

#endif // EJ_CODEGEN_CPUCOMPILER_H
