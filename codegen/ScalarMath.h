//===- ScalarMath.h - Scalar math of elementwise ej ops ---------*- C++ -*-===//
//
// The per-element bodies of the elementwise ej ops as arith/math/scf ops,
// written to compute what the interpreter's functors compute
// (runtime/cpu/Math.h): NaN-propagating relu, sign, maximum and minimum,
// sigmoid through exp(-|x|), integer powers by squaring, and the casts'
// truncating, saturating float-to-integer conversion.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CODEGEN_SCALARMATH_H
#define EJ_CODEGEN_SCALARMATH_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir::ej {

/// Whether `mnemonic` (an ej op without the dialect prefix) is an
/// elementwise op with a scalar body here.
bool hasScalarMath(StringRef mnemonic);

/// The result element of elementwise op `mnemonic` on the scalar `operands`
/// (of the op's operand element types); `result` is the result's element
/// type.
Value buildScalarMath(OpBuilder &b, Location loc, StringRef mnemonic,
                      ValueRange operands, Type result);

/// `x` converted to element type `to` as ej.cast converts it.
Value convertScalar(OpBuilder &b, Location loc, Value x, Type to);

/// `value` as an element of type `t`, as the interpreter's fill and pad
/// kernels convert it (`static_cast<T>(value)`).
TypedAttr scalarAttr(Type t, double value);

/// Whether `t` is f32 or f64.
inline bool isFloatElement(Type t) { return isa<FloatType>(t); }

} // namespace mlir::ej

#endif // EJ_CODEGEN_SCALARMATH_H
