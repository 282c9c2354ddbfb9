//===- EjOps.td - Ops of the ej dialect -------------------*- tablegen -*-===//
//
// One op per eager API op (lib/Ops.def names them; the mnemonic is the
// table's name). Element types are those of the API: f32, f64, i1 (bool),
// i32, i64; shapes are static, as recorded. Binary ops take operands of one
// element type (the API inserts ej.cast first) and broadcast like NumPy, with
// the same shape rule as the API (lib/ShapeRules.h).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_OPS_TD
#define EJ_OPS_TD

include "EjDialect.td"
include "EjTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"

def Ej_Tensor : StaticShapeTensorOf<[F32, F64, I1, I32, I64]>;
def Ej_FloatTensor : StaticShapeTensorOf<[F32, F64]>;
def Ej_NumberTensor : StaticShapeTensorOf<[F32, F64, I32, I64]>;
def Ej_BoolTensor : StaticShapeTensorOf<[I1]>;
// The seed and offset operands of random ops: 0-d i64 tensors.
def Ej_CounterTensor : 0DTensorOf<[I64]>,
    BuildableType<"::mlir::RankedTensorType::get({}, $_builder.getI64Type())">;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Unary elementwise ops: the result has the operand's type.
//===----------------------------------------------------------------------===//

// With SameOperandsAndResultType, ODS writes inferReturnTypes itself.
class Ej_UnaryOp<string mnemonic, TypeConstraint operandType, string math,
                 string exampleType, list<Trait> traits = []> :
    Ej_Op<mnemonic, traits # [Pure, SameOperandsAndResultType,
        DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Elementwise: " # math;
  let description = "Computes " # math # [{ of every element; the result has
    the operand's type.

    ```mlir
    %0 = ej.}] # mnemonic # " %x : " # exampleType # [{

    ```
  }];
  let arguments = (ins operandType:$operand);
  let results = (outs operandType:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
  // Small constant operands fold (EjOps.cpp, from the op table).
  let hasFolder = 1;
}

class Ej_FloatUnaryOp<string mnemonic, string math> :
    Ej_UnaryOp<mnemonic, Ej_FloatTensor, math, "tensor<4x8xf32>">;
class Ej_NumberUnaryOp<string mnemonic, string math> :
    Ej_UnaryOp<mnemonic, Ej_NumberTensor, math, "tensor<16xi32>">;

def Ej_NegOp : Ej_NumberUnaryOp<"neg", "negation">;
def Ej_AbsOp : Ej_NumberUnaryOp<"abs", "absolute value">;
def Ej_SquareOp : Ej_NumberUnaryOp<"square", "square (x * x)">;
def Ej_ReluOp : Ej_NumberUnaryOp<"relu", "max(x, 0) (NaN stays NaN)">;
def Ej_SignOp : Ej_NumberUnaryOp<"sign", "sign (-1, 0 or 1; NaN stays NaN)">;
def Ej_ExpOp : Ej_FloatUnaryOp<"exp", "the exponential">;
def Ej_LogOp : Ej_FloatUnaryOp<"log", "the natural logarithm">;
def Ej_SqrtOp : Ej_FloatUnaryOp<"sqrt", "the square root">;
def Ej_RsqrtOp : Ej_FloatUnaryOp<"rsqrt", "the reciprocal square root">;
def Ej_TanhOp : Ej_FloatUnaryOp<"tanh", "the hyperbolic tangent">;
def Ej_SigmoidOp : Ej_FloatUnaryOp<"sigmoid", "the logistic sigmoid 1 / (1 + exp(-x))">;
def Ej_SinOp : Ej_FloatUnaryOp<"sin", "the sine">;
def Ej_CosOp : Ej_FloatUnaryOp<"cos", "the cosine">;
def Ej_ErfOp : Ej_FloatUnaryOp<"erf", "the Gauss error function">;
def Ej_FloorOp : Ej_FloatUnaryOp<"floor", "rounding toward negative infinity">;
def Ej_CeilOp : Ej_FloatUnaryOp<"ceil", "rounding toward positive infinity">;
def Ej_LogicalNotOp : Ej_UnaryOp<"logical_not", Ej_BoolTensor, "logical negation",
                                 "tensor<3xi1>">;

