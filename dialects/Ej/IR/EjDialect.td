//===- EjDialect.td - The ej dialect ----------------------*- tablegen -*-===//
#ifndef EJ_DIALECT_TD
#define EJ_DIALECT_TD

include "mlir/IR/OpBase.td"

def Ej_Dialect : Dialect {
  let name = "ej";
  let cppNamespace = "::mlir::ej";
  let summary = "EagerJIT's tensor dialect: one op per eager API op";
  let description = [{
    The ops of the `ej` dialect mirror EagerJIT's eager API one to one. A
    recorded region of eager calls becomes a `func.func` of `ej` ops on
    ranked tensors of f32, f64, i1, i32 and i64, which passes fuse and lower.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 0;
  let hasConstantMaterializer = 1;
}

class Ej_Op<string mnemonic, list<Trait> traits = []> :
    Op<Ej_Dialect, mnemonic, traits>;

#endif // EJ_DIALECT_TD
