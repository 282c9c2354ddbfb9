//===- BufferAliasingTest.cpp - What LLVM is told about kernel buffers ----===//
//
// describeBufferAliasing on a kernel as MLIR's translation leaves it: two
// buffers (their descriptors expanded into the kernel's arguments), one
// parallel nest outlined into a function that receives them, and an
// aligned temporary of its own. Accesses through distinct buffers get
// distinct alias scopes, each excluding the others; an access through a
// pointer of unknown origin gets none.
//
//===----------------------------------------------------------------------===//
#include "codegen/BufferAliasing.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

constexpr const char *kKernel = R"(
%ident = type { i32, i32, i32, i32, ptr }
%desc = type { ptr, ptr, i64, [1 x i64], [1 x i64] }
@name = private constant [23 x i8] c";unknown;unknown;0;0;;\00"
@loc = private constant %ident { i32 0, i32 2, i32 0, i32 22, ptr @name }
@somewhere = global ptr null

declare ptr @_mlir_memref_to_llvm_alloc(i64)
declare void @__kmpc_fork_call(ptr, i32, ptr, ...)

define void @kernel(ptr %a0, ptr %a1, i64 %a2, i64 %a3, i64 %a4,
                    ptr %b0, ptr %b1, i64 %b2, i64 %b3, i64 %b4) {
  %captures = alloca { ptr, ptr, ptr }
  %d0 = insertvalue %desc poison, ptr %a0, 0
  %d1 = insertvalue %desc %d0, ptr %a1, 1
  %in = extractvalue %desc %d1, 1
  %f0 = getelementptr { ptr, ptr, ptr }, ptr %captures, i32 0, i32 0
  store ptr %in, ptr %f0
  %f1 = getelementptr { ptr, ptr, ptr }, ptr %captures, i32 0, i32 1
  store ptr %b1, ptr %f1
  %unknown = load ptr, ptr @somewhere
  %f2 = getelementptr { ptr, ptr, ptr }, ptr %captures, i32 0, i32 2
  store ptr %unknown, ptr %f2
  call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @loc, i32 1, ptr @nest, ptr %captures)
  ret void
}

define void @_mlir_ciface_kernel(ptr %a, ptr %b) {
  ret void
}

define internal void @nest(ptr noalias %tid, ptr noalias %zero, ptr %c) {
  %g0 = getelementptr { ptr, ptr, ptr }, ptr %c, i32 0, i32 0
  %in = load ptr, ptr %g0
  %g1 = getelementptr { ptr, ptr, ptr }, ptr %c, i32 0, i32 1
  %out = load ptr, ptr %g1
  %g2 = getelementptr { ptr, ptr, ptr }, ptr %c, i32 0, i32 2
  %unknown = load ptr, ptr %g2
  %t = call ptr @_mlir_memref_to_llvm_alloc(i64 128)
  %ti = ptrtoint ptr %t to i64
  %up = add i64 %ti, 63
  %over = urem i64 %up, 64
  %at = sub i64 %up, %over
  %temp = inttoptr i64 %at to ptr
  %x = getelementptr float, ptr %in, i64 7
  %v.in = load float, ptr %x
  store float %v.in, ptr %temp
  %v.temp = load float, ptr %temp
  %y = getelementptr float, ptr %out, i64 7
  store float %v.temp, ptr %y
  %v.unknown = load float, ptr %unknown
  store float %v.unknown, ptr %y
  ret void
}

)";

// Each load and store of the outlined nest by what it accesses: the
// value loaded, or "store <value>".
std::map<std::string, llvm::Instruction *> accesses(llvm::Function &f) {
  std::map<std::string, llvm::Instruction *> found;
  for (llvm::BasicBlock &block : f)
    for (llvm::Instruction &i : block) {
      if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i))
        found[load->getName().str()] = load;
      else if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&i))
        found["store " + store->getValueOperand()->getName().str()] = store;
    }
  return found;
}

// `text` parsed and described, `streamed` the outputs that may stream;
// null, with `error`, if it does not parse.
std::unique_ptr<llvm::Module>
described(const std::string &text, llvm::LLVMContext &context,
          std::string &error, llvm::ArrayRef<unsigned> streamed = {}) {
  llvm::SMDiagnostic diagnostic;
  std::unique_ptr<llvm::Module> m =
      llvm::parseAssemblyString(text, diagnostic, context);
  if (!m) {
    error = diagnostic.getMessage().str();
    return nullptr;
  }
  mlir::ej::describeBufferAliasing(*m, streamed);
  return m;
}

