//===- LlvmOptimize.cpp - LLVM's optimizer for the kernels ---------------===//
#include "codegen/LlvmOptimize.h"
#include "codegen/BufferAliasing.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/ScalarEvolutionExpressions.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/IntrinsicsX86.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Local.h"
#include "llvm/Transforms/Utils/LoopUtils.h"

#include <dlfcn.h>

#include <string>
#include <vector>

using namespace mlir::ej;

namespace {

// libmvec functions that LLVM's preset for it leaves out, called by name
// (convert-math-to-libm) or as LLVM's intrinsics (convert-math-to-llvm).
void addVectorMath(llvm::TargetLibraryInfoImpl &tli,
                   const llvm::Triple &triple) {
  tli.addVectorizableFunctionsFromVecLib(llvm::VectorLibrary::LIBMVEC, triple);
  static constexpr const char *kMore[] = {"tanh", "erf",   "log1p", "expm1",
                                          "log2", "log10", "exp2",  "exp10"};
  // Names live as long as the mappings: the table keeps StringRefs. Never
  // destroyed: a region's compile may still run while the process exits.
  static const std::vector<std::string> &names =
      *new std::vector<std::string>([] {
        std::vector<std::string> n;
        for (const char *f : kMore)
          for (const char *variant : {"_ZGVbN2v_", "_ZGVdN4v_"}) {
            n.push_back(f);
            n.push_back(std::string("llvm.") + f + ".f64");
            n.push_back(variant + std::string(f));
          }
        return n;
      }());
  // Found once: which of them the C library exports.
  static const std::vector<llvm::VecDesc> &more =
      *new std::vector<llvm::VecDesc>([] {
        std::vector<llvm::VecDesc> d;
        for (size_t i = 0; i < names.size(); i += 3) {
          bool wide = (i / 3) % 2 == 1;
          auto lanes = llvm::ElementCount::getFixed(wide ? 4 : 2);
          const char *abi = wide ? "_ZGV_LLVM_N4v" : "_ZGV_LLVM_N2v";
          // Older glibcs (before 2.35) lack these: a kernel calling a missing
          // one would fail to link.
          if (!dlsym(RTLD_DEFAULT, names[i + 2].c_str()))
            continue;
          for (size_t scalar : {i, i + 1})
            d.emplace_back(names[scalar], names[i + 2], lanes, false, abi,
                           std::nullopt);
        }
        return d;
      }());
  tli.addVectorizableFunctions(more);
}

// The floating-point work of one instruction: an arithmetic op, a
// comparison or select of floats, a conversion from or to a float (a
// float32 value widened for a float64 sum runs on the same units), an
// intrinsic (fma, floor, fabs, ...) counts one; a call of a math function
// (exp, tanh, ... in float64) counts as a whole polynomial.
unsigned floatWork(const llvm::Instruction &i) {
  constexpr unsigned kMathCall = 8;
  if (const auto *call = llvm::dyn_cast<llvm::CallInst>(&i)) {
    if (!call->getType()->isFPOrFPVectorTy())
      return 0;
    return llvm::isa<llvm::IntrinsicInst>(call) ? 1 : kMathCall;
  }
  if (llvm::isa<llvm::FCmpInst>(i))
    return 1;
  if (llvm::isa<llvm::FPExtInst, llvm::FPTruncInst, llvm::FPToSIInst,
                llvm::FPToUIInst, llvm::SIToFPInst, llvm::UIToFPInst>(i))
    return 1;
  if (llvm::isa<llvm::BinaryOperator, llvm::UnaryOperator, llvm::SelectInst>(
          i) &&
      i.getType()->isFPOrFPVectorTy())
    return 1;
  return 0;
}

// The floating-point work of an iteration of `loop`.
unsigned loopFloatWork(const llvm::Loop &loop) {
  unsigned work = 0;
  for (llvm::BasicBlock *block : loop.blocks())
    for (const llvm::Instruction &i : *block)
      work += floatWork(i);
  return work;
}

// What a pass of ours keeps: everything if it changed nothing (`changed`
// is 0), the control flow otherwise (they add metadata and instructions,
// never blocks).
llvm::PreservedAnalyses keptUnless(unsigned changed) {
  if (!changed)
    return llvm::PreservedAnalyses::all();
  llvm::PreservedAnalyses kept;
  kept.preserveSet<llvm::CFGAnalyses>();
  return kept;
}

// At the vectorizer's start, where loops are simplified and rotated.
struct InterleaveHeavyLoopsPass
    : llvm::PassInfoMixin<InterleaveHeavyLoopsPass> {
  llvm::PreservedAnalyses run(llvm::Function &f,
                              llvm::FunctionAnalysisManager &) {
    return keptUnless(interleaveHeavyLoops(f));
  }
};

// After the prefetches, on the vector stores.
struct StreamStoresPass : llvm::PassInfoMixin<StreamStoresPass> {
  llvm::PreservedAnalyses run(llvm::Function &f,
                              llvm::FunctionAnalysisManager &analyses) {
    return keptUnless(
        streamStores(f, analyses.getResult<llvm::DominatorTreeAnalysis>(f)));
  }
};

// At the vectorizer's end, where the loops hold their vector bodies.
struct PrefetchNextBlocksPass : llvm::PassInfoMixin<PrefetchNextBlocksPass> {
  llvm::PreservedAnalyses run(llvm::Function &f,
                              llvm::FunctionAnalysisManager &analyses) {
    return keptUnless(prefetchNextBlocks(
        analyses.getResult<llvm::LoopAnalysis>(f),
        analyses.getResult<llvm::DominatorTreeAnalysis>(f),
        analyses.getResult<llvm::ScalarEvolutionAnalysis>(f)));
  }
};

// The stride of address `s` per iteration of `outer`, in bytes, when `s`
// is an affine recurrence of loops within `outer`, with a constant stride
// there and strides in the loops between that do not change with it.
std::optional<int64_t> strideIn(const llvm::SCEV *s, const llvm::Loop *outer,
                                llvm::ScalarEvolution &scev) {
  while (const auto *rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(s)) {
    if (!outer->contains(rec->getLoop()) || !rec->isAffine())
      return std::nullopt;
    const llvm::SCEV *step = rec->getOperand(1);
    if (rec->getLoop() == outer) {
      const auto *c = llvm::dyn_cast<llvm::SCEVConstant>(step);
      if (!c)
        return std::nullopt;
      return c->getAPInt().getSExtValue();
    }
    if (!scev.isLoopInvariant(step, outer))
      return std::nullopt;
    s = rec->getStart();
  }
  return std::nullopt;
}

// Which buffer `load` reads: the alias scope codegen/BufferAliasing gave
// its buffer (a parallel loop's body receives each use of a buffer in a
// field of its own); without one, its pointer's underlying object or, for
// a pointer loaded from memory, the address it was loaded from.
const void *bufferOf(const llvm::LoadInst &load, llvm::ScalarEvolution &scev) {
  if (const llvm::MDNode *scope =
          load.getMetadata(llvm::LLVMContext::MD_alias_scope))
    return scope;
  const llvm::Value *object =
      llvm::getUnderlyingObject(load.getPointerOperand(), 0);
  if (const auto *loaded = llvm::dyn_cast<llvm::LoadInst>(object))
    object = loaded->getPointerOperand();
  return scev.getSCEV(const_cast<llvm::Value *>(object));
}

// The loads of `loop`'s blocks.
llvm::SmallVector<llvm::LoadInst *> loadsOf(const llvm::Loop &loop) {
  llvm::SmallVector<llvm::LoadInst *> loads;
  for (llvm::BasicBlock *block : loop.blocks())
    for (llvm::Instruction &i : *block)
      if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i))
        loads.push_back(load);
  return loads;
}

