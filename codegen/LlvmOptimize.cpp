//===- LlvmOptimize.cpp - LLVM's optimizer for the kernels ---------------===//
#include "codegen/LlvmOptimize.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Target/TargetMachine.h"
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
// comparison or select of floats, an intrinsic (fma, floor, fabs, ...)
// counts one; a call of a math function (exp, tanh, ... in float64)
// counts as a whole polynomial.
unsigned floatWork(const llvm::Instruction &i) {
  constexpr unsigned kMathCall = 8;
  if (const auto *call = llvm::dyn_cast<llvm::CallInst>(&i)) {
    if (!call->getType()->isFPOrFPVectorTy())
      return 0;
    return llvm::isa<llvm::IntrinsicInst>(call) ? 1 : kMathCall;
  }
  if (llvm::isa<llvm::FCmpInst>(i))
    return 1;
  if (llvm::isa<llvm::BinaryOperator, llvm::UnaryOperator, llvm::SelectInst>(
          i) &&
      i.getType()->isFPOrFPVectorTy())
    return 1;
  return 0;
}

// At the vectorizer's start, where loops are simplified and rotated.
struct InterleaveHeavyLoopsPass
    : llvm::PassInfoMixin<InterleaveHeavyLoopsPass> {
  llvm::PreservedAnalyses run(llvm::Function &f,
                              llvm::FunctionAnalysisManager &) {
    if (!interleaveHeavyLoops(f))
      return llvm::PreservedAnalyses::all();
    llvm::PreservedAnalyses kept;
    kept.preserveSet<llvm::CFGAnalyses>();
    return kept;
  }
};

} // namespace

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
    unsigned work = 0;
    for (llvm::BasicBlock *block : loop->blocks())
      for (const llvm::Instruction &i : *block)
        work += floatWork(i);
    if (work < kHeavyLoopOps)
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