def Ej_CastOp : Ej_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts every element to the result's element type: floats to integers
    truncate toward zero (NaN gives 0, out-of-range values saturate), anything
    to i1 is `!= 0`. A cast to the operand's own type folds away.

    ```mlir
    %0 = ej.cast %x : tensor<2x3xf32> to tensor<2x3xi32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `to` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Binary elementwise ops with NumPy broadcasting.
//===----------------------------------------------------------------------===//

class Ej_BroadcastOp<string mnemonic, TypeConstraint operandType,
                     TypeConstraint resultType, list<Trait> traits = []> :
    Ej_Op<mnemonic, traits # [Pure,
        DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasVerifier = 1;
  // Small constant operands fold (EjOps.cpp, from the op table).
  let hasFolder = 1;
  // Comparisons give i1; the others the operands' element type.
  bit boolResult = 0;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferBroadcast(loc, getOperationName(), operands, inferred,
                            }] # !if(boolResult, "true", "false") # [{);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return verifyInferred(*this);
    }
  }];
}

class Ej_BinaryOp<string mnemonic, TypeConstraint operandType, string math,
                  string exampleType, list<Trait> traits = []> :
    Ej_BroadcastOp<mnemonic, operandType, operandType, traits> {
  let summary = "Elementwise " # math # " with NumPy broadcasting";
  let description = "Computes the " # math # [{ of `lhs` and `rhs`
    elementwise. Their shapes broadcast as in NumPy and their element types
    must match (the API inserts casts first); the result type is inferred.
    Small constant operands fold, with the interpreter's own arithmetic;
    `x + 0` and `x * 1` fold to `x` when no broadcast happens.

    ```mlir
    %0 = ej.}] # mnemonic # " %a, %b : " # exampleType # [{

    ```
  }];
}

def Ej_AddOp : Ej_BinaryOp<"add", Ej_NumberTensor, "sum",
                           "tensor<2x3xf32>, tensor<3xf32>", [Commutative]>;
def Ej_SubOp : Ej_BinaryOp<"sub", Ej_NumberTensor, "difference",
                           "tensor<2x3xf32>, tensor<2x1xf32>">;
def Ej_MulOp : Ej_BinaryOp<"mul", Ej_NumberTensor, "product",
                           "tensor<4x1xf64>, tensor<1x5xf64>", [Commutative]>;
def Ej_DivOp : Ej_BinaryOp<"div", Ej_FloatTensor, "true quotient",
                           "tensor<8xf32>, tensor<f32>">;
def Ej_PowOp : Ej_BinaryOp<"pow", Ej_NumberTensor, "power (lhs to the rhs)",
                           "tensor<8xf32>, tensor<8xf32>">;
def Ej_MaximumOp : Ej_BinaryOp<"maximum", Ej_NumberTensor,
                               "maximum (NaN-propagating)",
                               "tensor<8xi32>, tensor<8xi32>", [Commutative]>;
def Ej_MinimumOp : Ej_BinaryOp<"minimum", Ej_NumberTensor,
                               "minimum (NaN-propagating)",
                               "tensor<8xi32>, tensor<8xi32>", [Commutative]>;
def Ej_LogicalAndOp : Ej_BinaryOp<"logical_and", Ej_BoolTensor, "conjunction",
                                  "tensor<3xi1>, tensor<3xi1>", [Commutative]>;
def Ej_LogicalOrOp : Ej_BinaryOp<"logical_or", Ej_BoolTensor, "disjunction",
                                 "tensor<3xi1>, tensor<3xi1>", [Commutative]>;

class Ej_CompareOp<string mnemonic, string relation> :
    Ej_BroadcastOp<mnemonic, Ej_Tensor, Ej_BoolTensor> {
  let boolResult = 1;
  let summary = "Elementwise `" # relation # "` comparison giving i1";
  let description = "Compares `lhs " # relation # [{ rhs` elementwise with
    NumPy broadcasting; operands share one element type and the result is a
    tensor of i1 of the broadcast shape.

    ```mlir
    %0 = ej.}] # mnemonic # [{ %a, %b : tensor<2x3xf32>, tensor<f32>
    ```
  }];
}

