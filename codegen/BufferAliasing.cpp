//===- BufferAliasing.cpp - What a kernel's buffers overlap, told to LLVM -===//
#include "codegen/BufferAliasing.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/IR/PatternMatch.h"

using namespace mlir::ej;

namespace {

// The kernel's `llvm.noalias` buffers reach LLVM on its C interface, whose
// arguments point at memref descriptors: the descriptors overlap nothing,
// but what their data pointers point at could still overlap. The expanded
// kernel takes each descriptor as (allocated, aligned, offset, sizes...,
// strides...), and every access goes through the aligned pointer: these
// are the kernel's buffers, empty if the layout is not that one.
llvm::SmallVector<llvm::Argument *> kernelBuffers(llvm::Module &m) {
  llvm::SmallVector<llvm::Argument *> aligned;
  llvm::Function *kernel = m.getFunction("kernel");
  llvm::Function *wrapper = m.getFunction("_mlir_ciface_kernel");
  if (!kernel || !wrapper)
    return aligned;
  unsigned pointers = 0;
  for (llvm::Argument &arg : kernel->args())
    if (arg.getType()->isPointerTy() && pointers++ % 2 == 1)
      aligned.push_back(&arg);
  // Two pointers per descriptor, one descriptor per argument of the C
  // interface.
  if (pointers != 2 * wrapper->arg_size())
    aligned.clear();
  return aligned;
}

// The outlined function of each parallel loop nest and the one call that
// hands it to the OpenMP runtime: `__kmpc_fork_call(loc, n, fn, args...)`
// passes `args` on as the function's parameters after the two thread ids.
using ForkCalls =
    llvm::DenseMap<const llvm::Function *, const llvm::CallBase *>;

// What the buffers of accesses are found from.
struct Origins {
  llvm::SmallPtrSet<const llvm::Argument *, 16> kernelBuffers;
  ForkCalls forks;
};

ForkCalls findForkCalls(llvm::Module &m) {
  ForkCalls forks;
  llvm::Function *fork = m.getFunction("__kmpc_fork_call");
  if (!fork)
    return forks;
  llvm::DenseMap<const llvm::Function *, unsigned> calls;
  for (llvm::User *user : fork->users()) {
    auto *call = llvm::dyn_cast<llvm::CallBase>(user);
    if (!call || call->getCalledOperand() != fork || call->arg_size() < 3)
      continue;
    if (auto *fn = llvm::dyn_cast<llvm::Function>(call->getArgOperand(2))) {
      forks[fn] = call;
      ++calls[fn];
    }
  }
  // A function forked from two places could see other buffers in each.
  for (auto [fn, n] : calls)
    if (n > 1)
      forks.erase(fn);
  return forks;
}

// The field index of a `getelementptr %struct, ptr %base, 0, k`, or -1.
int64_t fieldOf(const llvm::Value *address, const llvm::Value *base) {
  auto *gep = llvm::dyn_cast<llvm::GEPOperator>(address);
  if (!gep || gep->getPointerOperand() != base || gep->getNumIndices() != 2)
    return -1;
  auto *zero = llvm::dyn_cast<llvm::ConstantInt>(gep->getOperand(1));
  auto *field = llvm::dyn_cast<llvm::ConstantInt>(gep->getOperand(2));
  if (!zero || !zero->isZero() || !field)
    return -1;
  return field->getSExtValue();
}

// The one value stored into field `k` of the structure at `base`, or null.
const llvm::Value *storedInto(const llvm::Value *base, int64_t k) {
  const llvm::Value *stored = nullptr;
  for (const llvm::User *user : base->users()) {
    if (fieldOf(user, base) != k)
      continue;
    for (const llvm::User *access : user->users()) {
      auto *store = llvm::dyn_cast<llvm::StoreInst>(access);
      if (!store || store->getPointerOperand() != user || stored)
        return nullptr;
      stored = store->getValueOperand();
    }
  }
  return stored;
}

// MLIR's lowering of an allocation rounds the allocator's pointer p up to
// the alignment as an integer, inttoptr(x - x urem a) with x = ptrtoint(p)
// + (a - 1). LLVM's alias analysis does not follow an integer back to the
// allocation, so it took every temporary for a pointer that could be any
// buffer: the same address as p advanced by (x - x urem a) - ptrtoint(p)
// bytes is p's memory to it.
void roundUpWithinAllocations(llvm::Function &fn) {
  using namespace llvm::PatternMatch;
  llvm::SmallVector<llvm::IntToPtrInst *> rounded;
  for (llvm::BasicBlock &block : fn)
    for (llvm::Instruction &i : block)
      if (auto *cast = llvm::dyn_cast<llvm::IntToPtrInst>(&i))
        rounded.push_back(cast);
  for (llvm::IntToPtrInst *cast : rounded) {
    llvm::Value *x, *y, *p;
    llvm::Instruction *address;
    if (!match(cast->getOperand(0),
               m_Sub(m_Value(x), m_URem(m_Value(y), m_ConstantInt()))) ||
        x != y ||
        !match(x, m_Add(m_CombineAnd(m_Instruction(address),
                                     m_PtrToInt(m_Value(p))),
                        m_ConstantInt())))
      continue;
    llvm::IRBuilder<> b(cast);
    llvm::Value *offset = b.CreateSub(cast->getOperand(0), address);
    llvm::Value *aligned = b.CreateGEP(b.getInt8Ty(), p, offset);
    aligned->takeName(cast);
    cast->replaceAllUsesWith(aligned);
    cast->eraseFromParent();
  }
}

// The buffer that `pointer` points into: one of the kernel's buffers, a
// `noalias` argument or the result of a call returning fresh memory, followed
// through the memref descriptors (insertvalue, extractvalue) and the
// structure through which a parallel nest receives its captures; null when
// it is none of those. `exact`: only if `pointer` is the buffer's address
// itself, not an offset from it.
const llvm::Value *bufferOf(const llvm::Value *pointer, const Origins &origins,
                            bool exact = false, unsigned depth = 0) {
  const llvm::Value *v = pointer;
  for (unsigned steps = 0; steps < 64; ++steps) {
    v = exact ? v->stripPointerCasts()
              : llvm::getUnderlyingObject(v, /*MaxLookup=*/0);
    if (auto *field = llvm::dyn_cast<llvm::ExtractValueInst>(v)) {
      v = llvm::FindInsertedValue(
          const_cast<llvm::Value *>(field->getAggregateOperand()),
          field->getIndices());
      if (!v)
        return nullptr;
      continue;
    }
    break;
  }
  if (auto *arg = llvm::dyn_cast<llvm::Argument>(v))
    return arg->hasNoAliasAttr() || origins.kernelBuffers.contains(arg)
               ? arg
               : nullptr;
  if (auto *call = llvm::dyn_cast<llvm::CallBase>(v))
    return call->hasRetAttr(llvm::Attribute::NoAlias) ? call : nullptr;
  // A capture: loaded from field k of the outlined function's structure
  // parameter, which its fork call filled in the parent.
  auto *load = llvm::dyn_cast<llvm::LoadInst>(v);
  if (!load || depth > 4)
    return nullptr;
  auto *gep = llvm::dyn_cast<llvm::GEPOperator>(load->getPointerOperand());
  auto *param =
      gep ? llvm::dyn_cast<llvm::Argument>(gep->getPointerOperand()) : nullptr;
  if (!param || param->getArgNo() < 2)
    return nullptr;
  auto fork = origins.forks.find(param->getParent());
  if (fork == origins.forks.end())
    return nullptr;
  unsigned slot = 3 + param->getArgNo() - 2;
  if (slot >= fork->second->arg_size())
    return nullptr;
  int64_t k = fieldOf(gep, param);
  if (k < 0)
    return nullptr;
  const llvm::Value *stored = storedInto(fork->second->getArgOperand(slot), k);
  return stored ? bufferOf(stored, origins, exact, depth + 1) : nullptr;
}

using Buffers = llvm::SmallPtrSet<const llvm::Value *, 4>;

// Gives each buffer that `fn`'s loads and stores reach an alias scope (named
// kStreamedScope for those of `streamed`), and each such access its
// buffer's scope and the others' as `noalias`.
void scopeAccesses(llvm::Function &fn, const Origins &origins,
                   const Buffers &streamed) {
  llvm::SmallVector<std::pair<llvm::Instruction *, const llvm::Value *>>
      accesses;
  llvm::MapVector<const llvm::Value *, unsigned> index;
  for (llvm::BasicBlock &block : fn)
    for (llvm::Instruction &i : block) {
      const llvm::Value *address = nullptr;
      if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i))
        address = load->isSimple() ? load->getPointerOperand() : nullptr;
      else if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&i))
        address = store->isSimple() ? store->getPointerOperand() : nullptr;
      if (!address)
        continue;
      if (const llvm::Value *buffer = bufferOf(address, origins)) {
        index.try_emplace(buffer, index.size());
        accesses.emplace_back(&i, buffer);
      }
    }
  if (index.size() < 2 || index.size() > kMaxNoAliasBuffers)
    return;
  llvm::MDBuilder md(fn.getContext());
  llvm::MDNode *domain =
      md.createAnonymousAliasScopeDomain(fn.getName().str() + ": buffers");
  llvm::SmallVector<llvm::Metadata *> scopes;
  for (auto [buffer, k] : index)
    scopes.push_back(md.createAnonymousAliasScope(
        domain, streamed.contains(buffer) ? kStreamedScope : ""));
  llvm::SmallVector<llvm::MDNode *> own, others;
  for (unsigned k = 0; k < index.size(); ++k) {
    own.push_back(llvm::MDNode::get(fn.getContext(), scopes[k]));
    llvm::SmallVector<llvm::Metadata *> rest;
    for (unsigned j = 0; j < index.size(); ++j)
      if (j != k)
        rest.push_back(scopes[j]);
    others.push_back(llvm::MDNode::get(fn.getContext(), rest));
  }
  for (auto [i, buffer] : accesses) {
    unsigned k = index.lookup(buffer);
    i->setMetadata(llvm::LLVMContext::MD_alias_scope, own[k]);
    i->setMetadata(llvm::LLVMContext::MD_noalias, others[k]);
  }
}

