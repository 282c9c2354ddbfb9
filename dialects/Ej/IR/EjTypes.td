//===- EjTypes.td - Types of the ej dialect ---------------*- tablegen -*-===//
#ifndef EJ_TYPES_TD
#define EJ_TYPES_TD

include "EjDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def Ej_VariableType : TypeDef<Ej_Dialect, "Variable"> {
  let mnemonic = "variable";
  let summary = "A mutable variable holding a tensor of a fixed type";
  let description = [{
    The handle of an eager `ej::Variable`. `ej.variable_read` gives its
    current value and `ej.assign` replaces it; the value's type never
    changes.

    ```mlir
    func.func @step(%w: !ej.variable<tensor<3x2xf32>>) { ... }
    ```
  }];
  let parameters = (ins "::mlir::RankedTensorType":$valueType);
  let assemblyFormat = "`<` $valueType `>`";
}

#endif // EJ_TYPES_TD
