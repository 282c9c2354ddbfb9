//===- CpuCompiler.cpp - ej functions to native code through ORC ---------===//
//
// A function or a fusion becomes a kernel module (memref arguments, to_tensor
// reads, materialize_in_destination writes); ej-cpu-pipeline lowers it, it is
// translated to LLVM IR, optimized at O2 with a TargetMachine for the host
// CPU and features, and emitted as an object file -- or, when its parallel
// loop nests make it several parts (KernelParts.h), as one object per part,
// each optimized and emitted on a thread of its own. An LLJIT of the
// kernel's own links the objects, with the BLAS helpers, upstream's
// memrefCopy and the process's symbols (libm, libmvec, libomp's __kmpc_*
// entry points) to resolve their calls. Compiling is making the objects;
// the disk cache keeps them, and a later compile of the same kernel, in any
// process, loads them instead.
//
//===----------------------------------------------------------------------===//
#include "codegen/CpuCompiler.h"
#include "codegen/BlasRuntime.h"
#include "codegen/BufferAliasing.h"
#include "codegen/KernelCache.h"
#include "codegen/KernelParts.h"
#include "codegen/LlvmOptimize.h"
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/ExecutionEngine/Orc/CompileUtils.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <numeric>
#include <optional>
#include <system_error>
#include <thread>

// libomp's own interface (omp.h's kmp extensions): its defaults, set
// before the runtime starts; and the team size of the calling thread's
// next parallel regions.
extern "C" void kmp_set_defaults(const char *settings);
extern "C" void omp_set_num_threads(int threads);

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
  // "argument 0 of @step is !ej.variable<...>, not a tensor of static
  // shape": the type says what stands in the way (a variable, a dynamic
  // dimension).
  auto notStatic = [&](const char *what, size_t i, Type t) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << what << " " << i << " of @" << func.getSymName() << " is " << t
       << ", not a tensor of static shape";
    return text;
  };
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (!isStaticTensor(t)) {
      error = notStatic("argument", i, t);
      return nullptr;
    }
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (!isStaticTensor(t)) {
      error = notStatic("result", i, t);
      return nullptr;
    }
  if (!func.getBody().hasOneBlock()) {
    error = "@" + func.getSymName().str() + " has no body or several blocks";
    return nullptr;
  }
  return writeKernel(*func.getContext(), func.getBody().front(),
                     type.getInputs(), type.getResults());
}

namespace {

// EJ_NUM_THREADS, the most threads the library's work takes; 0 when unset.
unsigned threadsSetting() {
  static const unsigned n = [] {
    const char *env = std::getenv("EJ_NUM_THREADS");
    int set = env ? std::atoi(env) : 0;
    return set > 0 ? unsigned(set) : 0u;
  }();
  return n;
}

} // namespace

CpuKernel::~CpuKernel() = default;