// The buffers of `streamed` (kernel buffers by argument) that nothing in
// `m` reads: no load, and no call other than the OpenMP runtime's fork
// (a BLAS call or a copy) is given them.
Buffers writtenOnly(llvm::Module &m, llvm::ArrayRef<llvm::Argument *> buffers,
                    llvm::ArrayRef<unsigned> streamed, const Origins &origins) {
  Buffers written;
  for (unsigned k : streamed)
    if (k < buffers.size())
      written.insert(buffers[k]);
  if (written.empty())
    return written;
  llvm::Function *fork = m.getFunction("__kmpc_fork_call");
  for (llvm::Function &fn : m)
    for (llvm::BasicBlock &block : fn)
      for (llvm::Instruction &i : block) {
        if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i)) {
          written.erase(bufferOf(load->getPointerOperand(), origins));
          continue;
        }
        auto *call = llvm::dyn_cast<llvm::CallBase>(&i);
        if (!call || (fork && call->getCalledOperand() == fork))
          continue;
        for (const llvm::Use &arg : call->args())
          if (arg->getType()->isPointerTy())
            written.erase(bufferOf(arg, origins));
      }
  return written;
}

// Marks the loads by which `fn` receives the addresses of `streamed`
// buffers from its captures as aligned to kOutputAlignment.
void alignStreamedAddresses(llvm::Function &fn, const Origins &origins,
                            const Buffers &streamed) {
  llvm::LLVMContext &ctx = fn.getContext();
  llvm::MDNode *aligned = llvm::MDNode::get(
      ctx, llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(
               llvm::Type::getInt64Ty(ctx), kOutputAlignment)));
  for (llvm::BasicBlock &block : fn)
    for (llvm::Instruction &i : block)
      if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i);
          load && load->getType()->isPointerTy() &&
          streamed.contains(bufferOf(load, origins, /*exact=*/true)))
        load->setMetadata(llvm::LLVMContext::MD_align, aligned);
}

} // namespace

