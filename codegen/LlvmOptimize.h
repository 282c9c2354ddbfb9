//===- LlvmOptimize.h - LLVM's optimizer for the kernels -------*- C++ -*-===//
//
// The LLVM IR of a compiled kernel goes through LLVM's O2 pipeline, tuned
// for loop nests that wait on memory or on the polynomial approximations of
// their transcendentals: no unrolling and no SLP vectorizer, glibc's vector
// math library for float64 calls, and innermost loops heavy with
// arithmetic interleaved by the loop vectorizer.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_LLVMOPTIMIZE_H
#define EJ_CODEGEN_LLVMOPTIMIZE_H

namespace llvm {
class Function;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir::ej {

/// Optimizes `m` for `tm` in place. With `vectorMath`, glibc's libmvec is
/// loaded in the process and vectorized float64 math calls it.
void optimizeKernel(llvm::Module &m, llvm::TargetMachine *tm, bool vectorMath);

/// Asks the loop vectorizer to interleave each innermost loop of `f` that
/// does at least kHeavyLoopOps floating-point operations per iteration
/// kHeavyLoopInterleave times; returns how many loops it marked. The
/// vectorizer interleaves small loops by itself, but leaves a large body
/// alone, counting on the out-of-order core to overlap its iterations: the
/// long dependency chains of exp, tanh or erf fill the scheduler first, and
/// the 8-op chain ran 1.5 times as fast interleaved four times.
unsigned interleaveHeavyLoops(llvm::Function &f);
constexpr unsigned kHeavyLoopOps = 16;
constexpr unsigned kHeavyLoopInterleave = 4;

} // namespace mlir::ej

#endif // EJ_CODEGEN_LLVMOPTIMIZE_H
