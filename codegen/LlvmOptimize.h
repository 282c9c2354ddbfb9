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
class DominatorTree;
class Function;
class LoopInfo;
class Module;
class ScalarEvolution;
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

/// Prefetches, in a loop over blocks whose body passes over each block's
/// data several times (a softmax or a layernorm over blocks of rows), the
/// next block's input during the current block's heaviest innermost loop;
/// returns how many prefetches it placed. Such a body reads its input from
/// memory in its first pass and then computes on it in the cache: the
/// memory waits while the arithmetic runs, and the hardware prefetchers
/// do not run ahead past the block (a row of 1024 floats is a page). The
/// heaviest innermost loop that reads an input an earlier loop of the body
/// read (the most floating-point work after vectorization, at least
/// kHeavyLoopOps) gets, for each such input, one prefetch per cache line
/// its iteration reads, one block ahead: the outer loop's stride of that
/// address. Softmax over 16384 rows of
/// 1024 floats on two threads ran in 7.9-8.4 ms instead of 9.8-10.5 ms.
unsigned prefetchNextBlocks(llvm::LoopInfo &loops,
                            llvm::DominatorTree &dominators,
                            llvm::ScalarEvolution &scev);
constexpr unsigned kCacheLineBytes = 64;

/// Makes the vector stores of `f` into outputs the kernel streams (alias
/// scope kStreamedScope, codegen/BufferAliasing.h) non-temporal where
/// their address is known aligned to their size, and fences them before
/// `f` returns; returns how many it marked (none on a target other than
/// x86). Such an output is written whole and read by nothing in the
/// kernel, and outgrows the cache: a plain store first reads its line
/// from memory (to fill the cache with what will be evicted unread), a
/// non-temporal one goes straight to memory. Layernorm over 16384 rows of
/// 1024 floats, whose output only its last pass writes, then moves two
/// bytes per byte of input instead of three.
unsigned streamStores(llvm::Function &f, llvm::DominatorTree &dominators);

} // namespace mlir::ej

#endif // EJ_CODEGEN_LLVMOPTIMIZE_H