void CpuKernel::run(ArrayRef<KernelBuffer> inputs,
                    ArrayRef<KernelBuffer> outputs) const {
  // Outputs not aligned as streaming code takes them (a caller's own
  // memory) are written into aligned copies, then copied out.
  struct Unaligned {
    size_t output;
    size_t bytes;
    std::unique_ptr<char, decltype(&std::free)> copy;
  };
  std::vector<Unaligned> unaligned;
  for (size_t k = 0; streams_ && k < outputs.size(); ++k) {
    const KernelBuffer &out = outputs[k];
    if (reinterpret_cast<uintptr_t>(out.data) % kOutputAlignment == 0)
      continue;
    size_t bytes = out.elementSize;
    for (int64_t d : out.shape)
      bytes *= size_t(d);
    size_t rounded =
        (bytes + kOutputAlignment - 1) / kOutputAlignment * kOutputAlignment;
    unaligned.push_back(
        {k,
         bytes,
         {static_cast<char *>(std::aligned_alloc(
              kOutputAlignment, std::max(rounded, size_t(kOutputAlignment)))),
          &std::free}});
    if (!unaligned.back().copy)
      throw std::bad_alloc();
  }
  size_t count = inputs.size() + outputs.size();
  auto buffer = [&](size_t i) -> const KernelBuffer & {
    return i < inputs.size() ? inputs[i] : outputs[i - inputs.size()];
  };
  auto dataOf = [&](size_t i) {
    for (const Unaligned &u : unaligned)
      if (inputs.size() + u.output == i)
        return static_cast<void *>(u.copy.get());
    return buffer(i).data;
  };
  // One memref descriptor per buffer: allocated, aligned, offset, sizes,
  // strides (row-major), all in one array; small kernels (the common case
  // of a replayed region) need no heap allocation here.
  size_t words = 0;
  for (size_t i = 0; i < count; ++i)
    words += 3 + 2 * buffer(i).shape.size();
  constexpr size_t kInlineBuffers = 16, kInlineWords = 16 * (3 + 2 * 4);
  int64_t inlineWords[kInlineWords];
  void *inlinePointers[kInlineBuffers];
  std::vector<int64_t> heapWords;
  std::vector<void *> heapPointers;
  int64_t *desc = inlineWords;
  void **pointers = inlinePointers;
  if (words > kInlineWords) {
    heapWords.resize(words);
    desc = heapWords.data();
  }
  if (count > kInlineBuffers) {
    heapPointers.resize(count);
    pointers = heapPointers.data();
  }
  for (size_t i = 0; i < count; ++i) {
    const KernelBuffer &buf = buffer(i);
    size_t rank = buf.shape.size();
    int64_t *d = desc;
    desc += 3 + 2 * rank;
    d[0] = d[1] = int64_t(reinterpret_cast<intptr_t>(dataOf(i)));
    d[2] = 0;
    int64_t stride = 1;
    for (size_t k = rank; k-- > 0;) {
      d[3 + k] = buf.shape[k];
      d[3 + rank + k] = stride;
      stride *= buf.shape[k];
    }
    pointers[i] = d;
  }
  // EJ_NUM_THREADS is each kernel-running thread's team size, set on the
  // thread: a default given to the OpenMP runtime would not hold on a
  // thread whose team size another library set (frameworks do so when
  // they start).
  if (unsigned n = threadsSetting()) {
    thread_local bool bounded = false;
    if (!bounded) {
      omp_set_num_threads(int(n));
      bounded = true;
    }
  }
  entry_(pointers);
  for (const Unaligned &u : unaligned)
    std::memcpy(outputs[u.output].data, u.copy.get(), u.bytes);
}

namespace {

// The symbol of a kernel object's entry point: `void(void **descriptors)`,
// calling the kernel's C interface with one memref descriptor per argument.
constexpr const char *kEntry = "ej_kernel_entry";

// The disk cache's format; a change of what an object holds or how it is
// called (the entry point's contract: outputs aligned to kOutputAlignment
// since format 3) must change it.
constexpr const char *kKernelFormat = "ej-cpu-kernel-3";

// The kernel allocator; kernels call it through these two functions, so
// that objects in the disk cache stay valid whatever it is.
std::atomic<void *(*)(size_t)> kernelAllocate{&std::malloc};
std::atomic<void (*)(void *)> kernelRelease{&std::free};
void *kernelMalloc(size_t bytes) {
  return kernelAllocate.load(std::memory_order_relaxed)(bytes);
}
void kernelFree(void *p) {
  if (p)
    kernelRelease.load(std::memory_order_relaxed)(p);
}

void initializeOnce() {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    registerCodegenPasses();
    // Kernels share the cores with BLAS and the interpreter's threads:
    // OpenMP's workers spin for 1 ms after a parallel loop (long enough to
    // stay awake between the loop nests of one kernel; waking them for
    // each nest costs more than the nest), not the default 200 ms, unless
    // the user said otherwise. (EJ_NUM_THREADS bounds their number on
    // each thread that runs kernels: see CpuKernel::run.)
    if (!std::getenv("KMP_BLOCKTIME") && !std::getenv("OMP_WAIT_POLICY"))
      kmp_set_defaults("KMP_BLOCKTIME=1");
  });
}

// The host: its CPU name and features (AVX-512 where present), O2, and
// position-independent code in the small code model, which JITLink can
// place anywhere in the address space.
llvm::Expected<llvm::orc::JITTargetMachineBuilder> hostBuilder() {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  return builder;
}

// A new TargetMachine for the host; null, with `error`, when there is
// none.
std::unique_ptr<llvm::TargetMachine> hostTargetMachine(std::string &error) {
  auto builder = hostBuilder();
  if (!builder) {
    error = llvm::toString(builder.takeError());
    return nullptr;
  }
  auto tm = builder->createTargetMachine();
  if (!tm) {
    error = llvm::toString(tm.takeError());
    return nullptr;
  }
  return std::move(*tm);
}

