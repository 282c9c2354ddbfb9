//===- LlvmOptimizeTest.cpp - What LLVM's optimizer is asked to do -------===//
//
// interleaveHeavyLoops marks the innermost loops whose bodies do much
// floating-point work (a chain of exp and tanh polynomials, a float64 math
// call) and leaves the others to the loop vectorizer's own choice.
// prefetchNextBlocks prefetches, in a loop over blocks that passes over
// each block more than once, the next block during the heaviest later pass.
// streamStores makes the aligned vector stores into streamed outputs
// non-temporal.
//
//===----------------------------------------------------------------------===//
#include "codegen/LlvmOptimize.h"
#include "codegen/BufferAliasing.h"

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

// One pass over a block: what it reads of %a, its floating-point
// operations per iteration, and how many of them are conversions.
struct Pass {
  enum Reads {
    A,          // %a's block, one line per iteration
    Temporary,  // %t, the same memory for every block
    TwoLines,   // %a's block, two lines per iteration, the higher one first
    TwoStreams, // two lines of %a's block 2 KB apart
    Column,     // one line of %a, 64 KB further each iteration
  } reads;
  unsigned ops;
  unsigned conversions = 0;
};

// A loop over %n blocks of 1024 floats of %a (4 KB apart) whose body runs
// `passes` in order, each a loop over the block, 16 floats an iteration
// (32 for TwoLines). Each multiplies what it reads by %b (read whole)
// `ops` times, widens the product to double and back for `conversions`
// conversions (as for a float64 sum), adds it up and stores it into %t.
std::string blocks(const std::vector<Pass> &passes) {
  std::string s = "define void @f(ptr noalias %a, ptr noalias %b, "
                  "ptr noalias %t, i64 %n) {\n"
                  "entry:\n  br label %outer\n"
                  "outer:\n"
                  "  %i = phi i64 [ 0, %entry ], [ %i.next, %latch ]\n"
                  "  %row = mul i64 %i, 1024\n"
                  "  br label %p0\n";
  for (size_t k = 0; k < passes.size(); ++k) {
    const Pass &pass = passes[k];
    std::string p = "%p" + std::to_string(k),
                from = k == 0 ? "outer" : "p" + std::to_string(k - 1) + ".exit";
    std::string next =
        k + 1 < passes.size() ? "p" + std::to_string(k + 1) : "latch";
    auto line = [&](const std::string &name, const std::string &index) {
      s += "  " + p + "." + name + ".i = " + index + "\n";
      s += "  " + p + "." + name + ".p = getelementptr float, ptr %a, i64 " +
           p + "." + name + ".i\n";
      s += "  " + p + "." + name + " = load <16 x float>, ptr " + p + "." +
           name + ".p\n";
    };
    s += p.substr(1) + ":\n";
    s += "  " + p + ".j = phi i64 [ 0, %" + from + " ], [ " + p + ".next, " +
         p + " ]\n";
    s += "  " + p + ".acc = phi <16 x float> [ zeroinitializer, %" + from +
         " ], [ " + p + ".sum, " + p + " ]\n";
    s += "  " + p + ".rj = add i64 %row, " + p + ".j\n";
    std::string v = p + ".v";
    switch (pass.reads) {
    case Pass::A:
      line("v", "add i64 " + p + ".rj, 0");
      break;
    case Pass::Temporary:
      s += "  " + p + ".tp = getelementptr float, ptr %t, i64 " + p + ".j\n";
      s += "  " + p + ".v = load <16 x float>, ptr " + p + ".tp\n";
      break;
    case Pass::TwoLines:
      line("hi", "add i64 " + p + ".rj, 16");
      line("lo", "add i64 " + p + ".rj, 0");
      s += "  " + v + " = fadd <16 x float> " + p + ".lo, " + p + ".hi\n";
      break;
    case Pass::TwoStreams:
      line("near", "add i64 " + p + ".rj, 0");
      line("far", "add i64 " + p + ".rj, 512");
      s += "  " + v + " = fadd <16 x float> " + p + ".near, " + p + ".far\n";
      break;
    case Pass::Column:
      s += "  " + p + ".col = mul i64 " + p + ".j, 1024\n";
      line("v", "add i64 %row, " + p + ".col");
      break;
    }
    s += "  " + p + ".w = load <16 x float>, ptr %b\n";
    for (unsigned o = 0; o < pass.ops; ++o) {
      std::string to = p + ".m" + std::to_string(o);
      s += "  " + to + " = fmul <16 x float> " + v + ", " + p + ".w\n";
      v = to;
    }
    for (unsigned c = 0; c < pass.conversions; ++c) {
      std::string to = p + ".c" + std::to_string(c);
      s +=
          "  " + to +
          (c % 2 == 0 ? " = fpext <16 x float> " + v + " to <16 x double>\n"
                      : " = fptrunc <16 x double> " + v + " to <16 x float>\n");
      v = to;
    }
    s += "  " + p + ".sum = fadd <16 x float> " + p + ".acc, " + v + "\n";
    s += "  " + p + ".tq = getelementptr float, ptr %t, i64 " + p + ".j\n";
    s += "  store <16 x float> " + v + ", ptr " + p + ".tq\n";
    s += "  " + p + ".next = add i64 " + p + ".j, " +
         (pass.reads == Pass::TwoLines ? "32" : "16") + "\n";
    s += "  " + p + ".c = icmp ult i64 " + p + ".next, 1024\n";
    s += "  br i1 " + p + ".c, label " + p + ", label " + p + ".exit\n";
    s += p.substr(1) + ".exit:\n  br label %" + next + "\n";
  }
  s += "latch:\n"
       "  %i.next = add i64 %i, 1\n"
       "  %i.c = icmp ult i64 %i.next, %n\n"
       "  br i1 %i.c, label %outer, label %exit\n"
       "exit:\n  ret void\n}\n";
  return s;
}