def Ej_EqualOp : Ej_CompareOp<"equal", "==">;
def Ej_NotEqualOp : Ej_CompareOp<"not_equal", "!=">;
def Ej_LessOp : Ej_CompareOp<"less", "<">;
def Ej_LessEqualOp : Ej_CompareOp<"less_equal", "<=">;
def Ej_GreaterOp : Ej_CompareOp<"greater", ">">;
def Ej_GreaterEqualOp : Ej_CompareOp<"greater_equal", ">=">;

def Ej_WhereOp : Ej_Op<"where", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Elementwise selection: cond ? lhs : rhs";
  let description = [{
    Picks `lhs` where `cond` is true and `rhs` elsewhere. The three shapes
    broadcast together; `lhs` and `rhs` share an element type, which the
    result has.

    ```mlir
    %0 = ej.where %c, %a, %b : tensor<4xi1>, tensor<3x4xf32>, tensor<3x1xf32>
    ```
  }];
  let arguments = (ins Ej_BoolTensor:$cond, Ej_Tensor:$lhs, Ej_Tensor:$rhs);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` "
                       "type($lhs) `,` type($rhs)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferWhere(loc, operands, inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return verifyInferred(*this);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Ej_ReduceOp<string mnemonic, TypeConstraint type, string what> :
    Ej_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "The " # what # " over the given axes";
  let description = "Reduces `operand` to its " # what # [{ over `axes`
    (non-negative, each at most once; empty means every axis), dropping the
    reduced axes, or keeping them with size 1 under `keepdims`. The element
    type stays the operand's.

    ```mlir
    %0 = ej.}] # mnemonic # [{ %x axes = [1] : tensor<3x4xf32>
    %1 = ej.}] # mnemonic # [{ %x axes = [0, 1] keepdims : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins type:$operand, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs type:$result);
  let assemblyFormat = "$operand `axes` `=` $axes (`keepdims` $keepdims^)? "
                       "attr-dict `:` type($operand)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferReduce(loc, getOperationName(), adaptor.getOperand().getType(),
                         adaptor.getAxes(), adaptor.getKeepdims(), inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() { return verifyInferred(*this); }
  }];
}

def Ej_ReduceSumOp : Ej_ReduceOp<"reduce_sum", Ej_NumberTensor, "sum">;
def Ej_ReduceMeanOp : Ej_ReduceOp<"reduce_mean", Ej_FloatTensor, "mean">;
def Ej_ReduceMaxOp : Ej_ReduceOp<"reduce_max", Ej_NumberTensor, "maximum">;
def Ej_ReduceMinOp : Ej_ReduceOp<"reduce_min", Ej_NumberTensor, "minimum">;
def Ej_ReduceProdOp : Ej_ReduceOp<"reduce_prod", Ej_NumberTensor, "product">;

class Ej_ArgReduceOp<string mnemonic, string what> :
    Ej_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "The index of the " # what # " along an axis";
  let description = "The index (i64) of the " # what # [{ of `operand`
    along `axis`, the first one on ties; the axis is dropped.

    ```mlir
    %0 = ej.}] # mnemonic # [{ %x axis = 1 : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Ej_NumberTensor:$operand, I64Attr:$axis);
  let results = (outs StaticShapeTensorOf<[I64]>:$result);
  let assemblyFormat = "$operand `axis` `=` $axis attr-dict `:` type($operand)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferArgReduce(loc, getOperationName(),
                            adaptor.getOperand().getType(), adaptor.getAxis(),
                            inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() { return verifyInferred(*this); }
  }];
}

def Ej_ArgMaxOp : Ej_ArgReduceOp<"argmax", "largest value">;
def Ej_ArgMinOp : Ej_ArgReduceOp<"argmin", "smallest value">;

//===----------------------------------------------------------------------===//
// Linear algebra and shapes
//===----------------------------------------------------------------------===//

def Ej_MatMulOp : Ej_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "Matrix product with broadcast batch axes";
  let description = [{
    `(..., n, k) x (..., k, m) -> (..., n, m)`; the batch axes broadcast as
    in NumPy and the element types match.

    ```mlir
    %0 = ej.matmul %a, %b : tensor<2x3x4xf32>, tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Ej_NumberTensor:$lhs, Ej_NumberTensor:$rhs);
  let results = (outs Ej_NumberTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferMatMul(loc, adaptor.getLhs().getType(),
                         adaptor.getRhs().getType(), inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() { return verifyInferred(*this); }
  }];
}

