//===- EjOps.td - Ops of the ej dialect -------------------*- tablegen -*-===//
#ifndef EJ_OPS_TD
#define EJ_OPS_TD

include "EjDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Ej_ElementType : AnyTypeOf<[F32, F64, I1, I32, I64]>;
def Ej_Tensor : RankedTensorOf<[F32, F64, I1, I32, I64]>;

def Ej_ConstantOp : Ej_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A tensor of known values";
  let description = [{
    The result holds `value`, a dense elements attribute.

    ```mlir
    %0 = ej.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

class Ej_BinaryOp<string mnemonic, list<Trait> traits = []> :
    Ej_Op<mnemonic, traits # [Pure,
        DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let arguments = (ins Ej_Tensor:$lhs, Ej_Tensor:$rhs);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Ej_AddOp : Ej_BinaryOp<"add", [Commutative]> {
  let summary = "Elementwise addition with NumPy broadcasting";
  let description = [{
    Adds `lhs` and `rhs` elementwise. Their shapes broadcast as in NumPy and
    their element types must match (the API inserts casts first); the
    result type is inferred. `x + 0` with a splat zero folds to `x`.

    ```mlir
    %0 = ej.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
    ```
  }];
}

def Ej_MulOp : Ej_BinaryOp<"mul", [Commutative]> {
  let summary = "Elementwise multiplication with NumPy broadcasting";
  let description = [{
    Multiplies `lhs` and `rhs` elementwise with NumPy broadcasting; the
    element types must match and the result type is inferred. `x * 1` with a
    splat one folds to `x`.

    ```mlir
    %0 = ej.mul %a, %b : tensor<4x1xf64>, tensor<1x5xf64>
    ```
  }];
}

#endif // EJ_OPS_TD