// The calling thread's TargetMachine for the host, made on its first
// compile and kept: it holds no state from one module to the next (ORC's
// compilers reuse theirs likewise), and making one costs as much as
// emitting a small kernel's code. Null, with `error`, when there is none.
llvm::TargetMachine *threadTargetMachine(std::string &error) {
  thread_local std::unique_ptr<llvm::TargetMachine> tm;
  if (!tm)
    tm = hostTargetMachine(error);
  return tm.get();
}

// The build of this code: the size and modification time of the file it
// was loaded from. Another build of the compiler (another pipeline) makes
// other keys, so that no process loads what an older compiler made.
std::string buildIdentity() {
  Dl_info info;
  llvm::sys::fs::file_status status;
  if (dladdr(reinterpret_cast<void *>(&buildIdentity), &info) &&
      info.dli_fname && !llvm::sys::fs::status(info.dli_fname, status))
    return std::to_string(status.getSize()) + ":" +
           std::to_string(
               status.getLastModificationTime().time_since_epoch().count());
  return __DATE__ " " __TIME__;
}

// What compiled code depends on besides its IR, found once.
struct Target {
  std::string error; // the host has no usable target
  std::string triple, cpu, features, build;
  std::string dataLayout;     // the target's, as a string
  bool vectorMath = false;    // glibc's libmvec is loaded: see loadVectorMath()
  int64_t lastLevelCache = 0; // bytes: see lastLevelCacheBytes()
};

// The bytes of the first CPU's cache of the highest level (3 or more), as
// Linux describes it (/sys/devices/system/cpu/cpu0/cache/index<k>/{level,
// size}, the size as "32768K"); 32 MiB where it lists none. (The C
// library's sysconf can report the whole package's: 256 MiB for eight
// 32 MiB caches.)
int64_t lastLevelCacheBytes() {
  int bestLevel = 0;
  int64_t best = int64_t(32) << 20;
  for (int k = 0; k < 8; ++k) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(k) + "/";
    auto read = [&](const char *name) {
      auto text = llvm::MemoryBuffer::getFile(dir + name, /*IsText=*/true);
      return text ? (*text)->getBuffer().trim().str() : std::string();
    };
    std::string level = read("level"), size = read("size");
    int l = std::atoi(level.c_str());
    char *end = nullptr;
    long long bytes = std::strtoll(size.c_str(), &end, 10);
    if (l < 3 || l <= bestLevel || bytes <= 0)
      continue;
    int64_t unit = *end == 'K' ? 1 << 10 : *end == 'M' ? 1 << 20 : 1;
    bestLevel = l;
    best = int64_t(bytes) * unit;
  }
  return best;
}

// glibc's vector math library (libmvec, part of the C library's package):
// the loop vectorizer turns float64 exp, log, sin, cos, tan, pow, tanh,
// erf, log1p, expm1, log2, log10, exp2 and exp10 calls into calls of its
// 2- and 4-lane versions (f32 ops are polynomials before they get there,
// see ej-approximate-math). Opened once, globally, so that the JIT finds
// its symbols in the process; without it, those calls stay scalar.
bool loadVectorMath() {
  return dlopen("libmvec.so.1", RTLD_NOW | RTLD_GLOBAL) != nullptr;
}

// Never destroyed: a region's compile may still run while the process
// exits.
const Target &hostTarget() {
  static const Target &target = *new Target([] {
    initializeOnce();
    Target t;
    std::unique_ptr<llvm::TargetMachine> tm = hostTargetMachine(t.error);
    if (!tm)
      return t;
    t.triple = tm->getTargetTriple().str();
    t.cpu = tm->getTargetCPU().str();
    t.features = tm->getTargetFeatureString().str();
    t.dataLayout = tm->createDataLayout().getStringRepresentation();
    t.build = buildIdentity();
    t.vectorMath = loadVectorMath();
    t.lastLevelCache = lastLevelCacheBytes();
    return t;
  }());
  return target;
}