void mlir::ej::describeBufferAliasing(llvm::Module &m,
                                      llvm::ArrayRef<unsigned> streamed) {
  Origins origins;
  llvm::SmallVector<llvm::Argument *> buffers = kernelBuffers(m);
  origins.kernelBuffers.insert(buffers.begin(), buffers.end());
  // Marked noalias, the buffers become alias scopes that every access of
  // the kernel (inlined into the entry) lists with all the others, hence
  // the bound. The parallel nests' accesses list only the buffers of
  // their nest.
  if (buffers.size() <= kMaxNoAliasBuffers)
    for (llvm::Argument *arg : buffers)
      arg->addAttr(llvm::Attribute::NoAlias);
  // A temporary is memory of its own, as malloc's: a reduction's
  // accumulator in one temporary stays in a register while the loop reads
  // another.
  if (llvm::Function *alloc = m.getFunction("_mlir_memref_to_llvm_alloc"))
    alloc->addRetAttr(llvm::Attribute::NoAlias);
  for (llvm::Function &fn : m)
    roundUpWithinAllocations(fn);
  origins.forks = findForkCalls(m);
  Buffers written = writtenOnly(m, buffers, streamed, origins);
  for (auto [fn, call] : origins.forks) {
    auto &nest = *const_cast<llvm::Function *>(fn);
    scopeAccesses(nest, origins, written);
    alignStreamedAddresses(nest, origins, written);
  }
}
