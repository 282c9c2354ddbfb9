//===- BlasRuntime.h - The BLAS helpers kernels call ------------*- C++ -*-===//
//
// ej-linalg-to-blas turns bufferized matmuls into calls of these helpers;
// their C-interface symbols (`_mlir_ciface_ej_blas_*`) are what a JIT-ed
// module imports. They take strided memref descriptors, pass transposed
// layouts to BLAS as transpose flags, pack what BLAS cannot read, and
// compute C = A * B + beta * C (beta 0 or 1).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_BLASRUNTIME_H
#define EJ_CODEGEN_BLASRUNTIME_H

#include <utility>
#include <vector>

namespace mlir::ej {

/// (symbol, address) of every helper, for the JIT's symbol table.
std::vector<std::pair<const char *, void *>> blasRuntimeSymbols();

} // namespace mlir::ej

#endif // EJ_CODEGEN_BLASRUNTIME_H