// Defines `ej_kernel_entry(ptr %descriptors)`, which loads the kernel's
// arguments (pointers to memref descriptors) from the array and calls its
// C interface.
bool addEntry(llvm::Module &m, std::string &error) {
  llvm::Function *kernel = m.getFunction("_mlir_ciface_kernel");
  if (!kernel) {
    error = "the kernel module has no _mlir_ciface_kernel";
    return false;
  }
  llvm::LLVMContext &c = m.getContext();
  llvm::IRBuilder<> b(c);
  auto *type = llvm::FunctionType::get(b.getVoidTy(), {b.getPtrTy()}, false);
  auto *entry = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                       kEntry, m);
  b.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", entry));
  SmallVector<llvm::Value *> args;
  for (llvm::Argument &arg : kernel->args()) {
    if (!arg.getType()->isPointerTy()) {
      error = "an argument of _mlir_ciface_kernel is not a pointer";
      return false;
    }
    llvm::Value *slot =
        b.CreateConstGEP1_64(b.getPtrTy(), entry->getArg(0), arg.getArgNo());
    args.push_back(b.CreateLoad(arg.getType(), slot));
  }
  b.CreateCall(kernel, args);
  b.CreateRetVoid();
  return true;
}

// A kernel's objects (one per part, codegen/KernelParts.h) as one disk
// cache entry: each as its size (8 bytes, little-endian), then its bytes.
std::string packObjects(llvm::ArrayRef<llvm::MemoryBufferRef> objects) {
  std::string entry;
  for (llvm::MemoryBufferRef object : objects) {
    char size[8];
    llvm::support::endian::write64le(size, object.getBufferSize());
    entry.append(size, sizeof size);
    entry.append(object.getBufferStart(), object.getBufferSize());
  }
  return entry;
}

// The objects packObjects wrote, pointing into `entry`; false when the
// sizes do not add up to it.
bool unpackObjects(llvm::StringRef entry,
                   SmallVectorImpl<llvm::MemoryBufferRef> &objects) {
  while (!entry.empty()) {
    if (entry.size() < 8)
      return false;
    uint64_t size = llvm::support::endian::read64le(entry.data());
    entry = entry.drop_front(8);
    if (size == 0 || size > entry.size())
      return false;
    objects.emplace_back(entry.take_front(size), "kernel.o");
    entry = entry.drop_front(size);
  }
  return !objects.empty();
}

// Where a kernel's compile time went, for EJ_LOG=jit.
class CompilePhases {
public:
  /// The milliseconds since the previous call (or construction), as `name`.
  void lap(const std::string &name) {
    auto now = std::chrono::steady_clock::now();
    text_ += (text_.empty() ? "" : ", ") + std::string(name) + " " +
             llvm::formatv(
                 "{0:f1}",
                 std::chrono::duration<double, std::milli>(now - last_).count())
                 .str();
    last_ = now;
  }
  void note(const std::string &what) { text_ += ", " + what; }
  const std::string &str() const { return text_; }

private:
  std::chrono::steady_clock::time_point last_ =
      std::chrono::steady_clock::now();
  std::string text_;
};

size_t instructionCount(const llvm::Module &m) {
  size_t n = 0;
  for (const llvm::Function &f : m)
    n += f.getInstructionCount();
  return n;
}

// EJ_DUMP_DIR, where the LLVM IR of each kernel compiled goes, as
// kernel-<key>.in.ll (LLVM's optimizer's input) and kernel-<key>.ll (its
// output) beside the regions' .mlir files; null when unset.
const char *llvmDumpDirectory() {
  static const char *dir = [] {
    const char *d = std::getenv("EJ_DUMP_DIR");
    return d && *d ? d : nullptr;
  }();
  return dir;
}

void dumpLLVM(const llvm::Module &m, const std::string &name,
              const char *suffix) {
  const char *dir = llvmDumpDirectory();
  if (!dir || name.empty())
    return;
  std::string path = std::string(dir) + "/kernel-" + name + suffix;
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    logJit("cannot write " + path + ": " + ec.message());
    return;
  }
  m.print(os, nullptr);
}

// How many threads compile one kernel's parts (setCompileThreads).
std::atomic<unsigned> compileThreads{0};

// setStreamingBytes's setting.
std::atomic<int64_t> streamingSetting{0};

// The bytes of output from which kernels stream their outputs.
int64_t streamingBytes() {
  int64_t set = streamingSetting.load(std::memory_order_relaxed);
  if (set < 0)
    return std::numeric_limits<int64_t>::max();
  return set > 0 ? set : hostTarget().lastLevelCache;
}