// The prefetches prefetchNextBlocks places in `ir`'s @f, each as the load
// it precedes and its distance in bytes from that load's address; `placed`
// is what the function returned.
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
    for (llvm::Instruction &i : block) {
      auto *call = llvm::dyn_cast<llvm::IntrinsicInst>(&i);
      if (!call || call->getIntrinsicID() != llvm::Intrinsic::prefetch)
        continue;
      auto constant = [&](unsigned k) {
        return llvm::cast<llvm::ConstantInt>(call->getArgOperand(k))
            ->getZExtValue();
      };
      // Reads, kept in every cache level, of data.
      EXPECT_EQ(constant(1), 0u);
      EXPECT_EQ(constant(2), 3u);
      EXPECT_EQ(constant(3), 1u);
      auto *gep = llvm::cast<llvm::GetElementPtrInst>(call->getArgOperand(0));
      const llvm::LoadInst *load = nullptr;
      for (const llvm::Instruction *after = call; after && !load;
           after = after->getNextNode())
        if (auto *l = llvm::dyn_cast<llvm::LoadInst>(after);
            l && l->getPointerOperand() == gep->getPointerOperand())
          load = l;
      EXPECT_TRUE(load) << "no load of the prefetch's base follows it";
      found.push_back(
          {load ? load->getName().str() : "",
           llvm::cast<llvm::ConstantInt>(gep->getOperand(1))->getSExtValue()});
    }
  return found;
}

using Found = std::vector<std::pair<std::string, int64_t>>;

