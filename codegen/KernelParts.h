//===- KernelParts.h - A kernel's LLVM module split for threads -*- C++ -*-===//
//
// A kernel with several parallel loop nests is one LLVM module holding the
// entry point and one outlined function per nest (OpenMP's `omp_par`
// functions, which the entry only passes to the runtime by address). LLVM's
// optimizer and code generator handle a module on one thread, and a training
// step's kernel spends a third of a second there. Split at those functions,
// the parts are optimized and emitted on threads of their own, as object
// files that the kernel's JIT links together.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_KERNELPARTS_H
#define EJ_CODEGEN_KERNELPARTS_H

#include "llvm/ADT/SmallVector.h"

#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::ej {

/// The least work a part must hold to be worth a thread (instructions
/// before optimization, those in loops counted thrice): below it, writing
/// and reading the bitcode and starting the thread cost about what they
/// save. Two parallel nests (a product; a difference and a quotient)
/// compiled in 19-25 ms either way; four nests with exp, tanh and sigmoid
/// in 39-56 ms on two threads against 65-97 ms on one.
constexpr unsigned kMinPartInstructions = 150;

/// Splits `m` into at most `maxParts` modules, written as bitcode (each part
/// is read back in an LLVMContext of its own, on its own thread). Functions
/// that call each other directly stay together, and the groups are dealt
/// to the parts by instruction count; a function that another part refers
/// to becomes an external symbol. Constant globals are copied into every
/// part. Returns no parts when `m` is better compiled whole: one group of
/// functions, a part that would hold fewer than `minPartInstructions`
/// instructions, or globals that cannot be copied (a variable, an exported
/// constant, an alias).
/// `m` is changed (linkage) only when parts are returned.
std::vector<llvm::SmallVector<char, 0>>
splitKernelModule(llvm::Module &m, unsigned maxParts,
                  unsigned minPartInstructions = kMinPartInstructions);

} // namespace mlir::ej

#endif // EJ_CODEGEN_KERNELPARTS_H