// The disk cache's key of `module` compiled to stream from `streaming`
// bytes of output (cpuKernelKey).
std::string kernelKey(ModuleOp module, int64_t streaming);

// The arguments of `module`'s kernel that are outputs (the destinations of
// its writes), when the kernel writes at least `streaming` bytes in all:
// the outputs it may stream.
SmallVector<unsigned> streamedOutputs(ModuleOp module, int64_t streaming) {
  SmallVector<unsigned> outputs;
  auto kernel = module.lookupSymbol<func::FuncOp>("kernel");
  if (!kernel)
    return outputs;
  int64_t bytes = 0;
  kernel.walk([&](bufferization::MaterializeInDestinationOp write) {
    auto arg = dyn_cast<BlockArgument>(write.getDest());
    auto type = arg ? dyn_cast<MemRefType>(arg.getType()) : MemRefType();
    if (!type || !type.hasStaticShape() ||
        arg.getOwner()->getParentOp() != kernel)
      return;
    outputs.push_back(arg.getArgNumber());
    bytes += type.getNumElements() *
             int64_t((type.getElementTypeBitWidth() + 7) / 8);
  });
  if (bytes < streaming)
    outputs.clear();
  return outputs;
}

unsigned threadsForParts() {
  unsigned n = compileThreads.load(std::memory_order_relaxed);
  // EJ_NUM_THREADS bounds these threads as it bounds the interpreter's.
  if (n == 0)
    n = threadsSetting();
  if (n == 0)
    n = std::max(1u, std::thread::hardware_concurrency());
  return std::min(n, 16u);
}

// Defined (weak, in each part that needs it) by the code of a kernel that
// streams outputs: CpuKernel::streams.
constexpr const char *kStreamsMark = "ej_kernel_streams";

// Whether `m` stores with non-temporal stores (see streamStores).
bool streamsOutputs(const llvm::Module &m) {
  for (const llvm::Function &f : m)
    for (const llvm::BasicBlock &block : f)
      for (const llvm::Instruction &i : block)
        if (llvm::isa<llvm::StoreInst>(i) &&
            i.hasMetadata(llvm::LLVMContext::MD_nontemporal))
          return true;
  return false;
}

// Optimizes `m` and emits it as an object file for `tm`; `phases`, when
// given, times the two steps. `dumpName` names its dump; `instructions` is
// the size of the optimized code.
std::unique_ptr<llvm::MemoryBuffer>
optimizeAndEmit(llvm::Module &m, llvm::TargetMachine &tm,
                const std::string &dumpName, CompilePhases *phases,
                size_t &instructions, std::string &error) {
  dumpLLVM(m, dumpName, ".in.ll");
  optimizeKernel(m, &tm, hostTarget().vectorMath);
  if (streamsOutputs(m))
    new llvm::GlobalVariable(
        m, llvm::Type::getInt8Ty(m.getContext()), /*isConstant=*/true,
        llvm::GlobalValue::WeakODRLinkage,
        llvm::ConstantInt::get(llvm::Type::getInt8Ty(m.getContext()), 1),
        kStreamsMark);
  instructions = instructionCount(m);
  if (phases) {
    phases->lap("LLVM passes");
    phases->note(std::to_string(instructions) + " LLVM instructions");
  }
  dumpLLVM(m, dumpName, ".ll");
  SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             llvm::CodeGenFileType::ObjectFile)) {
    error = "the host's target cannot emit object files";
    return nullptr;
  }
  codegen.run(m);
  if (phases)
    phases->lap("code generation");
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(
      std::move(bytes), "kernel.o", /*RequiresNullTerminator=*/false);
}

// One part of a split kernel (codegen/KernelParts.h), on a thread of its
// own: its own LLVMContext and TargetMachine.
std::unique_ptr<llvm::MemoryBuffer>
emitPart(const SmallVector<char, 0> &bitcode, const std::string &dumpName,
         size_t &instructions, std::string &error) {
  llvm::LLVMContext context;
  auto m = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(llvm::StringRef(bitcode.data(), bitcode.size()),
                            dumpName),
      context);
  if (!m) {
    error = llvm::toString(m.takeError());
    return nullptr;
  }
  llvm::TargetMachine *tm = threadTargetMachine(error);
  if (!tm)
    return nullptr;
  return optimizeAndEmit(**m, *tm, dumpName, nullptr, instructions, error);
}

