//===- KernelPartsTest.cpp - Kernels compiled in parts on threads ---------===//
//
// A kernel whose large loop nests run in parallel is split at their
// outlined functions and compiled on several threads: the parts link into
// one kernel that computes what the whole module computes, bit for bit,
// within a few ulp of float64, and that the disk cache keeps as one entry.
// splitKernelModule keeps functions that call each other together and
// declines modules it cannot split.
//
//===----------------------------------------------------------------------===//
#include "Harness.h"

#include "codegen/KernelCache.h"
#include "codegen/KernelParts.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>
#include <filesystem>
#include <unistd.h>

namespace {

using namespace ejtest;
using mlir::ej::ElementType;

// Four results over 2^17 elements each: four parallel loop nests, each an
// OpenMP outlined function of its own.
const char *const kFourNests = R"(
func.func @f(%a: tensor<256x512xf32>, %b: tensor<256x512xf32>)
    -> (tensor<256x512xf32>, tensor<256x512xf32>, tensor<256x512xf32>,
        tensor<256x512xf32>) {
  %0 = ej.mul %a, %b : tensor<256x512xf32>, tensor<256x512xf32>
  %1 = ej.tanh %0 : tensor<256x512xf32>
  %2 = ej.sub %a, %b : tensor<256x512xf32>, tensor<256x512xf32>
  %3 = ej.exp %2 : tensor<256x512xf32>
  %4 = ej.sigmoid %a : tensor<256x512xf32>
  %5 = ej.mul %4, %b : tensor<256x512xf32>, tensor<256x512xf32>
  %6 = ej.mul %b, %b : tensor<256x512xf32>, tensor<256x512xf32>
  %7 = ej.exp %6 : tensor<256x512xf32>
  %8 = ej.div %a, %7 : tensor<256x512xf32>, tensor<256x512xf32>
  return %1, %3, %5, %8 : tensor<256x512xf32>, tensor<256x512xf32>,
      tensor<256x512xf32>, tensor<256x512xf32>
}
)";

// The inputs, the same in every compile.
const Array &inputA() {
  static const Array a = random({256, 512}, ElementType::Float32);
  return a;
}
const Array &inputB() {
  static const Array b = random({256, 512}, ElementType::Float32);
  return b;
}

// The four results in float64.
std::vector<Array> reference() {
  const Array &a = inputA(), &b = inputB();
  std::vector<Array> r(4, Array{a.shape, {}});
  for (size_t i = 0; i < a.v.size(); ++i) {
    double x = a.v[i], y = b.v[i];
    r[0].v.push_back(std::tanh(x * y));
    r[1].v.push_back(std::exp(x - y));
    r[2].v.push_back(y / (1 + std::exp(-x)));
    r[3].v.push_back(x / std::exp(y * y));
  }
  return r;
}

// Compiles kFourNests on `threads` threads, with the disk cache in `dir`
// (empty: none), and runs it.
std::vector<Array> fourNests(unsigned threads, const std::string &dir,
                             unsigned &parts, bool &fromDisk) {
  std::string saved = mlir::ej::kernelCacheDirectory();
  mlir::ej::setKernelCacheDirectory(dir);
  mlir::ej::setCompileThreads(threads);
  auto fn = compile(kFourNests);
  mlir::ej::setCompileThreads(0);
  mlir::ej::setKernelCacheDirectory(saved);
  if (!fn)
    return {};
  parts = fn->parts();
  fromDisk = fn->loadedFromDisk();
  return run(*fn, {inputA(), inputB()});
}

TEST(KernelParts, AKernelCompiledInPartsComputesWhatItComputesWhole) {
  unsigned parts = 0;
  bool fromDisk = true;
  std::vector<Array> whole = fourNests(1, "", parts, fromDisk);
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(parts, 1u);
  EXPECT_FALSE(fromDisk);
  std::vector<Array> split = fourNests(2, "", parts, fromDisk);
  ASSERT_EQ(split.size(), 4u);
  EXPECT_EQ(parts, 2u);
  std::vector<Array> ref = reference();
  for (size_t r = 0; r < 4; ++r) {
    EXPECT_EQ(split[r].v, whole[r].v) << "result " << r;
    expectClose(split[r], ref[r], ElementType::Float32, 8,
                "result " + std::to_string(r), 1e-6);
  }
}

// The parts are one entry of the disk cache; loaded, they link as they did
// when compiled.
TEST(KernelParts, TheDiskCacheKeepsAKernelsPartsAsOneEntry) {
  namespace fs = std::filesystem;
  std::string dir =
      ::testing::TempDir() + "ej-codegen-parts-" + std::to_string(getpid());
  fs::remove_all(dir);
  unsigned parts = 0;
  bool fromDisk = true;
  std::vector<Array> compiled = fourNests(2, dir, parts, fromDisk);
  EXPECT_EQ(parts, 2u);
  EXPECT_FALSE(fromDisk);
  size_t entries = 0;
  for (const auto &e : fs::directory_iterator(dir))
    entries += e.path().extension() == ".ejk";
  EXPECT_EQ(entries, 1u);
  std::vector<Array> loaded = fourNests(2, dir, parts, fromDisk);
  EXPECT_TRUE(fromDisk);
  EXPECT_EQ(parts, 2u);
  ASSERT_EQ(loaded.size(), compiled.size());
  for (size_t r = 0; r < loaded.size(); ++r)
    EXPECT_EQ(loaded[r].v, compiled[r].v) << "result " << r;
  fs::remove_all(dir);
}

