//===- CpuCompiler.cpp - ej functions to native code through ORC ---------===//
//
// A function or a fusion becomes a kernel module (memref arguments, to_tensor
// reads, materialize_in_destination writes); ej-cpu-pipeline lowers it,
// mlir::ExecutionEngine translates it to LLVM IR, optimizes it at O2 with a
// TargetMachine for the host CPU and features, and JITs it, with the BLAS
// helpers and upstream's memrefCopy added to its symbols.
//
//===----------------------------------------------------------------------===//
#include "codegen/CpuCompiler.h"
#include "codegen/BlasRuntime.h"
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>

// libomp's own interface (omp.h's kmp extensions): its defaults, set
// before the runtime starts.
extern "C" void kmp_set_defaults(const char *settings);

using namespace mlir;
using namespace mlir::ej;

void mlir::ej::registerCpuCodegenDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

namespace {

MemRefType bufferOf(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

// A module with `func.func @kernel(inputs..., outputs...)` on memrefs that
// computes `body` (whose arguments are the inputs and whose terminator's
// operands are the results) into the output buffers. The buffers are
// `llvm.noalias`: the caller passes outputs that overlap nothing else.
OwningOpRef<ModuleOp> writeKernel(MLIRContext &ctx, Block &body,
                                  TypeRange inputs, TypeRange results) {
  ctx.getOrLoadDialect<bufferization::BufferizationDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  OpBuilder b(&ctx);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> args;
  for (Type t : inputs)
    args.push_back(bufferOf(t));
  for (Type t : results)
    args.push_back(bufferOf(t));
  auto func =
      func::FuncOp::create(b, loc, "kernel", b.getFunctionType(args, {}));
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  for (unsigned i = 0; i < args.size(); ++i)
    func.setArgAttr(i, "llvm.noalias", b.getUnitAttr());
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  unsigned numInputs = inputs.size();
  IRMapping map;
  for (unsigned i = 0; i < numInputs; ++i)
    map.map(body.getArgument(i),
            bufferization::ToTensorOp::create(
                b, loc, body.getArgument(i).getType(), entry->getArgument(i),
                /*restrict=*/true, /*writable=*/false));
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  for (auto [i, v] : llvm::enumerate(body.getTerminator()->getOperands())) {
    auto write = bufferization::MaterializeInDestinationOp::create(
        b, loc, TypeRange{}, map.lookupOrDefault(v),
        entry->getArgument(numInputs + unsigned(i)));
    write.setRestrict(true);
    write.setWritable(true);
  }
  func::ReturnOp::create(b, loc);
  return module;
}

bool isStaticTensor(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  return r && r.hasStaticShape();
}

// The first error reported while `fn` runs, as "location: message" on one
// line (a multi-line message keeps its first line).
class FirstError {
public:
  explicit FirstError(MLIRContext *ctx)
      : handler_(ctx, [this](Diagnostic &d) {
          if (d.getSeverity() == DiagnosticSeverity::Error && text_.empty()) {
            llvm::raw_string_ostream os(text_);
            if (auto fl = dyn_cast<FileLineColLoc>(d.getLocation()))
              os << fl.getFilename().getValue() << ":" << fl.getLine() << ":"
                 << fl.getColumn();
            else
              os << d.getLocation();
            os << ": " << d.str();
            text_ = text_.substr(0, text_.find('\n'));
          }
          return success();
        }) {}
  std::string take(StringRef fallback) {
    return text_.empty() ? fallback.str() : text_;
  }

private:
  std::string text_;
  ScopedDiagnosticHandler handler_;
};

} // namespace

OwningOpRef<ModuleOp> mlir::ej::makeKernelModule(FusionOp fusion,
                                                 MLIRContext &ctx) {
  return writeKernel(ctx, fusion.getBody().front(),
                     fusion.getInputs().getTypes(), fusion.getResultTypes());
}

OwningOpRef<ModuleOp> mlir::ej::makeKernelModule(func::FuncOp func,
                                                 std::string &error) {
  FunctionType type = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (!isStaticTensor(t)) {
      error = "argument " + std::to_string(i) + " of @" +
              func.getSymName().str() + " is not a static tensor";
      return nullptr;
    }
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (!isStaticTensor(t)) {
      error = "result " + std::to_string(i) + " of @" +
              func.getSymName().str() + " is not a static tensor";
      return nullptr;
    }
  if (!func.getBody().hasOneBlock()) {
    error = "@" + func.getSymName().str() + " has no body or several blocks";
    return nullptr;
  }
  return writeKernel(*func.getContext(), func.getBody().front(),
                     type.getInputs(), type.getResults());
}

CpuKernel::~CpuKernel() = default;

void CpuKernel::run(ArrayRef<KernelBuffer> buffers) const {
  // One memref descriptor per buffer: allocated, aligned, offset, sizes,
  // strides (row-major), all in one array; small kernels (the common case
  // of a replayed region) need no heap allocation here.
  size_t words = 0;
  for (const KernelBuffer &buf : buffers)
    words += 3 + 2 * buf.shape.size();
  constexpr size_t kInlineBuffers = 16, kInlineWords = 16 * (3 + 2 * 4);
  int64_t inlineWords[kInlineWords];
  void *inlinePointers[kInlineBuffers], *inlineArgs[kInlineBuffers];
  std::vector<int64_t> heapWords;
  std::vector<void *> heapPointers, heapArgs;
  int64_t *desc = inlineWords;
  void **pointers = inlinePointers, **args = inlineArgs;
  if (words > kInlineWords) {
    heapWords.resize(words);
    desc = heapWords.data();
  }
  if (buffers.size() > kInlineBuffers) {
    heapPointers.resize(buffers.size());
    heapArgs.resize(buffers.size());
    pointers = heapPointers.data();
    args = heapArgs.data();
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    const KernelBuffer &buf = buffers[i];
    size_t rank = buf.shape.size();
    int64_t *d = desc;
    desc += 3 + 2 * rank;
    d[0] = d[1] = int64_t(reinterpret_cast<intptr_t>(buf.data));
    d[2] = 0;
    int64_t stride = 1;
    for (size_t k = rank; k-- > 0;) {
      d[3 + k] = buf.shape[k];
      d[3 + rank + k] = stride;
      stride *= buf.shape[k];
    }
    pointers[i] = d;
    args[i] = &pointers[i];
  }
  entry_(args);
}

std::unique_ptr<CpuKernel> mlir::ej::compileCpuKernel(ModuleOp module,
                                                      std::string &error) {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    registerCodegenPasses();
    // Kernels share the cores with BLAS and the interpreter's threads:
    // OpenMP's workers spin for 1 ms after a parallel loop (long enough to
    // stay awake between the loop nests of one kernel; waking them for
    // each nest costs more than the nest), not the default 200 ms, unless
    // the user said otherwise. EJ_NUM_THREADS bounds them as it bounds the
    // interpreter's pool.
    if (!std::getenv("KMP_BLOCKTIME") && !std::getenv("OMP_WAIT_POLICY"))
      kmp_set_defaults("KMP_BLOCKTIME=1");
    if (const char *n = std::getenv("EJ_NUM_THREADS"); n && std::atoi(n) > 0)
      kmp_set_defaults(
          ("OMP_NUM_THREADS=" + std::to_string(std::atoi(n))).c_str());
  });
  MLIRContext *ctx = module.getContext();
  {
    FirstError first(ctx);
    PassManager pm(ctx);
    buildEjCpuPipeline(pm);
    if (failed(pm.run(module))) {
      error = first.take("ej-cpu-pipeline failed");
      return nullptr;
    }
  }

  // The host's CPU name and features: the TargetMachine that optimizes
  // (vector widths, through TargetTransformInfo) and generates the code.
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) {
    error = llvm::toString(builder.takeError());
    return nullptr;
  }
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  auto tm = builder->createTargetMachine();
  if (!tm) {
    error = llvm::toString(tm.takeError());
    return nullptr;
  }
  // Functions carry the host CPU and features as clang's do, so that every
  // pass asking a function's subtarget (the vectorizer's cost model among
  // them) sees AVX-512 where the host has it.
  std::string cpu = (*tm)->getTargetCPU().str();
  std::string features = (*tm)->getTargetFeatureString().str();
  auto optimize = makeOptimizingTransformer(2, 0, tm->get());
  // options.transformer is a function_ref: the callable lives here.
  auto transform = [&](llvm::Module *m) {
    for (llvm::Function &f : *m)
      if (!f.isDeclaration()) {
        f.addFnAttr("target-cpu", cpu);
        f.addFnAttr("target-features", features);
      }
    return optimize(m);
  };
  ExecutionEngineOptions options;
  options.transformer = transform;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Default;
  options.enableGDBNotificationListener = false;
  auto engine = ExecutionEngine::create(module, options, std::move(*tm));
  if (!engine) {
    error = llvm::toString(engine.takeError());
    return nullptr;
  }
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    for (auto [name, address] : blasRuntimeSymbols())
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    // Copies between strided memrefs (upstream's runtime function).
    symbols[interner("memrefCopy")] = {
        llvm::orc::ExecutorAddr::fromPtr(&memrefCopy),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  auto entry = (*engine)->lookupPacked("_mlir_ciface_kernel");
  if (!entry) {
    error = llvm::toString(entry.takeError());
    return nullptr;
  }
  auto kernel = std::unique_ptr<CpuKernel>(new CpuKernel);
  kernel->engine_ = std::move(*engine);
  kernel->entry_ = *entry;
  return kernel;
}