TEST(LlvmOptimize, TheNextBlockIsPrefetchedDuringTheHeaviestLaterPass) {
  // softmax's shape: a pass reads the block from memory, later passes
  // compute on it in the cache. The heaviest pass that reads %a again
  // prefetches %a's next block (4096 bytes on), one line per iteration.
  unsigned placed = 0;
  EXPECT_EQ(prefetches(blocks({{Pass::A, 0},
                               {Pass::A, kHeavyLoopOps},
                               {Pass::Temporary, 1}}),
                       placed),
            (Found{{"p1.v", 4096}}));
  EXPECT_EQ(placed, 1u);
  // Of two later passes, the heavier one, wherever it is.
  EXPECT_EQ(prefetches(blocks({{Pass::A, 0},
                               {Pass::A, kHeavyLoopOps},
                               {Pass::A, kHeavyLoopOps + 4}}),
                       placed),
            (Found{{"p2.v", 4096}}));
  EXPECT_EQ(prefetches(blocks({{Pass::A, 0},
                               {Pass::A, kHeavyLoopOps + 4},
                               {Pass::A, kHeavyLoopOps}}),
                       placed),
            (Found{{"p1.v", 4096}}));
  // Conversions count: a layernorm's variance pass widens each square for
  // its float64 sum (here 13 products, 2 conversions and the sum).
  EXPECT_EQ(prefetches(blocks({{Pass::A, 0}, {Pass::A, kHeavyLoopOps - 3, 2}}),
                       placed),
            (Found{{"p1.v", 4096}}));
  EXPECT_TRUE(
      prefetches(blocks({{Pass::A, 0}, {Pass::A, kHeavyLoopOps - 3}}), placed)
          .empty());
}

TEST(LlvmOptimize, PrefetchesCoverTheLinesAnIterationReads) {
  unsigned placed = 0;
  // Two lines per iteration, the higher loaded first: both lines, from
  // the lower load.
  EXPECT_EQ(prefetches(blocks({{Pass::A, 0}, {Pass::TwoLines, kHeavyLoopOps}}),
                       placed),
            (Found{{"p1.lo", 4096}, {"p1.lo", 4160}}));
  // Two streams of one buffer, 2 KB apart: one prefetch each.
  EXPECT_EQ(
      prefetches(blocks({{Pass::A, 0}, {Pass::TwoStreams, kHeavyLoopOps}}),
                 placed),
      (Found{{"p1.near", 4096}, {"p1.far", 4096}}));
  // A column: the line read, not the 64 KB stepped over.
  EXPECT_EQ(
      prefetches(blocks({{Pass::A, 0}, {Pass::Column, kHeavyLoopOps}}), placed),
      (Found{{"p1.v", 4096}}));
  EXPECT_EQ(placed, 1u);
}

TEST(LlvmOptimize, OnlyAHeavyPassReadingItsBlockAgainGetsPrefetches) {
  unsigned placed = 0;
  // A later pass too light to hide the next block's latency: its
  // prefetches would come in one burst.
  EXPECT_TRUE(
      prefetches(blocks({{Pass::A, 0}, {Pass::A, kHeavyLoopOps - 2}}), placed)
          .empty());
  EXPECT_EQ(placed, 0u);
  // One pass: it reads the block from memory itself, as the hardware
  // prefetchers see it.
  EXPECT_TRUE(prefetches(blocks({{Pass::A, kHeavyLoopOps}}), placed).empty());
  // The pass that reads %a first is the heavy one; the heavy passes after
  // it read only the temporary and %b, the same memory for every block.
  EXPECT_TRUE(prefetches(blocks({{Pass::A, kHeavyLoopOps},
                                 {Pass::Temporary, kHeavyLoopOps},
                                 {Pass::Temporary, kHeavyLoopOps + 4}}),
                         placed)
                  .empty());
  EXPECT_EQ(placed, 0u);
}