def Ej_TransposeOp : Ej_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "Permutes the axes";
  let description = [{
    Result axis `i` is operand axis `perm[i]`. Two transposes in a row
    compose into one; the identity permutation folds away.

    ```mlir
    %0 = ej.transpose %x perm = [1, 0] : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand, DenseI64ArrayAttr:$perm);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand `perm` `=` $perm attr-dict `:` type($operand)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferTranspose(loc, adaptor.getOperand().getType(),
                            adaptor.getPerm(), inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() { return verifyInferred(*this); }
  }];
}

def Ej_ReshapeOp : Ej_Op<"reshape", [Pure]> {
  let summary = "The same elements, row-major, in another shape";
  let description = [{
    The result has the operand's elements in row-major order and the same
    element type; the element counts match. A reshape to the operand's own
    type folds away, and a reshape of a reshape becomes one reshape.

    ```mlir
    %0 = ej.reshape %x : tensor<2x3xf32> to tensor<6xf32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Ej_BroadcastToOp : Ej_Op<"broadcast_to", [Pure]> {
  let summary = "Broadcasts to a larger shape, NumPy style";
  let description = [{
    Each operand axis, aligned to the right, equals the result's or is 1. A
    broadcast to the operand's own type folds away, and a broadcast of a
    broadcast becomes one broadcast.

    ```mlir
    %0 = ej.broadcast_to %x : tensor<3xf32> to tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Ej_SliceOp : Ej_Op<"slice", [Pure]> {
  let summary = "A strided slice";
  let description = [{
    Result element `i` along axis `d` is operand element
    `starts[d] + i * steps[d]`; steps are non-zero (negative steps walk
    backwards) and every picked index is inside the operand. The result type
    gives the counts.

    ```mlir
    %0 = ej.slice %x starts = [1, 0] steps = [2, -1] : tensor<6x4xf32> to tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$steps);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand `starts` `=` $starts `steps` `=` $steps "
                       "attr-dict `:` type($operand) `to` type($result)";
  let hasVerifier = 1;
}

def Ej_ConcatOp : Ej_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Joins tensors along an axis";
  let description = [{
    The operands have one rank and element type and equal sizes on every
    axis but `axis`, along which the result lines them up in order.

    ```mlir
    %0 = ej.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<2x1xf32>
    ```
  }];
  let arguments = (ins Variadic<Ej_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$inputs `axis` `=` $axis attr-dict `:` type($inputs)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferConcat(loc, adaptor.getInputs().getTypes(), adaptor.getAxis(),
                         inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() { return verifyInferred(*this); }
  }];
}

def Ej_GatherOp : Ej_Op<"gather", [Pure, InferTypeOpAdaptor]> {
  let summary = "Picks slices of `params` along an axis by index";
  let description = [{
    The result's shape is `params.shape[:axis] + indices.shape +
    params.shape[axis+1:]`; indices are i32 or i64 (negative ones count from
    the end; out-of-range ones are an error at run time).

    ```mlir
    %0 = ej.gather %p, %i axis = 0 : tensor<5x3xf32>, tensor<2xi64>
    ```
  }];
  let arguments = (ins Ej_Tensor:$params, StaticShapeTensorOf<[I32, I64]>:$indices,
                       I64Attr:$axis);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$params `,` $indices `axis` `=` $axis attr-dict `:` "
                       "type($params) `,` type($indices)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferGather(loc, adaptor.getParams().getType(),
                         adaptor.getIndices().getType(), adaptor.getAxis(),
                         inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() { return verifyInferred(*this); }
  }];
}

def Ej_OneHotOp : Ej_Op<"one_hot", [Pure]> {
  let summary = "One-hot encoding of integer indices";
  let description = [{
    Appends an axis of size `depth` (the result type's last extent): element
    `[..., j]` is `on` where the index equals `j` and `off` elsewhere; indices
    outside `[0, depth)` give a row of `off`.

    ```mlir
    %0 = ej.one_hot %i on = 1.0 off = 0.0 : tensor<4xi32> to tensor<4x3xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I32, I64]>:$indices, F64Attr:$on,
                       F64Attr:$off);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$indices `on` `=` $on `off` `=` $off attr-dict `:` "
                       "type($indices) `to` type($result)";
  let hasVerifier = 1;
}

def Ej_PadOp : Ej_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "Surrounds a tensor with a constant";
  let description = [{
    Adds `low[d]` elements before and `high[d]` after axis `d`, all equal to
    `value` (converted to the element type).

    ```mlir
    %0 = ej.pad %x low = [1, 0] high = [0, 2] value = 0.0 : tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, F64Attr:$value);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand `low` `=` $low `high` `=` $high `value` `=` "
                       "$value attr-dict `:` type($operand)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferPad(loc, adaptor.getOperand().getType(), adaptor.getLow(),
                      adaptor.getHigh(), inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() { return verifyInferred(*this); }
  }];
}

def Ej_CopyOp : Ej_Op<"copy", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "The operand's value in a buffer of its own";
  let description = [{
    The eager `identity` and `contiguous`: as values, the result equals the
    operand, so the op folds away; it marks where the eager program made a
    row-major copy.

    ```mlir
    %0 = ej.copy %x : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
  let hasFolder = 1;
}

def Ej_StopGradientOp : Ej_Op<"stop_gradient", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "The operand, as a constant to differentiation";
  let description = [{
    As a value the result is the operand, but `ej-autodiff` sends no
    cotangent through it. It does not fold: differentiation may run after
    canonicalization.

    ```mlir
    %0 = ej.stop_gradient %x : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Ej_Tensor:$operand);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
}

// Convolution and pooling.
include "EjWindowOps.td"

//===----------------------------------------------------------------------===//
// Creation and random draws
//===----------------------------------------------------------------------===//

def Ej_FillOp : Ej_Op<"fill", [Pure]> {
  let summary = "A tensor with every element equal to `value`";
  let description = [{
    `zeros`, `ones` and `fill`: `value` converted to the result's element
    type. Folds to a splat constant.

    ```mlir
    %0 = ej.fill 1.5 : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins F64Attr:$value);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
  let hasFolder = 1;
}

def Ej_ArangeOp : Ej_Op<"arange", [Pure]> {
  let summary = "start, start + step, ... (as many as the result holds)";
  let description = [{
    Element `i` of the 1-d result is `start + i * step`, converted to the
    element type.

    ```mlir
    %0 = ej.arange start = 0.0 step = 2.0 : tensor<5xi32>
    ```
  }];
  let arguments = (ins F64Attr:$start, F64Attr:$step);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "`start` `=` $start `step` `=` $step attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ej_LinspaceOp : Ej_Op<"linspace", [Pure]> {
  let summary = "Evenly spaced values from start to stop, both included";
  let description = [{
    The 1-d result holds `n` values from `start` to `stop`; the last is
    exactly `stop` when `n > 1`.

    ```mlir
    %0 = ej.linspace start = 0.0 stop = 1.0 : tensor<5xf32>
    ```
  }];
  let arguments = (ins F64Attr:$start, F64Attr:$stop);
  let results = (outs Ej_FloatTensor:$result);
  let assemblyFormat = "`start` `=` $start `stop` `=` $stop attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ej_EyeOp : Ej_Op<"eye", [Pure]> {
  let summary = "An identity matrix";
  let description = [{
    Ones on the main diagonal of the 2-d result, zeros elsewhere.

    ```mlir
    %0 = ej.eye : tensor<3x4xf32>
    ```
  }];
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

class Ej_RandomOp<string mnemonic, string what, string example> :
    Ej_Op<mnemonic, [Pure]> {
  let summary = "Random draws: " # what;
  let description = "Draws " # what # [{ from the counter-based
    Philox-4x32-10 stream keyed by `seed` (a 0-d i64 tensor), starting at
    block `offset` (likewise): element `i` uses block `offset + i / 4` (f32)
    or `offset + i / 2` (f64). Equal seed and offset give equal values, so
    the op is pure in its operands; the eager runtime passes a fresh offset
    to every draw.

    ```mlir
    }] # example # [{

    ```
  }];
  let results = (outs Ej_FloatTensor:$result);
}

def Ej_RandomUniformOp : Ej_RandomOp<"random_uniform",
    "uniform in [minval, maxval)",
    "%0 = ej.random_uniform %seed, %offset minval = 0.0 maxval = 1.0 : tensor<5x3xf32>"> {
  let arguments = (ins Ej_CounterTensor:$seed, Ej_CounterTensor:$offset,
                       F64Attr:$minval, F64Attr:$maxval);
  let assemblyFormat = "$seed `,` $offset `minval` `=` $minval `maxval` `=` "
                       "$maxval attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ej_RandomNormalOp : Ej_RandomOp<"random_normal",
    "normal with the given mean and standard deviation",
    "%0 = ej.random_normal %seed, %offset mean = 0.0 stddev = 1.0 : tensor<8xf64>"> {
  let arguments = (ins Ej_CounterTensor:$seed, Ej_CounterTensor:$offset,
                       F64Attr:$mean, F64Attr:$stddev);
  let assemblyFormat = "$seed `,` $offset `mean` `=` $mean `stddev` `=` "
                       "$stddev attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Variables: reads and writes of a resource, declared as such, so CSE never
// merges reads across an assignment and DCE never drops an assignment.
//===----------------------------------------------------------------------===//

def Ej_VariableReadOp : Ej_Op<"variable_read", [InferTypeOpAdaptor]> {
  let summary = "The current value of a variable";
  let description = [{
    Reads the variable's value (a memory read of the variable).

    ```mlir
    %0 = ej.variable_read %w : !ej.variable<tensor<3x2xf32>>
    ```
  }];
  let arguments = (ins Arg<Ej_VariableType, "the variable", [MemRead]>:$variable);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$variable attr-dict `:` qualified(type($variable))";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      inferred.push_back(::mlir::cast<VariableType>(adaptor.getVariable().getType())
                             .getValueType());
      return ::mlir::success();
    }
  }];
}

