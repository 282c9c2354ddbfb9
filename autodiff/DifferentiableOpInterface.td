//===- DifferentiableOpInterface.td - Ops with a VJP rule --*- tablegen -*-===//
//
// Reverse-mode differentiation asks each op, through this interface, for
// the cotangents of its operands given the cotangent of its result. The
// rules are written as ej ops, so a gradient program is itself
// differentiable.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_AUTODIFF_DIFFERENTIABLEOPINTERFACE_TD
#define EJ_AUTODIFF_DIFFERENTIABLEOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::ej";
  let description = [{
    An op with one result that knows its vector-Jacobian product: given the
    cotangent of its result, it builds the cotangent of each operand the
    result depends on smoothly. `ej-autodiff` (autodiff/Autodiff.h) walks a
    function backwards and asks every op on the path from the sources to the
    target; an op without this interface on that path is an error.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds, with `b` at its insertion point, the cotangent of each operand
        into `operandCotangents` (resized to the operand count by the
        caller; filled with null). An entry left null gets no cotangent
        (an integer operand, a piecewise-constant op, `stop_gradient`).
        Each cotangent has its operand's type; for a `!ej.variable` operand,
        the variable's value type.
      }],
      "::llvm::LogicalResult", "vjp",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Value":$cotangent,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCotangents)>
  ];
}

#endif // EJ_AUTODIFF_DIFFERENTIABLEOPINTERFACE_TD