// A load of `loop` that walks its buffer a cache line or more per
// iteration, and by a constant stride per iteration of `outer`: its
// address, and those two strides in bytes.
struct WalkingLoad {
  llvm::LoadInst *load;
  const llvm::SCEV *address;
  int64_t iteration, block;
};

std::optional<WalkingLoad> walking(llvm::LoadInst *load, const llvm::Loop &loop,
                                   const llvm::Loop &outer,
                                   llvm::ScalarEvolution &scev) {
  const llvm::SCEV *address = scev.getSCEV(load->getPointerOperand());
  const auto *rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(address);
  if (!rec || rec->getLoop() != &loop || !rec->isAffine())
    return std::nullopt;
  const auto *step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getOperand(1));
  std::optional<int64_t> block = strideIn(address, &outer, scev);
  if (!step || step->getAPInt().getSExtValue() < int64_t(kCacheLineBytes) ||
      !block || *block == 0)
    return std::nullopt;
  return WalkingLoad{load, address, step->getAPInt().getSExtValue(), *block};
}

// Places the prefetches of one loop over blocks (see prefetchNextBlocks).
unsigned prefetchInBody(llvm::Loop &outer, llvm::DominatorTree &dominators,
                        llvm::ScalarEvolution &scev) {
  llvm::SmallVector<llvm::Loop *> inner;
  for (llvm::Loop *l : outer.getLoopsInPreorder())
    if (l != &outer && l->isInnermost())
      inner.push_back(l);
  // The loads of a pass that reads a buffer an earlier pass read: the
  // block is in the cache by then, and the memory is idle.
  auto rereads = [&](llvm::Loop *l) {
    llvm::SmallPtrSet<const void *, 8> before;
    for (llvm::Loop *earlier : inner)
      if (earlier != l &&
          dominators.properlyDominates(earlier->getHeader(), l->getHeader()))
        for (llvm::LoadInst *load : loadsOf(*earlier))
          before.insert(bufferOf(*load, scev));
    llvm::SmallVector<WalkingLoad> loads;
    for (llvm::LoadInst *load : loadsOf(*l))
      if (before.contains(bufferOf(*load, scev)))
        if (std::optional<WalkingLoad> w = walking(load, *l, outer, scev))
          loads.push_back(*w);
    return loads;
  };
  // The heaviest such pass, if heavy enough to hide the memory's latency
  // behind its arithmetic: the prefetches of a light pass (a layernorm's
  // subtraction of the mean) come in one burst.
  llvm::SmallVector<WalkingLoad> loads;
  unsigned most = kHeavyLoopOps - 1;
  for (llvm::Loop *l : inner) {
    unsigned work = loopFloatWork(*l);
    if (work <= most)
      continue;
    if (llvm::SmallVector<WalkingLoad> r = rereads(l); !r.empty()) {
      loads = std::move(r);
      most = work;
    }
  }

  // The loads in groups that read within one iteration's stride of each
  // other (an interleaved vector loop's loads of one buffer): each
  // group's lowest load, and the bytes from it to the end of the highest.
  struct Group {
    const WalkingLoad *first, *lowest;
    int64_t low = 0, high = 0;
  };
  const llvm::DataLayout &layout =
      outer.getHeader()->getModule()->getDataLayout();
  llvm::SmallVector<Group> groups;
  for (const WalkingLoad &w : loads) {
    int64_t size =
        int64_t(layout.getTypeStoreSize(w.load->getType()).getKnownMinValue());
    auto offsetFrom = [&](const Group &g) -> std::optional<int64_t> {
      const auto *d = llvm::dyn_cast<llvm::SCEVConstant>(
          scev.getMinusSCEV(w.address, g.first->address));
      if (!d || w.iteration != g.first->iteration || w.block != g.first->block)
        return std::nullopt;
      int64_t offset = d->getAPInt().getSExtValue();
      if (offset <= -w.iteration || offset >= w.iteration)
        return std::nullopt;
      return offset;
    };
    Group *group = nullptr;
    std::optional<int64_t> offset;
    for (Group &g : groups)
      if ((offset = offsetFrom(g))) {
        group = &g;
        break;
      }
    if (!group) {
      groups.push_back({&w, &w, 0, size});
      continue;
    }
    if (*offset < group->low) {
      group->lowest = &w;
      group->low = *offset;
    }
    group->high = std::max(group->high, *offset + size);
  }

  unsigned placed = 0;
  for (const Group &g : groups) {
    llvm::LoadInst *load = g.lowest->load;
    llvm::IRBuilder<> b(load);
    llvm::Function *prefetch = llvm::Intrinsic::getOrInsertDeclaration(
        load->getModule(), llvm::Intrinsic::prefetch,
        {load->getPointerOperandType()});
    // The lines the iteration reads (not those it strides over).
    int64_t span = std::min(g.high - g.low, g.first->iteration);
    for (int64_t line = 0; line < span; line += int64_t(kCacheLineBytes)) {
      llvm::Value *ahead = b.CreateGEP(b.getInt8Ty(), load->getPointerOperand(),
                                       b.getInt64(g.first->block + line));
      // A read, kept in every level of the cache, of data.
      b.CreateCall(prefetch,
                   {ahead, b.getInt32(0), b.getInt32(3), b.getInt32(1)});
      ++placed;
    }
  }
  return placed;
}

} // namespace

