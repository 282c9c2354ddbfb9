//===- CudaScalar.h - Scalar ej math as CUDA C statements -------*- C++ -*-===//
//
// The CUDA C emitter computes each element as the CPU code generator does:
// it builds an op's scalar body with codegen/ScalarMath (arith, math and
// scf ops) and prints those ops as C statements. The op semantics (NaN
// propagation, saturating casts, integer powers) are thus written once.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_CUDASCALAR_H
#define EJ_CODEGEN_CUDASCALAR_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>

namespace mlir::ej::cuda {

/// The C type of an ej element type (f32, f64, i1, i32, i64) or index.
std::string cType(Type t);

/// `value` as a C literal of its type (non-finite floats through bit casts).
std::string literal(TypedAttr value);

/// Prints the scalar bodies of ej ops as C statements, one `const` temporary
/// per arith/math op, into `os`.
class ScalarPrinter {
public:
  /// `fresh` names a new temporary; `indent` prefixes every line.
  ScalarPrinter(MLIRContext *ctx, llvm::raw_ostream &os,
                std::function<std::string()> fresh);

  void setIndent(unsigned spaces) { indent = spaces; }

  /// The C expression of elementwise ej op `mnemonic` (codegen/ScalarMath)
  /// on `operands` (C expressions of types `types`), giving `result`.
  std::string op(StringRef mnemonic, ArrayRef<std::string> operands,
                 TypeRange types, Type result);

  /// `x` (of type `from`) converted to `to` as ej.cast converts it.
  std::string convert(const std::string &x, Type from, Type to);

  /// `lhs * rhs` in type `t` (the mean's scale).
  std::string multiply(const std::string &lhs, const std::string &rhs, Type t);

private:
  // Builds with `build` into a scratch block whose arguments stand for
  // `operands`, prints the ops, and returns the result's C expression.
  std::string
  print(ArrayRef<std::string> operands, TypeRange types,
        llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> build);

  MLIRContext *ctx;
  llvm::raw_ostream &os;
  std::function<std::string()> fresh;
  unsigned indent = 0;
  OwningOpRef<ModuleOp> scratch;
};

} // namespace mlir::ej::cuda

#endif // EJ_CODEGEN_CUDASCALAR_H
