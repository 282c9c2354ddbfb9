//===- LlvmOptimizeTest.cpp - What LLVM's optimizer is asked to do -------===//
//
// interleaveHeavyLoops marks the innermost loops whose bodies do much
// floating-point work (a chain of exp and tanh polynomials, a float64 math
// call) and leaves the others to the loop vectorizer's own choice.
// prefetchNextBlocks prefetches, in a loop over blocks that passes over
// each block more than once, the next block during the heaviest later pass.
//
//===----------------------------------------------------------------------===//
#include "codegen/LlvmOptimize.h"

#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Transforms/Utils/LoopUtils.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

namespace {

using mlir::ej::kHeavyLoopInterleave;
using mlir::ej::kHeavyLoopOps;

// A loop named `name` over %a[0, %n) whose body applies `ops` float
// multiplications, or `calls` calls of tanh on doubles, to each element;
// `next` is the block after it.
std::string loop(const std::string &name, unsigned ops, unsigned calls,
                 const std::string &next) {
  const char *type = calls ? "double" : "float";
  std::string s = name + ":\n";
  s += "  %" + name + ".i = phi i64 [ 0, %" + name + ".pre ], [ %" + name +
       ".next, %" + name + " ]\n";
  s += "  %" + name + ".p = getelementptr " + type + ", ptr %a, i64 %" + name +
       ".i\n";
  s += "  %" + name + ".v0 = load " + type + ", ptr %" + name + ".p\n";
  unsigned steps = calls ? calls : ops;
  for (unsigned k = 0; k < steps; ++k) {
    std::string from = "%" + name + ".v" + std::to_string(k),
                to = "%" + name + ".v" + std::to_string(k + 1);
    s += calls ? "  " + to + " = call double @tanh(double " + from + ")\n"
               : "  " + to + " = fmul float " + from + ", " + from + "\n";
  }
  s += "  store " + std::string(type) + " %" + name + ".v" +
       std::to_string(steps) + ", ptr %" + name + ".p\n";
  s += "  %" + name + ".next = add i64 %" + name + ".i, 1\n";
  s += "  %" + name + ".c = icmp slt i64 %" + name + ".next, %n\n";
  s += "  br i1 %" + name + ".c, label %" + name + ", label %" + next + "\n";
  return s;
}

// The interleave count each loop of `f` asks for, by its header's name.
std::map<std::string, std::optional<int>> interleaveCounts(llvm::Function &f) {
  llvm::DominatorTree dominators(f);
  llvm::LoopInfo loops(dominators);
  std::map<std::string, std::optional<int>> counts;
  for (llvm::Loop *l : loops.getLoopsInPreorder())
    counts[l->getHeader()->getName().str()] =
        llvm::getOptionalIntLoopAttribute(l, "llvm.loop.interleave.count");
  return counts;
}

TEST(LlvmOptimize, OnlyLoopsHeavyWithFloatWorkAskToBeInterleaved) {
  // Loops of exactly the threshold, one below it, and two float64 calls.
  std::string ir = "declare double @tanh(double)\n"
                   "define void @f(ptr %a, i64 %n) {\n"
                   "heavy.pre:\n  br label %heavy\n" +
                   loop("heavy", kHeavyLoopOps, 0, "light.pre") +
                   "light.pre:\n  br label %light\n" +
                   loop("light", kHeavyLoopOps - 1, 0, "calls.pre") +
                   "calls.pre:\n  br label %calls\n" +
                   loop("calls", 0, 2, "exit") + "exit:\n  ret void\n}\n";
  llvm::LLVMContext ctx;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> m = llvm::parseAssemblyString(ir, error, ctx);
  ASSERT_TRUE(m) << error.getMessage().str() << "\n" << ir;
  llvm::Function &f = *m->getFunction("f");

  EXPECT_EQ(mlir::ej::interleaveHeavyLoops(f), 2u);
  auto counts = interleaveCounts(f);
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts["heavy"], int(kHeavyLoopInterleave));
  EXPECT_EQ(counts["light"], std::nullopt);
  EXPECT_EQ(counts["calls"], int(kHeavyLoopInterleave));
  // A loop that already says how to be interleaved keeps what it says.
  EXPECT_EQ(mlir::ej::interleaveHeavyLoops(f), 0u);
}

