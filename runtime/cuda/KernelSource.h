//===- KernelSource.h - CUDA C of the interpreter's kernels -----*- C++ -*-===//
//
// The interpreter's CUDA kernels are CUDA C generated per op and element
// types, never per shape: shapes and strides are kernel arguments
// (runtime/cuda/kernels/Args.h), so a new shape costs no compilation. A
// unit is the source of one op for some dtypes and holds all of its
// layout variants; the per-element math of elementwise ops and the folds of
// reductions are printed from the scalar definitions the code generators
// use (codegen/CudaScalar.h), the loops are the templates of
// runtime/cuda/kernels/*.cuh.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_KERNELSOURCE_H
#define EJ_RUNTIME_CUDA_KERNELSOURCE_H

#include "lib/Record.h"

#include <string>
#include <vector>

namespace ej::cuda {

/// The kernels of a unit, one per layout its op is launched with.
enum class Variant : uint8_t {
  Linear,     // elementwise: operands contiguous or one element; 16-byte packs
  Strided32,  // elementwise, gather, one_hot: any strides, 32-bit indices
  Strided64,  // the same with 64-bit indices
  Inner32,    // reductions: a block per result, 32-bit indices
  Inner64,    //
  Outer32,    // reductions: a thread per result, 32-bit indices
  Outer64,    //
  MergeInner, // split reductions' second pass: a block per result
  MergeOuter, // ... a thread per result
  Single,     // creation ops and integer matmul: one kernel
};

/// What a unit computes: op `op` on element types `a` and `b`:
///   elementwise ops, where       a: the operands' dtype (where: the values')
///   cast                         a: from, b: to
///   copy, fill, gather           a: bits_dtype() of the elements
///   one_hot                      a: bits_dtype() of the result, b: indices
///   reductions, argmax, argmin   a: the input's dtype
///   other creation ops           a: the result's dtype
///   matmul (integer)             a: the operands' dtype
struct KernelSpec {
  detail::OpCode op;
  DType a = float32;
  DType b = float32;

  bool operator==(const KernelSpec &o) const {
    return op == o.op && a == o.a && b == o.b;
  }
};

/// The dtype whose kernels move the elements of `t` in ops that only move
/// bits: bool, int32 or int64, by size.
DType bits_dtype(DType t);

/// Whether the CUDA kernels cover `spec` (the CPU kernels' dtypes).
bool has_kernel(const KernelSpec &spec);

/// Every unit the interpreter's CUDA kernels may compile.
std::vector<KernelSpec> all_kernel_specs();

/// Bytes of the accumulator a reduction's partial results are kept in
/// (split reductions' scratch).
size_t accumulator_size(const KernelSpec &spec);

/// The variants a unit holds.
std::vector<Variant> variants(const KernelSpec &spec);

/// The extern "C" name of a unit's kernel:
/// "ej_add_float32_linear", "ej_cast_int32_float64_strided32".
std::string kernel_name(const KernelSpec &spec, Variant variant);

/// One CUDA C program holding `units` (each once) and the definitions they
/// share. Generating a unit's text takes the generator's lock; texts are
/// kept for the process.
std::string program_source(const std::vector<KernelSpec> &units);

} // namespace ej::cuda

#endif // EJ_RUNTIME_CUDA_KERNELSOURCE_H
