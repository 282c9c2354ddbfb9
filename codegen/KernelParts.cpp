//===- KernelParts.cpp - A kernel's LLVM module split for threads ---------===//
#include "codegen/KernelParts.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <algorithm>

using namespace mlir::ej;

namespace {

struct Group {
  const llvm::Function *leader;
  unsigned instructions = 0;
  unsigned part = 0;
};

// An estimate of what LLVM's optimizer and code generator make of `f`:
// its instructions, those in loops thrice (the loop vectorizer writes a
// vector body and a remainder, and interleaves heavy bodies), and none of
// the insertvalue and extractvalue that take memref descriptors apart
// (SROA and InstCombine fold them first).
unsigned work(llvm::Function &f) {
  llvm::DominatorTree dominators(f);
  llvm::LoopInfo loops(dominators);
  unsigned n = 0;
  for (llvm::BasicBlock &block : f)
    for (llvm::Instruction &i : block)
      if (!llvm::isa<llvm::InsertValueInst, llvm::ExtractValueInst>(i))
        n += loops.getLoopFor(&block) ? 3 : 1;
  return n;
}

// The groups of `m`'s defined functions that call each other directly, in
// the order of their first function; a function's group is found by its
// leader.
std::vector<Group>
callGroups(llvm::Module &m,
           llvm::EquivalenceClasses<const llvm::Function *> &joined) {
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    joined.insert(&f);
    for (llvm::BasicBlock &block : f)
      for (llvm::Instruction &i : block)
        if (auto *call = llvm::dyn_cast<llvm::CallBase>(&i))
          if (llvm::Function *callee = call->getCalledFunction();
              callee && !callee->isDeclaration())
            joined.unionSets(&f, callee);
  }
  std::vector<Group> groups;
  llvm::DenseMap<const llvm::Function *, size_t> index;
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    const llvm::Function *leader = joined.getLeaderValue(&f);
    auto [it, fresh] = index.try_emplace(leader, groups.size());
    if (fresh)
      groups.push_back({leader});
    groups[it->second].instructions += work(f);
  }
  return groups;
}

// Deals the groups, heaviest first, to the lightest of `n` parts; whether
// every part gets `least` instructions.
bool deal(std::vector<Group *> &heaviestFirst, unsigned n, unsigned least) {
  std::vector<unsigned> load(n, 0);
  for (Group *g : heaviestFirst) {
    unsigned lightest =
        unsigned(std::min_element(load.begin(), load.end()) - load.begin());
    g->part = lightest;
    load[lightest] += g->instructions;
  }
  return *std::min_element(load.begin(), load.end()) >= least;
}

} // namespace

std::vector<llvm::SmallVector<char, 0>>
mlir::ej::splitKernelModule(llvm::Module &m, unsigned maxParts,
                            unsigned minPartInstructions) {
  if (maxParts < 2 || !m.alias_empty() || !m.ifunc_empty())
    return {};
  // Copies of a variable would each hold their own value, and copies of
  // an exported constant would define its symbol twice.
  for (llvm::GlobalVariable &g : m.globals())
    if (!g.isDeclaration() && (!g.isConstant() || !g.hasLocalLinkage()))
      return {};
  llvm::EquivalenceClasses<const llvm::Function *> joined;
  std::vector<Group> groups = callGroups(m, joined);
  std::vector<Group *> heaviestFirst;
  for (Group &g : groups)
    heaviestFirst.push_back(&g);
  std::stable_sort(heaviestFirst.begin(), heaviestFirst.end(),
                   [](const Group *a, const Group *b) {
                     return a->instructions > b->instructions;
                   });
  unsigned n = std::min<unsigned>(maxParts, unsigned(groups.size()));
  while (n >= 2 && !deal(heaviestFirst, n, minPartInstructions))
    --n;
  if (n < 2)
    return {};

  llvm::DenseMap<const llvm::Function *, unsigned> partOf;
  {
    llvm::DenseMap<const llvm::Function *, unsigned> partOfLeader;
    for (const Group &g : groups)
      partOfLeader[g.leader] = g.part;
    for (llvm::Function &f : m)
      if (!f.isDeclaration())
        partOf[&f] = partOfLeader.lookup(joined.getLeaderValue(&f));
  }
  // A function another part refers to (an outlined loop nest, whose
  // address the entry hands to the OpenMP runtime) must be a symbol the
  // linker sees. Default visibility and not dso_local (internal linkage
  // made it so): the parts are separate objects that JITLink may place
  // more than 2 GB apart, so references go through the GOT (which JITLink
  // relaxes to direct ones where they reach).
  for (llvm::Function &f : m) {
    if (f.isDeclaration() || !f.hasLocalLinkage())
      continue;
    bool elsewhere = llvm::any_of(f.users(), [&](const llvm::User *u) {
      const auto *i = llvm::dyn_cast<llvm::Instruction>(u);
      return !i || partOf.lookup(i->getFunction()) != partOf.lookup(&f);
    });
    if (!elsewhere)
      continue;
    if (!f.hasName())
      f.setName("ej.part.function");
    f.setLinkage(llvm::GlobalValue::ExternalLinkage);
    f.setVisibility(llvm::GlobalValue::DefaultVisibility);
    f.setDSOLocal(false);
  }
  std::vector<llvm::SmallVector<char, 0>> parts(n);
  for (unsigned p = 0; p < n; ++p) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> part =
        llvm::CloneModule(m, map, [&](const llvm::GlobalValue *g) {
          const auto *f = llvm::dyn_cast<llvm::Function>(g);
          return !f || partOf.lookup(f) == p;
        });
    llvm::raw_svector_ostream os(parts[p]);
    llvm::WriteBitcodeToFile(*part, os);
  }
  return parts;
}