TEST(LlvmOptimize, AnOuterLoopIsLeftToItsInnerOnes) {
  // The inner loop is heavy; the outer one holds it but is not innermost.
  std::string ir =
      "define void @g(ptr %a, i64 %n, i64 %m) {\n"
      "outer.pre:\n  br label %outer\n"
      "outer:\n"
      "  %o = phi i64 [ 0, %outer.pre ], [ %o.next, %inner.exit ]\n"
      "  br label %inner.pre\n"
      "inner.pre:\n  br label %inner\n" +
      loop("inner", kHeavyLoopOps, 0, "inner.exit") +
      "inner.exit:\n"
      "  %o.next = add i64 %o, 1\n"
      "  %o.c = icmp slt i64 %o.next, %m\n"
      "  br i1 %o.c, label %outer, label %exit\n"
      "exit:\n  ret void\n}\n";
  llvm::LLVMContext ctx;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> m = llvm::parseAssemblyString(ir, error, ctx);
  ASSERT_TRUE(m) << error.getMessage().str() << "\n" << ir;
  EXPECT_EQ(mlir::ej::interleaveHeavyLoops(*m->getFunction("g")), 1u);
  auto counts = interleaveCounts(*m->getFunction("g"));
  EXPECT_EQ(counts["inner"], int(kHeavyLoopInterleave));
  EXPECT_EQ(counts["outer"], std::nullopt);
}

// A loop over %n blocks of 1024 floats of %a (and of %b, read whole by
// each block), whose body runs the given passes in order. Each pass walks
// a block 16 floats (one cache line) per iteration: "sum" adds %a's block
// up; "heavy" reads %a's block, multiplies it by %b `ops` times and stores
// it into %t (a temporary: the same for each block); "scale" reads %t and
// %b.
std::string blocks(const std::vector<std::string> &passes, unsigned ops) {
  std::string s = "define void @f(ptr noalias %a, ptr noalias %b, "
                  "ptr noalias %t, i64 %n) {\n"
                  "entry:\n  br label %outer\n"
                  "outer:\n"
                  "  %i = phi i64 [ 0, %entry ], [ %i.next, %latch ]\n"
                  "  %row = mul i64 %i, 1024\n";
  for (size_t k = 0; k < passes.size(); ++k) {
    std::string p = passes[k] + std::to_string(k);
    std::string from = k == 0 ? "outer" : passes[k - 1] + std::to_string(k - 1);
    std::string next = k + 1 < passes.size()
                           ? passes[k + 1] + std::to_string(k + 1)
                           : std::string("latch");
    s += "  br label %" + p + "\n" + p + ":\n";
    s += "  %" + p + ".j = phi i64 [ 0, %" + (k == 0 ? "outer" : from) +
         " ], [ %" + p + ".next, %" + p + " ]\n";
    s += "  %" + p + ".ai = add i64 %row, %" + p + ".j\n";
    s += "  %" + p + ".pa = getelementptr float, ptr %a, i64 %" + p + ".ai\n";
    s += "  %" + p + ".pb = getelementptr float, ptr %b, i64 %" + p + ".j\n";
    s += "  %" + p + ".pt = getelementptr float, ptr %t, i64 %" + p + ".j\n";
    if (passes[k] == "sum") {
      s += "  %" + p + ".acc = phi <16 x float> [ zeroinitializer, %" +
           (k == 0 ? "outer" : from) + " ], [ %" + p + ".sum, %" + p + " ]\n";
      s += "  %" + p + ".v = load <16 x float>, ptr %" + p + ".pa\n";
      s +=
          "  %" + p + ".sum = fadd <16 x float> %" + p + ".acc, %" + p + ".v\n";
    } else {
      bool heavy = passes[k] == "heavy";
      s += "  %" + p + ".v0 = load <16 x float>, ptr %" + p +
           (heavy ? ".pa" : ".pt") + "\n";
      s += "  %" + p + ".w = load <16 x float>, ptr %" + p + ".pb\n";
      unsigned n = heavy ? ops : 1;
      for (unsigned o = 0; o < n; ++o)
        s += "  %" + p + ".v" + std::to_string(o + 1) +
             " = fmul <16 x float> %" + p + ".v" + std::to_string(o) + ", %" +
             p + ".w\n";
      s += "  store <16 x float> %" + p + ".v" + std::to_string(n) + ", ptr %" +
           p + ".pt\n";
    }
    s += "  %" + p + ".next = add i64 %" + p + ".j, 16\n";
    s += "  %" + p + ".c = icmp ult i64 %" + p + ".next, 1024\n";
    s += "  br i1 %" + p + ".c, label %" + p + ", label %" + p + ".exit\n";
    s += p + ".exit:\n";
    if (next == "latch")
      s += "  br label %latch\n";
  }
  s += "latch:\n"
       "  %i.next = add i64 %i, 1\n"
       "  %i.c = icmp ult i64 %i.next, %n\n"
       "  br i1 %i.c, label %outer, label %exit\n"
       "exit:\n  ret void\n}\n";
  return s;
}