unsigned mlir::ej::prefetchNextBlocks(llvm::LoopInfo &loops,
                                      llvm::DominatorTree &dominators,
                                      llvm::ScalarEvolution &scev) {
  unsigned placed = 0;
  for (llvm::Loop *outer : loops)
    placed += prefetchInBody(*outer, dominators, scev);
  return placed;
}

unsigned mlir::ej::streamStores(llvm::Function &f,
                                llvm::DominatorTree &dominators) {
  if (f.isDeclaration() || !f.getParent()->getTargetTriple().isX86())
    return 0;
  const llvm::DataLayout &layout = f.getDataLayout();
  auto streamed = [](const llvm::MDNode *scopes) {
    return scopes && scopes->getNumOperands() == 1 &&
           llvm::AliasScopeNode(llvm::cast<llvm::MDNode>(scopes->getOperand(0)))
                   .getName() == kStreamedScope;
  };
  llvm::MDNode *nontemporal = llvm::MDNode::get(
      f.getContext(), llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(
                          llvm::Type::getInt32Ty(f.getContext()), 1)));
  unsigned marked = 0;
  llvm::SmallVector<llvm::Instruction *> synchronizations;
  for (llvm::BasicBlock &block : f)
    for (llvm::Instruction &i : block) {
      auto *call = llvm::dyn_cast<llvm::CallBase>(&i);
      if (llvm::isa<llvm::ReturnInst>(i) ||
          (call && call->getCalledFunction() &&
           call->getCalledFunction()->getName() == "__kmpc_barrier"))
        synchronizations.push_back(&i);
      auto *store = llvm::dyn_cast<llvm::StoreInst>(&i);
      if (!store || !store->isSimple() ||
          !store->getValueOperand()->getType()->isVectorTy() ||
          !streamed(store->getMetadata(llvm::LLVMContext::MD_alias_scope)))
        continue;
      uint64_t bytes =
          layout.getTypeStoreSize(store->getValueOperand()->getType());
      // x86 streams 16, 32 and 64 bytes from an address of that alignment.
      if (bytes < 16 || bytes > 64 || !llvm::isPowerOf2_64(bytes) ||
          llvm::getKnownAlignment(store->getPointerOperand(), layout, store,
                                  nullptr, &dominators)
                  .value() < bytes)
        continue;
      store->setAlignment(llvm::Align(bytes));
      store->setMetadata(llvm::LLVMContext::MD_nontemporal, nontemporal);
      ++marked;
    }
  // Non-temporal stores are weakly ordered: the fence makes them visible
  // before the threads next meet (a barrier of OpenMP's runtime, or its
  // join after the function returns) and read what the others wrote.
  if (marked)
    for (llvm::Instruction *sync : synchronizations)
      llvm::IRBuilder<>(sync).CreateIntrinsic(llvm::Intrinsic::x86_sse_sfence,
                                              {});
  return marked;
}