//===----------------------------------------------------------------------===//
// Whole functions
//===----------------------------------------------------------------------===//

size_t mlir::ej::elementSize(ElementType t) {
  switch (t) {
  case ElementType::Bool:
    return 1;
  case ElementType::Int32:
  case ElementType::Float32:
    return 4;
  case ElementType::Int64:
  case ElementType::Float64:
    return 8;
  }
  return 0;
}

int64_t TensorSignature::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

TensorSignature signatureOf(Type t) {
  auto r = cast<RankedTensorType>(t);
  Type e = r.getElementType();
  ElementType element = e.isF32()         ? ElementType::Float32
                        : e.isF64()       ? ElementType::Float64
                        : e.isInteger(1)  ? ElementType::Bool
                        : e.isInteger(32) ? ElementType::Int32
                                          : ElementType::Int64;
  return {std::vector<int64_t>(r.getShape().begin(), r.getShape().end()),
          element};
}

// Copies the strided elements of `from` into `to`, row-major.
void pack(const char *from, const std::vector<int64_t> &shape,
          const std::vector<int64_t> &strides, size_t size, char *to) {
  size_t rank = shape.size();
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d)
      offset += index[d] * strides[d];
    std::memcpy(to + size_t(i) * size, from + offset * int64_t(size), size);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