// The name of `access`'s alias scope, "" if it has none or an unnamed one.
std::string scopeName(const llvm::Instruction *access) {
  llvm::MDNode *scopes = access->getMetadata(llvm::LLVMContext::MD_alias_scope);
  if (!scopes || scopes->getNumOperands() != 1)
    return "";
  return llvm::AliasScopeNode(llvm::cast<llvm::MDNode>(scopes->getOperand(0)))
      .getName()
      .str();
}

// The alignment a load of a pointer promises (`!align`), 0 if none.
uint64_t promisedAlignment(const llvm::Instruction *load) {
  llvm::MDNode *align = load->getMetadata(llvm::LLVMContext::MD_align);
  return align ? llvm::mdconst::extract<llvm::ConstantInt>(align->getOperand(0))
                     ->getZExtValue()
               : 0;
}

TEST(BufferAliasing, EachBufferOfAParallelNestHasAScopeThatExcludesTheOthers) {
  llvm::LLVMContext context;
  std::string error;
  std::unique_ptr<llvm::Module> m = described(kKernel, context, error);
  ASSERT_TRUE(m) << error;

  // The aligned pointers of the kernel's two descriptors are noalias, the
  // allocated ones are left as they are; temporaries are fresh memory.
  llvm::Function *kernel = m->getFunction("kernel");
  EXPECT_FALSE(kernel->getArg(0)->hasNoAliasAttr());
  EXPECT_TRUE(kernel->getArg(1)->hasNoAliasAttr());
  EXPECT_TRUE(kernel->getArg(6)->hasNoAliasAttr());
  EXPECT_TRUE(m->getFunction("_mlir_memref_to_llvm_alloc")
                  ->hasRetAttribute(llvm::Attribute::NoAlias));

  // The temporary's aligned pointer is an offset of its allocation, not an
  // integer made a pointer, so that LLVM's own alias analysis sees it too.
  llvm::Function *nest = m->getFunction("nest");
  for (llvm::BasicBlock &block : *nest)
    for (llvm::Instruction &i : block)
      EXPECT_FALSE(llvm::isa<llvm::IntToPtrInst>(i));
  auto found = accesses(*nest);
  EXPECT_TRUE(llvm::isa<llvm::CallBase>(llvm::getUnderlyingObject(
      llvm::cast<llvm::LoadInst>(found.at("v.temp"))->getPointerOperand())));
  auto scope = [&](const std::string &what) {
    return found.at(what)->getMetadata(llvm::LLVMContext::MD_alias_scope);
  };
  auto excluded = [&](const std::string &what) {
    return found.at(what)->getMetadata(llvm::LLVMContext::MD_noalias);
  };
  // The input, the temporary (written and read) and the output.
  llvm::MDNode *in = scope("v.in"), *temp = scope("store v.in"),
               *out = scope("store v.temp");
  ASSERT_TRUE(in && temp && out);
  EXPECT_EQ(scope("v.temp"), temp);
  EXPECT_NE(in, temp);
  EXPECT_NE(in, out);
  EXPECT_NE(temp, out);
  for (llvm::MDNode *s : {in, temp, out})
    EXPECT_EQ(s->getNumOperands(), 1u);
  // Each access excludes the other two buffers and not its own.
  auto excludes = [&](const std::string &what, llvm::MDNode *other) {
    llvm::MDNode *list = excluded(what);
    if (!list)
      return false;
    for (const llvm::MDOperand &op : list->operands())
      if (op.get() == other->getOperand(0).get())
        return true;
    return false;
  };
  EXPECT_TRUE(excludes("v.in", temp) && excludes("v.in", out));
  EXPECT_FALSE(excludes("v.in", in));
  EXPECT_TRUE(excludes("store v.temp", in) && excludes("store v.temp", temp));
  EXPECT_FALSE(excludes("store v.temp", out));
  // What the nest loads from an unknown pointer could be any buffer, and a
  // store of it, through the output, is an access of the output.
  EXPECT_EQ(scope("v.unknown"), nullptr);
  EXPECT_EQ(excluded("v.unknown"), nullptr);
  EXPECT_EQ(scope("store v.unknown"), out);
}