// A loop storing vectors of 8 floats through an address loaded with the
// outputs' alignment (`!align 64`): into a streamed output (`aligned`,
// and `shifted` 4 bytes off), into an output with an unnamed scope
// (`kept`), and 4 floats into the streamed one; then OpenMP's barrier.
constexpr const char *kStores = R"(
target triple = "TRIPLE"
define void @f(ptr %captures, i64 %n) {
entry:
  %base = load ptr, ptr %captures, !align !0
  %other = getelementptr i8, ptr %captures, i64 8
  %kept.base = load ptr, ptr %other, !align !0
  %shifted.base = getelementptr i8, ptr %base, i64 4
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %aligned = getelementptr float, ptr %base, i64 %i
  store <8 x float> splat (float 1.0), ptr %aligned, align 4, !alias.scope !3
  %shifted = getelementptr float, ptr %shifted.base, i64 %i
  store <8 x float> splat (float 2.0), ptr %shifted, align 4, !alias.scope !3
  %kept = getelementptr float, ptr %kept.base, i64 %i
  store <8 x float> splat (float 3.0), ptr %kept, align 4, !alias.scope !5
  store <4 x float> splat (float 4.0), ptr %aligned, align 4, !alias.scope !3
  %i.next = add i64 %i, 8
  %c = icmp ult i64 %i.next, %n
  br i1 %c, label %loop, label %exit
exit:
  call void @__kmpc_barrier(ptr null, i32 0)
  ret void
}
declare void @__kmpc_barrier(ptr, i32)
!0 = !{i64 64}
!1 = distinct !{!1, !"buffers"}
!2 = distinct !{!2, !1, !"ej.streamed"}
!3 = !{!2}
!4 = distinct !{!4, !1}
!5 = !{!4}
)";

// Each store of @f by the value it stores (its first lane), with whether
// it became non-temporal and its alignment; and the calls of @f in order.
struct Streamed {
  std::map<float, std::pair<bool, uint64_t>> stores;
  std::vector<std::string> calls;
  unsigned marked = 0;
};

Streamed streamed(const std::string &triple) {
  std::string ir = kStores;
  ir.replace(ir.find("TRIPLE"), 6, triple);
  llvm::LLVMContext ctx;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> m = llvm::parseAssemblyString(ir, error, ctx);
  Streamed r;
  EXPECT_TRUE(m) << error.getMessage().str();
  if (!m)
    return r;
  llvm::Function &f = *m->getFunction("f");
  llvm::DominatorTree dominators(f);
  r.marked = mlir::ej::streamStores(f, dominators);
  for (llvm::BasicBlock &block : f)
    for (llvm::Instruction &i : block) {
      if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&i)) {
        auto *value = llvm::cast<llvm::Constant>(store->getValueOperand());
        float first =
            llvm::cast<llvm::ConstantFP>(value->getAggregateElement(0u))
                ->getValueAPF()
                .convertToFloat();
        r.stores[first] = {
            store->getMetadata(llvm::LLVMContext::MD_nontemporal) != nullptr,
            store->getAlign().value()};
      } else if (auto *call = llvm::dyn_cast<llvm::CallInst>(&i)) {
        r.calls.push_back(call->getCalledFunction()->getName().str());
      }
    }
  return r;
}

TEST(LlvmOptimize, AlignedVectorStoresIntoStreamedOutputsBecomeNonTemporal) {
  Streamed r = streamed("x86_64-unknown-linux-gnu");
  EXPECT_EQ(r.marked, 2u);
  // Known aligned to their size, into the streamed output: non-temporal,
  // with that alignment.
  EXPECT_EQ(r.stores[1.0f], std::make_pair(true, uint64_t(32)));
  EXPECT_EQ(r.stores[4.0f], std::make_pair(true, uint64_t(16)));
  // Not known aligned, or not streamed: as they were.
  EXPECT_EQ(r.stores[2.0f], std::make_pair(false, uint64_t(4)));
  EXPECT_EQ(r.stores[3.0f], std::make_pair(false, uint64_t(4)));
  // A fence before the barrier and one before the return.
  EXPECT_EQ(r.calls,
            (std::vector<std::string>{"llvm.x86.sse.sfence", "__kmpc_barrier",
                                      "llvm.x86.sse.sfence"}));
}

TEST(LlvmOptimize, OnlyX86StreamsStores) {
  Streamed r = streamed("aarch64-unknown-linux-gnu");
  EXPECT_EQ(r.marked, 0u);
  EXPECT_EQ(r.stores[1.0f], std::make_pair(false, uint64_t(4)));
  EXPECT_EQ(r.calls, std::vector<std::string>{"__kmpc_barrier"});
}

} // namespace