unsigned mlir::ej::interleaveHeavyLoops(llvm::Function &f) {
  if (f.isDeclaration())
    return 0;
  llvm::DominatorTree dominators(f);
  llvm::LoopInfo loops(dominators);
  unsigned marked = 0;
  for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
    if (!loop->isInnermost() ||
        llvm::findStringMetadataForLoop(loop, "llvm.loop.interleave.count"))
      continue;
    if (loopFloatWork(*loop) < kHeavyLoopOps)
      continue;
    llvm::addStringMetadataToLoop(loop, "llvm.loop.interleave.count",
                                  kHeavyLoopInterleave);
    ++marked;
  }
  return marked;
}

// LLVM's O2 pipeline without loop unrolling and without the SLP
// vectorizer. The kernels are loop nests whose inner loops the loop
// vectorizer handles (and interleaves); they wait on memory or on the
// polynomial approximations. Unrolling them again and SLP over the vector
// code only cost compile time: the MLP training step's 256-op regions
// compiled 1039-1078 ms with unrolling, 881-918 ms without, and 25-45%
// faster again without SLP, while the 8-op chain, softmax, layernorm, GELU,
// the Adam step and the training step ran as fast within the noise.
void mlir::ej::optimizeKernel(llvm::Module &m, llvm::TargetMachine *tm,
                              bool vectorMath) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = false;
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  // Two module-wide passes that find nothing in these kernels but cost
  // much in large ones: CalledValuePropagation (the callees of indirect
  // calls; a kernel has none) and LoopLoadElimination (values stored in
  // one iteration and loaded in the next; the loops read their inputs and
  // write their outputs). In a training step's 256-op kernel they took 13%
  // and 2% of the optimizer's instructions.
  llvm::PassInstrumentationCallbacks instrumentation;
  instrumentation.registerShouldRunOptionalPassCallback(
      [](llvm::StringRef pass, llvm::Any) {
        return pass != "CalledValuePropagationPass" &&
               pass != "LoopLoadEliminationPass";
      });
  llvm::PassBuilder builder(tm, tuning, std::nullopt, &instrumentation);
  builder.registerVectorizerStartEPCallback(
      [](llvm::FunctionPassManager &fpm, llvm::OptimizationLevel) {
        fpm.addPass(InterleaveHeavyLoopsPass());
      });
  builder.registerVectorizerEndEPCallback(
      [](llvm::FunctionPassManager &fpm, llvm::OptimizationLevel) {
        fpm.addPass(PrefetchNextBlocksPass());
        fpm.addPass(StreamStoresPass());
      });
  llvm::Triple triple(m.getTargetTriple());
  llvm::TargetLibraryInfoImpl libraries(triple);
  if (vectorMath)
    addVectorMath(libraries, triple);
  functions.registerPass(
      [&] { return llvm::TargetLibraryAnalysis(libraries); });
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2)
      .run(m, modules);
}
