//===- LlvmOptimizeTest.cpp - Which loops LLVM is asked to interleave ----===//
//
// interleaveHeavyLoops marks the innermost loops whose bodies do much
// floating-point work (a chain of exp and tanh polynomials, a float64 math
// call) and leaves the others to the loop vectorizer's own choice.
//
//===----------------------------------------------------------------------===//
#include "codegen/LlvmOptimize.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Dominators.h"
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

} // namespace