def Ej_AssignOp : Ej_Op<"assign", [InferTypeOpAdaptor,
    TypesMatchWith<"the value has the variable's value type", "variable",
                   "value", "::mlir::cast<VariableType>($_self).getValueType()">]> {
  let summary = "Replaces a variable's value";
  let description = [{
    Writes `value` (of the variable's value type) to the variable (a memory
    write) and returns it.

    ```mlir
    %1 = ej.assign %w, %0 : !ej.variable<tensor<3x2xf32>>
    ```
  }];
  let arguments = (ins Arg<Ej_VariableType, "the variable", [MemWrite]>:$variable,
                       Ej_Tensor:$value);
  let results = (outs Ej_Tensor:$result);
  let assemblyFormat = "$variable `,` $value attr-dict `:` qualified(type($variable))";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      inferred.push_back(::mlir::cast<VariableType>(adaptor.getVariable().getType())
                             .getValueType());
      return ::mlir::success();
    }
  }];
}

//===----------------------------------------------------------------------===//
// Fusion regions (structural: no eager API op of their own)
//===----------------------------------------------------------------------===//

def Ej_FusionOp : Ej_Op<"fusion", [IsolatedFromAbove, RecursiveMemoryEffects,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "A group of ops compiled into one kernel";
  let description = [{
    `ej-fuse` groups ops into fusion regions: the body's block arguments
    are the `inputs`, and its `ej.yield` gives the `results`. Nothing inside
    may use a value from outside (the region is isolated), so a fusion is a
    self-contained kernel.

    ```mlir
    %r = ej.fusion (%a, %b) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
    ^bb0(%x: tensor<8xf32>, %y: tensor<8xf32>):
      %s = ej.add %x, %y : tensor<8xf32>, tensor<8xf32>
      %e = ej.exp %s : tensor<8xf32>
      ej.yield %e : tensor<8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Ej_Tensor>:$inputs);
  let results = (outs Variadic<Ej_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body";
  let hasVerifier = 1;
}

def Ej_YieldOp : Ej_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"FusionOp">]> {
  let summary = "The results of a fusion region";
  let description = [{
    Ends an `ej.fusion` body; its operands become the fusion's results.

    ```mlir
    ej.yield %e, %f : tensor<8xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins Variadic<Ej_Tensor>:$values);
  // SingleBlockImplicitTerminator builds an empty yield with no arguments.
  let builders = [OpBuilder<(ins), [{
    build($_builder, $_state, ::mlir::ValueRange());
  }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // EJ_OPS_TD