// The prefetches prefetchNextBlocks places in `ir`'s @f: for each, the
// block it is in and its distance in bytes from the load it precedes.
std::vector<std::pair<std::string, int64_t>> prefetches(const std::string &ir,
                                                        unsigned &placed) {
  llvm::LLVMContext ctx;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> m = llvm::parseAssemblyString(ir, error, ctx);
  EXPECT_TRUE(m) << error.getMessage().str() << "\n" << ir;
  std::vector<std::pair<std::string, int64_t>> found;
  if (!m)
    return found;
  llvm::Function &f = *m->getFunction("f");
  llvm::TargetLibraryInfoImpl libraries(m->getTargetTriple());
  llvm::TargetLibraryInfo tli(libraries);
  llvm::AssumptionCache assumptions(f);
  llvm::DominatorTree dominators(f);
  llvm::LoopInfo loops(dominators);
  llvm::ScalarEvolution scev(f, tli, assumptions, dominators, loops);
  placed = mlir::ej::prefetchNextBlocks(loops, dominators, scev);
  for (llvm::BasicBlock &block : f)
    for (llvm::Instruction &i : block)
      if (auto *call = llvm::dyn_cast<llvm::IntrinsicInst>(&i);
          call && call->getIntrinsicID() == llvm::Intrinsic::prefetch) {
        auto *gep = llvm::cast<llvm::GetElementPtrInst>(call->getArgOperand(0));
        auto *offset = llvm::cast<llvm::ConstantInt>(gep->getOperand(1));
        // Reads, kept in every cache level, of data.
        EXPECT_EQ(llvm::cast<llvm::ConstantInt>(call->getArgOperand(1))
                      ->getZExtValue(),
                  0u);
        EXPECT_EQ(llvm::cast<llvm::ConstantInt>(call->getArgOperand(2))
                      ->getZExtValue(),
                  3u);
        EXPECT_EQ(llvm::cast<llvm::ConstantInt>(call->getArgOperand(3))
                      ->getZExtValue(),
                  1u);
        found.push_back({block.getName().str(), offset->getSExtValue()});
        // Just before the load whose address it is a block ahead of.
        auto *load = llvm::dyn_cast<llvm::LoadInst>(call->getNextNode());
        EXPECT_TRUE(load && load->getPointerOperand() == gep->getOperand(0));
      }
  return found;
}

TEST(LlvmOptimize, TheNextBlockIsPrefetchedDuringTheHeaviestLaterPass) {
  // softmax's shape: a pass reads the block from memory, later passes
  // compute on it in the cache. The heaviest pass that reads %a again
  // prefetches %a's next block (4096 bytes on), one line per iteration.
  unsigned placed = 0;
  auto found =
      prefetches(blocks({"sum", "heavy", "scale"}, kHeavyLoopOps), placed);
  EXPECT_EQ(placed, 1u);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], std::make_pair(std::string("heavy1"), int64_t(4096)));

  // Of two later passes, the heavier one.
  found = prefetches(blocks({"sum", "heavy", "sum", "heavy"}, kHeavyLoopOps),
                     placed);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first, "heavy1");
  found = prefetches(blocks({"sum", "sum", "heavy"}, kHeavyLoopOps), placed);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first, "heavy2");
}

TEST(LlvmOptimize, OnlyAHeavyPassReadingItsBlockAgainGetsPrefetches) {
  unsigned placed = 0;
  // A later pass too light to hide the next block's latency: its
  // prefetches would come in one burst.
  EXPECT_TRUE(
      prefetches(blocks({"sum", "heavy"}, kHeavyLoopOps - 2), placed).empty());
  EXPECT_EQ(placed, 0u);
  // One pass: it reads the block from memory itself, as the hardware
  // prefetchers see it.
  EXPECT_TRUE(prefetches(blocks({"heavy"}, kHeavyLoopOps), placed).empty());
  EXPECT_EQ(placed, 0u);
  // The heavy pass reads %a first; what follows reads only the temporary
  // and %b, which are the same for every block.
  EXPECT_TRUE(
      prefetches(blocks({"heavy", "scale", "scale"}, kHeavyLoopOps), placed)
          .empty());
  EXPECT_EQ(placed, 0u);
}

} // namespace