// The pipeline a KernelPipelineScope gave this thread, if any.
thread_local KernelPipeline *threadPipeline = nullptr;

// Lowers a kernel module (rewritten in place) to object files for the
// host, one per part (codegen/KernelParts.h) compiled on threads of their
// own; `key` names its dump; it streams from `streaming` bytes of
// output. Empty, with `error` set, on failure.
std::vector<std::unique_ptr<llvm::MemoryBuffer>>
emitObjects(ModuleOp module, const std::string &key, int64_t streaming,
            CompilePhases &phases, std::string &error) {
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects;
  MLIRContext *ctx = module.getContext();
  FirstError first(ctx);
  SmallVector<unsigned> streamed = streamedOutputs(module, streaming);
  {
    std::optional<KernelPipeline> own;
    KernelPipeline *pipeline = threadPipeline;
    if (!pipeline || pipeline->context() != ctx)
      pipeline = &own.emplace(*ctx);
    if (failed(pipeline->run(module)) || failed(verify(module))) {
      error = first.take("ej-cpu-pipeline failed");
      return objects;
    }
  }
  phases.lap("MLIR passes");
  llvm::TargetMachine *tm = threadTargetMachine(error);
  if (!tm)
    return objects;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> m =
      translateModuleToLLVMIR(module, llvmContext);
  if (!m) {
    error = first.take("the kernel does not translate to LLVM IR");
    return objects;
  }
  m->setDataLayout(tm->createDataLayout());
  m->setTargetTriple(tm->getTargetTriple());
  // Functions carry the host CPU and features as clang's do, so that every
  // pass asking a function's subtarget (the vectorizer's cost model among
  // them) sees AVX-512 where the host has it.
  std::string cpu = tm->getTargetCPU().str();
  std::string features = tm->getTargetFeatureString().str();
  for (llvm::Function &f : *m)
    if (!f.isDeclaration()) {
      f.addFnAttr("target-cpu", cpu);
      f.addFnAttr("target-features", features);
    }
  if (!addEntry(*m, error))
    return objects;
  describeBufferAliasing(*m, streamed);
  // Only the entry point is called from outside. The kernel function takes
  // each memref descriptor as 5 + 2 * rank scalars, a training step's
  // kernel several hundred of them, and instruction selection of a call
  // passing them on the stack grows with their square (a quarter of a
  // second for one kernel): internal, the kernel and its C interface are
  // inlined into the entry, which reads the descriptors in place.
  for (llvm::Function &f : *m)
    if (!f.isDeclaration() && f.getName() != kEntry)
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  std::string name = key.substr(0, 16);
  std::vector<SmallVector<char, 0>> parts =
      splitKernelModule(*m, threadsForParts());
  phases.lap("translation");
  if (parts.empty()) {
    size_t instructions = 0;
    if (auto object =
            optimizeAndEmit(*m, *tm, name, &phases, instructions, error))
      objects.push_back(std::move(object));
    return objects;
  }
  m.reset();
  objects.resize(parts.size());
  std::vector<std::string> errors(parts.size());
  std::vector<size_t> instructions(parts.size(), 0);
  size_t started = 1;
  {
    auto emit = [&](size_t i) {
      objects[i] = emitPart(parts[i], name + "." + std::to_string(i),
                            instructions[i], errors[i]);
    };
    // Parts whose thread cannot be had (the system refuses one) are
    // emitted here, after the first.
    std::vector<std::thread> workers;
    try {
      for (; started < parts.size(); ++started)
        workers.emplace_back(emit, started);
    } catch (const std::system_error &) {
    }
    emit(0);
    for (size_t i = started; i < parts.size(); ++i)
      emit(i);
    for (std::thread &w : workers)
      w.join();
  }
  phases.lap("LLVM passes and code generation of " +
             std::to_string(parts.size()) + " parts on " +
             std::to_string(started) + " threads");
  phases.note(std::to_string(std::accumulate(instructions.begin(),
                                             instructions.end(), size_t(0))) +
              " LLVM instructions");
  for (size_t i = 0; i < parts.size(); ++i)
    if (!objects[i]) {
      error = errors[i];
      objects.clear();
      break;
    }
  return objects;
}

} // namespace