// Two functions the entry only refers to by address, of `work` float
// additions each; with `extra` spliced into the module.
std::unique_ptr<llvm::Module> outlined(llvm::LLVMContext &ctx, int work,
                                       const std::string &extra) {
  auto body = [&](const std::string &name) {
    std::string s = "define internal void @" + name + "(ptr %p) {\n" +
                    "  %v0 = load float, ptr %p\n";
    for (int i = 1; i <= work; ++i)
      s += "  %v" + std::to_string(i) + " = fadd float %v" +
           std::to_string(i - 1) + ", 1.0\n";
    return s + "  store float %v" + std::to_string(work) +
           ", ptr %p\n  ret void\n}\n";
  };
  std::string text = "@where = private constant [4 x i8] c\"abc\\00\"\n"
                     "declare void @fork(ptr, ptr)\n" +
                     extra + body("first") + body("second") +
                     "define void @entry(ptr %p) {\n"
                     "  call void @fork(ptr @first, ptr @where)\n"
                     "  call void @fork(ptr @second, ptr @where)\n"
                     "  ret void\n}\n";
  llvm::SMDiagnostic diag;
  auto m = llvm::parseAssemblyString(text, diag, ctx);
  EXPECT_TRUE(m) << diag.getMessage().str() << "\n" << text;
  return m;
}

// The names of the functions a part defines.
std::vector<std::string> defined(const llvm::SmallVector<char, 0> &bitcode,
                                 llvm::LLVMContext &ctx) {
  auto m = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(llvm::StringRef(bitcode.data(), bitcode.size()),
                            "part"),
      ctx);
  EXPECT_TRUE(bool(m));
  std::vector<std::string> names;
  if (m)
    for (const llvm::Function &f : **m)
      if (!f.isDeclaration())
        names.push_back(f.getName().str());
  return names;
}

TEST(KernelParts, FunctionsAreDealtToPartsByTheirWork) {
  llvm::LLVMContext ctx;
  auto m = outlined(ctx, 20, "");
  ASSERT_TRUE(m);
  auto parts = mlir::ej::splitKernelModule(*m, 3, 1);
  // Three groups for three threads: the entry, and each outlined function,
  // which the entry now reaches as an external symbol.
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(defined(parts[0], ctx), std::vector<std::string>{"first"});
  EXPECT_EQ(defined(parts[1], ctx), std::vector<std::string>{"second"});
  EXPECT_EQ(defined(parts[2], ctx), std::vector<std::string>{"entry"});
  // Not dso_local: the entry's part reaches it through the GOT, wherever
  // JITLink puts the other part.
  EXPECT_FALSE(m->getFunction("first")->hasLocalLinkage());
  EXPECT_FALSE(m->getFunction("first")->isDSOLocal());
  {
    auto entryPart = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(llvm::StringRef(parts[2].data(), parts[2].size()),
                              "part"),
        ctx);
    ASSERT_TRUE(bool(entryPart));
    llvm::Function *first = (*entryPart)->getFunction("first");
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->isDeclaration());
    EXPECT_FALSE(first->isDSOLocal());
  }
  // Two threads: the light entry joins the first of the equal parts.
  auto two = outlined(ctx, 20, "");
  auto halves = mlir::ej::splitKernelModule(*two, 2, 10);
  ASSERT_EQ(halves.size(), 2u);
  EXPECT_EQ(defined(halves[0], ctx),
            (std::vector<std::string>{"first", "entry"}));
  EXPECT_EQ(defined(halves[1], ctx), std::vector<std::string>{"second"});
}

TEST(KernelParts, ModulesThatCannotBeSplitStayWhole) {
  llvm::LLVMContext ctx;
  // Parts too small to pay for a thread.
  auto small = outlined(ctx, 20, "");
  EXPECT_TRUE(mlir::ej::splitKernelModule(*small, 2).empty());
  EXPECT_TRUE(small->getFunction("first")->hasLocalLinkage());
  // One thread.
  auto one = outlined(ctx, 20, "");
  EXPECT_TRUE(mlir::ej::splitKernelModule(*one, 1, 10).empty());
  // A variable that every part would have a copy of.
  auto variable = outlined(ctx, 20, "@counter = internal global i32 0\n");
  EXPECT_TRUE(mlir::ej::splitKernelModule(*variable, 2, 10).empty());
  // A constant that every part would export.
  auto exported =
      outlined(ctx, 20, "@table = constant [2 x i32] [i32 1, i32 2]\n");
  EXPECT_TRUE(mlir::ej::splitKernelModule(*exported, 2, 10).empty());
  // Functions that call each other are one group.
  std::string text = "define internal void @leaf(ptr %p) {\n"
                     "  store float 1.0, ptr %p\n  ret void\n}\n"
                     "define void @entry(ptr %p) {\n"
                     "  call void @leaf(ptr %p)\n  ret void\n}\n";
  llvm::SMDiagnostic diag;
  auto calls = llvm::parseAssemblyString(text, diag, ctx);
  ASSERT_TRUE(calls);
  EXPECT_TRUE(mlir::ej::splitKernelModule(*calls, 2, 1).empty());
}

} // namespace