bool isRowMajor(const std::vector<int64_t> &shape,
                const std::vector<int64_t> &strides) {
  int64_t expected = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] != 1 && strides[d] != expected)
      return false;
    expected *= shape[d];
  }
  return true;
}

} // namespace

CpuFunction::~CpuFunction() = default;

void CpuFunction::run(const std::vector<InputBuffer> &inputs,
                      const std::vector<void *> &outputs) const {
  SmallVector<KernelBuffer, 8> buffers;
  std::vector<std::vector<char>> packed;
  packed.reserve(inputs.size());
  for (auto [i, in] : llvm::enumerate(inputs)) {
    const TensorSignature &sig = inputs_[i];
    void *data = const_cast<void *>(in.data);
    if (!in.strides.empty() && !isRowMajor(sig.shape, in.strides)) {
      size_t size = elementSize(sig.element);
      packed.emplace_back(size_t(sig.numElements()) * size);
      pack(static_cast<const char *>(in.data), sig.shape, in.strides, size,
           packed.back().data());
      data = packed.back().data();
    }
    buffers.push_back({data, sig.shape});
  }
  for (auto [i, out] : llvm::enumerate(outputs))
    buffers.push_back({out, outputs_[i].shape});
  kernel_->run(buffers);
}

std::unique_ptr<CpuFunction> mlir::ej::compileCpuFunction(func::FuncOp func,
                                                          std::string &error) {
  auto start = std::chrono::steady_clock::now();
  OwningOpRef<ModuleOp> module = makeKernelModule(func, error);
  if (!module)
    return nullptr;
  std::unique_ptr<CpuKernel> kernel = compileCpuKernel(*module, error);
  if (!kernel)
    return nullptr;
  auto fn = std::unique_ptr<CpuFunction>(new CpuFunction);
  fn->kernel_ = std::move(kernel);
  for (Type t : func.getFunctionType().getInputs())
    fn->inputs_.push_back(signatureOf(t));
  for (Type t : func.getFunctionType().getResults())
    fn->outputs_.push_back(signatureOf(t));
  fn->compileMs_ = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return fn;
}

std::unique_ptr<CpuFunction>
mlir::ej::compileCpuFunction(const std::string &text, const std::string &name,
                             const std::string &source, std::string &error) {
  DialectRegistry registry;
  registerCpuCodegenDialects(registry);
  MLIRContext ctx(registry);
  ctx.getOrLoadDialect<EjDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  FirstError first(&ctx);
  ParserConfig config(&ctx);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, config, source);
  if (!module) {
    error = first.take("cannot parse " + source);
    return nullptr;
  }
  func::FuncOp func;
  module->walk([&](func::FuncOp f) {
    if (!func && (name.empty() || f.getSymName() == name))
      func = f;
  });
  if (!func) {
    error = source + ": no function " + (name.empty() ? "" : "@" + name);
    return nullptr;
  }
  return compileCpuFunction(func, error);
}