std::unique_ptr<CpuKernel>
CpuKernel::load(llvm::ArrayRef<llvm::MemoryBufferRef> objects,
                std::string &error) {
  auto failure = [&](llvm::Error e) {
    error = llvm::toString(std::move(e));
    return nullptr;
  };
  auto builder = hostBuilder();
  if (!builder)
    return failure(builder.takeError());
  // No platform (kernels have no initializers) and no process JITDylib of
  // LLJIT's own: the main JITDylib resolves what the object does not
  // define from the symbols below, then from the process. The JIT only
  // links objects: given the data layout, and a compiler that makes its
  // TargetMachine only if asked to compile IR, it makes no TargetMachine
  // (two of them, by default: as much work as linking a small kernel).
  auto jit =
      llvm::orc::LLJITBuilder()
          .setJITTargetMachineBuilder(std::move(*builder))
          .setDataLayout(llvm::DataLayout(hostTarget().dataLayout))
          .setCompileFunctionCreator(
              [](llvm::orc::JITTargetMachineBuilder jtmb)
                  -> llvm::Expected<
                      std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                return std::make_unique<llvm::orc::ConcurrentIRCompiler>(
                    std::move(jtmb));
              })
          .setLinkProcessSymbolsByDefault(false)
          .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
          .create();
  if (!jit)
    return failure(jit.takeError());
  llvm::orc::JITDylib &main = (*jit)->getMainJITDylib();
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process)
    return failure(process.takeError());
  main.addGenerator(std::move(*process));
  llvm::orc::MangleAndInterner mangle((*jit)->getExecutionSession(),
                                      (*jit)->getDataLayout());
  llvm::orc::SymbolMap symbols;
  for (auto [name, address] : blasRuntimeSymbols())
    symbols[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                             llvm::JITSymbolFlags::Exported};
  // Copies between strided memrefs (upstream's runtime function).
  symbols[mangle("memrefCopy")] = {
      llvm::orc::ExecutorAddr::fromPtr(&memrefCopy),
      llvm::JITSymbolFlags::Exported};
  // Temporaries come from the kernel allocator (the pipeline's generic
  // allocation functions).
  symbols[mangle("_mlir_memref_to_llvm_alloc")] = {
      llvm::orc::ExecutorAddr::fromPtr(&kernelMalloc),
      llvm::JITSymbolFlags::Exported};
  symbols[mangle("_mlir_memref_to_llvm_free")] = {
      llvm::orc::ExecutorAddr::fromPtr(&kernelFree),
      llvm::JITSymbolFlags::Exported};
  if (llvm::Error e = main.define(llvm::orc::absoluteSymbols(symbols)))
    return failure(std::move(e));
  // Copies: a part that nothing refers to yet is linked only when it is,
  // after the caller's buffers are gone.
  for (llvm::MemoryBufferRef object : objects)
    if (llvm::Error e =
            (*jit)->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(
                object.getBuffer(), object.getBufferIdentifier())))
      return failure(std::move(e));
  auto entry = (*jit)->lookup(kEntry);
  if (!entry)
    return failure(entry.takeError());
  auto kernel = std::unique_ptr<CpuKernel>(new CpuKernel);
  kernel->entry_ = entry->toPtr<void (*)(void **)>();
  auto mark = (*jit)->lookup(kStreamsMark);
  kernel->streams_ = bool(mark);
  if (!mark)
    llvm::consumeError(mark.takeError());
  kernel->jit_ = std::move(*jit);
  kernel->parts_ = unsigned(objects.size());
  return kernel;
}

void mlir::ej::setCompileThreads(unsigned threads) {
  compileThreads.store(threads, std::memory_order_relaxed);
}

void mlir::ej::setStreamingBytes(int64_t bytes) {
  streamingSetting.store(bytes, std::memory_order_relaxed);
}

mlir::ej::KernelAllocator
mlir::ej::setKernelAllocator(KernelAllocator allocator) {
  return {kernelAllocate.exchange(allocator.allocate),
          kernelRelease.exchange(allocator.release)};
}

std::string mlir::ej::cpuKernelKey(ModuleOp module) {
  return kernelKey(module, streamingBytes());
}

