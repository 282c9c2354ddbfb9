//===- CpuCompiler.cpp - ej kernels to native code through ORC ------------===//
#include "codegen/CpuCompiler.h"
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

using namespace mlir;
using namespace mlir::ej;

void mlir::ej::registerCpuCodegenDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

OwningOpRef<ModuleOp> mlir::ej::makeKernelModule(FusionOp fusion,
                                                 MLIRContext &ctx) {
  ctx.getOrLoadDialect<bufferization::BufferizationDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  OpBuilder b(&ctx);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto buffer = [](Type t) {
    auto tensor = cast<RankedTensorType>(t);
    return MemRefType::get(tensor.getShape(), tensor.getElementType());
  };
  SmallVector<Type> args;
  for (Type t : fusion.getInputs().getTypes())
    args.push_back(buffer(t));
  for (Type t : fusion.getResultTypes())
    args.push_back(buffer(t));
  auto func =
      func::FuncOp::create(b, loc, "kernel", b.getFunctionType(args, {}));
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  Block &body = fusion.getBody().front();
  unsigned numInputs = fusion.getInputs().size();
  IRMapping map;
  for (unsigned i = 0; i < numInputs; ++i)
    map.map(body.getArgument(i),
            bufferization::ToTensorOp::create(
                b, loc, body.getArgument(i).getType(), entry->getArgument(i),
                /*restrict=*/true, /*writable=*/false));
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  auto yield = cast<YieldOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(yield.getValues())) {
    auto write = bufferization::MaterializeInDestinationOp::create(
        b, loc, TypeRange{}, map.lookupOrDefault(v),
        entry->getArgument(numInputs + unsigned(i)));
    write.setRestrict(true);
    write.setWritable(true);
  }
  func::ReturnOp::create(b, loc);
  return module;
}

CpuKernel::~CpuKernel() = default;

void CpuKernel::run(const std::vector<KernelBuffer> &buffers) const {
  // One memref descriptor per buffer: allocated, aligned, offset, sizes,
  // strides (row-major).
  std::vector<std::vector<int64_t>> descriptors(buffers.size());
  std::vector<void *> pointers(buffers.size());
  std::vector<void *> args(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    const KernelBuffer &buf = buffers[i];
    std::vector<int64_t> &d = descriptors[i];
    size_t rank = buf.shape.size();
    d.resize(3 + 2 * rank);
    d[0] = d[1] = int64_t(reinterpret_cast<intptr_t>(buf.data));
    d[2] = 0;
    int64_t stride = 1;
    for (size_t k = rank; k-- > 0;) {
      d[3 + k] = buf.shape[k];
      d[3 + rank + k] = stride;
      stride *= buf.shape[k];
    }
    pointers[i] = d.data();
    args[i] = &pointers[i];
  }
  entry_(args.data());
}

std::unique_ptr<CpuKernel> mlir::ej::compileCpuKernel(ModuleOp module,
                                                      std::string &error) {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    registerCodegenPasses();
  });
  MLIRContext *ctx = module.getContext();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &d) {
    llvm::raw_string_ostream os(diagnostics);
    os << d.getLocation() << ": " << d.str() << "\n";
    return success();
  });
  PassManager pm(ctx);
  buildEjCpuPipeline(pm);
  if (failed(pm.run(module))) {
    error = "lowering failed: " + diagnostics;
    return nullptr;
  }

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
  auto transformer = makeOptimizingTransformer(2, 0, tm->get());
  ExecutionEngineOptions options;
  options.transformer = transformer;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Default;
  options.enableGDBNotificationListener = false;
  auto engine = ExecutionEngine::create(module, options, std::move(*tm));
  if (!engine) {
    error = llvm::toString(engine.takeError());
    return nullptr;
  }
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