// The output (buffer 1) may stream: the nest's stores into it get the
// streamed scope, and the load of its address from the captures the
// outputs' alignment. The input (buffer 0), read by the nest, does not,
// even if listed.
TEST(BufferAliasing, AnOutputNothingReadsIsStreamedThroughAnAlignedAddress) {
  llvm::LLVMContext context;
  std::string error;
  std::unique_ptr<llvm::Module> m =
      described(kKernel, context, error, /*streamed=*/{0, 1});
  ASSERT_TRUE(m) << error;
  auto found = accesses(*m->getFunction("nest"));
  EXPECT_EQ(scopeName(found.at("store v.temp")), mlir::ej::kStreamedScope);
  EXPECT_EQ(scopeName(found.at("store v.unknown")), mlir::ej::kStreamedScope);
  EXPECT_EQ(promisedAlignment(found.at("out")), mlir::ej::kOutputAlignment);
  EXPECT_EQ(scopeName(found.at("v.in")), "");
  EXPECT_EQ(promisedAlignment(found.at("in")), 0u);
  // The temporary and the unknown pointer are no outputs.
  EXPECT_EQ(scopeName(found.at("v.temp")), "");
  EXPECT_EQ(promisedAlignment(found.at("unknown")), 0u);
}

// An output the kernel reads back (a later pass over it) is not streamed:
// its lines had better stay in the cache.
TEST(BufferAliasing, AnOutputTheKernelReadsIsNotStreamed) {
  std::string text = kKernel;
  std::string last = "  store float %v.unknown, ptr %y\n";
  size_t at = text.find(last);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + last.size(), "  %v.back = load float, ptr %y\n");
  llvm::LLVMContext context;
  std::string error;
  std::unique_ptr<llvm::Module> m =
      described(text, context, error, /*streamed=*/{1});
  ASSERT_TRUE(m) << error;
  auto found = accesses(*m->getFunction("nest"));
  EXPECT_TRUE(
      found.at("store v.temp")->getMetadata(llvm::LLVMContext::MD_alias_scope));
  EXPECT_EQ(scopeName(found.at("store v.temp")), "");
  EXPECT_EQ(promisedAlignment(found.at("out")), 0u);
}

// A kernel of more buffers than kMaxNoAliasBuffers, whose nest reads the
// first and writes the last: the kernel's own arguments are not marked
// (every access of the kernel would list them all), but the nest, which
// uses two, still tells them apart.
TEST(BufferAliasing, ANestOfAKernelWithManyBuffersStillTellsItsOwnApart) {
  unsigned n = mlir::ej::kMaxNoAliasBuffers + 2;
  std::string args, wrapper;
  for (unsigned i = 0; i < n; ++i) {
    std::string k = std::to_string(i);
    args += std::string(i ? ", " : "") + "ptr %p" + k + ", ptr %q" + k +
            ", i64 %o" + k + ", i64 %s" + k + ", i64 %t" + k;
    wrapper += std::string(i ? ", " : "") + "ptr %d" + k;
  }
  std::string last = "%q" + std::to_string(n - 1);
  std::string text = R"(
%ident = type { i32, i32, i32, i32, ptr }
@name = private constant [23 x i8] c";unknown;unknown;0;0;;\00"
@loc = private constant %ident { i32 0, i32 2, i32 0, i32 22, ptr @name }
declare void @__kmpc_fork_call(ptr, i32, ptr, ...)
define void @kernel()" +
                     args + R"() {
  %captures = alloca { ptr, ptr }
  %f0 = getelementptr { ptr, ptr }, ptr %captures, i32 0, i32 0
  store ptr %q0, ptr %f0
  %f1 = getelementptr { ptr, ptr }, ptr %captures, i32 0, i32 1
  store ptr )" + last +
                     R"(, ptr %f1
  call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @loc, i32 1, ptr @nest, ptr %captures)
  ret void
}
define void @_mlir_ciface_kernel()" +
                     wrapper + R"() {
  ret void
}
define internal void @nest(ptr noalias %tid, ptr noalias %zero, ptr %c) {
  %g0 = getelementptr { ptr, ptr }, ptr %c, i32 0, i32 0
  %in = load ptr, ptr %g0
  %g1 = getelementptr { ptr, ptr }, ptr %c, i32 0, i32 1
  %out = load ptr, ptr %g1
  %v = load float, ptr %in
  store float %v, ptr %out
  ret void
}
)";
  llvm::LLVMContext context;
  std::string error;
  std::unique_ptr<llvm::Module> m = described(text, context, error);
  ASSERT_TRUE(m) << error;
  EXPECT_FALSE(m->getFunction("kernel")->getArg(1)->hasNoAliasAttr());
  auto found = accesses(*m->getFunction("nest"));
  llvm::MDNode *in = found.at("v")->getMetadata(
                   llvm::LLVMContext::MD_alias_scope),
               *out = found.at("store v")->getMetadata(
                   llvm::LLVMContext::MD_alias_scope);
  ASSERT_TRUE(in && out);
  EXPECT_NE(in, out);
  EXPECT_EQ(found.at("v")->getMetadata(llvm::LLVMContext::MD_noalias), out);
}

} // namespace