namespace {

std::string kernelKey(ModuleOp module, int64_t streaming) {
  const Target &target = hostTarget();
  std::string ir;
  {
    llvm::raw_string_ostream os(ir);
    module.print(os, OpPrintingFlags().enableDebugInfo(false));
  }
  llvm::SHA256 hash;
  std::string threshold = std::to_string(streaming);
  for (llvm::StringRef field :
       {llvm::StringRef(kKernelFormat), llvm::StringRef(LLVM_VERSION_STRING),
        llvm::StringRef(target.build), llvm::StringRef(target.triple),
        llvm::StringRef(target.cpu), llvm::StringRef(target.features),
        llvm::StringRef(target.vectorMath ? "libmvec" : "scalar math"),
        llvm::StringRef(threshold), llvm::StringRef(ir)}) {
    hash.update(field);
    hash.update(llvm::StringRef("\0", 1)); // fields end unambiguously
  }
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

} // namespace

void mlir::ej::initializeCodegen() { hostTarget(); }

KernelPipeline::KernelPipeline(MLIRContext &ctx)
    : pm_(std::make_unique<PassManager>(&ctx)) {
  // The module is verified once, at the end, not after each of the
  // pipeline's passes: that was nearly a third of the MLIR passes'
  // instructions (lit tests run the pipeline through ej-opt, which
  // verifies after each).
  pm_->enableVerifier(false);
  registerCodegenPasses(); // the pipeline is parsed from its text
  buildEjCpuPipeline(*pm_);
}
KernelPipeline::~KernelPipeline() = default;
MLIRContext *KernelPipeline::context() const { return pm_->getContext(); }
LogicalResult KernelPipeline::run(ModuleOp module) { return pm_->run(module); }

KernelPipelineScope::KernelPipelineScope(KernelPipeline &pipeline)
    : previous_(threadPipeline) {
  threadPipeline = &pipeline;
}
KernelPipelineScope::~KernelPipelineScope() { threadPipeline = previous_; }

std::unique_ptr<CpuKernel> mlir::ej::compileCpuKernel(ModuleOp module,
                                                      std::string &error) {
  const Target &target = hostTarget();
  if (!target.error.empty()) {
    error = target.error;
    return nullptr;
  }
  std::string dir = kernelCacheDirectory(), key;
  // Read once: the key and the code must agree.
  int64_t streaming = streamingBytes();
  // The key also names the kernel in the log and in dumps.
  if (!dir.empty() || jitLogging() || llvmDumpDirectory())
    key = kernelKey(module, streaming);
  if (!dir.empty()) {
    if (auto entry = readCachedKernel(dir, key)) {
      std::string why = "its objects are cut short";
      SmallVector<llvm::MemoryBufferRef> objects;
      if (unpackObjects(entry->getBuffer(), objects))
        if (auto kernel = CpuKernel::load(objects, why)) {
          kernel->loadedFromDisk_ = true;
          return kernel;
        }
      logJit("kernel " + key.substr(0, 16) +
             ": the disk cache's entry does not link (" +
             why.substr(0, why.find('\n')) + "), compiling again");
    }
  }
  CompilePhases phases;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects =
      emitObjects(module, key, streaming, phases, error);
  if (objects.empty())
    return nullptr;
  SmallVector<llvm::MemoryBufferRef> refs;
  for (const auto &object : objects)
    refs.push_back(object->getMemBufferRef());
  std::unique_ptr<CpuKernel> kernel = CpuKernel::load(refs, error);
  phases.lap("linking");
  if (kernel && jitLogging())
    logJit("kernel " + key.substr(0, 16) + " compiled (ms): " + phases.str());
  // Only objects that linked are kept.
  if (kernel && !dir.empty())
    writeCachedKernel(dir, key, packObjects(refs));
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

bool CpuFunction::streams() const { return kernel_->streams(); }

void CpuFunction::run(const std::vector<InputBuffer> &inputs,
                      const std::vector<void *> &outputs) const {
  SmallVector<KernelBuffer, 8> buffers, results;
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
    buffers.push_back({data, sig.shape, elementSize(sig.element)});
  }
  for (auto [i, out] : llvm::enumerate(outputs))
    results.push_back(
        {out, outputs_[i].shape, elementSize(outputs_[i].element)});
  kernel_->run(buffers, results);
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
  fn->loadedFromDisk_ = kernel->loadedFromDisk();
  fn->parts_ = kernel->parts();
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
