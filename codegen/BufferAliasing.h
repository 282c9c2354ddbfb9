//===- BufferAliasing.h - What a kernel's buffers overlap -----*- C++ -*-===//
//
// A kernel's caller promises that its output buffers overlap nothing else
// and that its inputs are only read; its temporaries are memory of their
// own. Without being told, LLVM's loop vectorizer checks each pair of
// buffers a loop touches at run time and keeps a scalar copy of the loop
// for the case that they overlap: code that never runs, but that the
// optimizer and the code generator pay for in every kernel.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_BUFFERALIASING_H
#define EJ_CODEGEN_BUFFERALIASING_H

#include "llvm/ADT/ArrayRef.h"

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::ej {

/// The most buffers whose accesses are told apart, in the kernel and in
/// each parallel loop nest: every access lists every other buffer, and
/// with many buffers the alias queries of GVN grow with their square (a
/// training step's kernel of 90 buffers spent 286 million more
/// instructions in LLVM's optimizer, a quarter of it). Past it the
/// run-time checks stay.
inline constexpr unsigned kMaxNoAliasBuffers = 16;

/// Marks, in a kernel module just translated from the llvm dialect (the
/// function `kernel`, its C interface `_mlir_ciface_kernel` and the
/// parallel loop nests that OpenMP's translation outlined): the aligned
/// pointers of the kernel's buffers `noalias` (up to kMaxNoAliasBuffers of
/// them); the allocator of its temporaries as returning fresh memory, and
/// their aligned pointers as offsets of the allocations; and,
/// in each outlined function, which receives the buffers through the
/// OpenMP runtime's arguments and so never sees those promises, every load
/// and store through a known buffer with an alias scope of its own that
/// excludes the nest's other buffers.
///
/// `streamed` lists kernel buffers (by argument) that are outputs the
/// kernel may stream to memory, bypassing the cache (it writes more than
/// the cache holds). Those of them that nothing in the kernel reads get,
/// in each nest, an alias scope named kStreamedScope, and the loads of
/// their pointers from the nest's captures the alignment kOutputAlignment
/// (`!align`), which callers of kernels guarantee: the optimizer's
/// streamStores (codegen/LlvmOptimize.h) then makes their aligned vector
/// stores non-temporal.
void describeBufferAliasing(llvm::Module &m,
                            llvm::ArrayRef<unsigned> streamed = {});

/// The name of the alias scope of an output the kernel streams.
inline constexpr const char *kStreamedScope = "ej.streamed";

/// The alignment, in bytes, of every output buffer a kernel is given.
inline constexpr unsigned kOutputAlignment = 64;

} // namespace mlir::ej

#endif // EJ_CODEGEN_BUFFERALIASING_H
