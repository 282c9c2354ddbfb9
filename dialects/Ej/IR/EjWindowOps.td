//===- EjWindowOps.td - Convolution and pooling ops -------*- tablegen -*-===//
//
// 2-d convolution and pooling on NHWC tensors (filters HWIO, TensorFlow's
// layout), with the gradient ops their VJP rules emit. Every op carries its
// window's geometry explicitly: `strides` (along H, W) and `padding`
// (top, bottom, left, right); the API turns "same"/"valid" into numbers.
// Shapes follow lib/ShapeRules.h (conv2d_shape, pool2d_shape), as the API's
// do. Included by EjOps.td; the C++ side is EjWindowOps.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_WINDOW_OPS_TD
#define EJ_WINDOW_OPS_TD

// The attributes every window op has, in its assembly order.
class Ej_WindowOp<string mnemonic, list<Trait> traits = []> :
    Ej_Op<mnemonic, traits # [Pure]> {
  let hasVerifier = 1;
}

def Ej_Conv2DOp : Ej_WindowOp<"conv2d", [InferTypeOpAdaptor]> {
  let summary = "2-d convolution (cross-correlation), NHWC";
  let description = [{
    `result[n, i, j, o] = sum over (p, q, c) of
    input[n, i * strides[0] + p - padding[0], j * strides[1] + q - padding[2], c]
    * filter[p, q, c, o]`, with zeros outside the input. The input is
    `(N, H, W, C)`, the filter `(KH, KW, C, O)`, the result
    `(N, (H + pt + pb - KH) / sh + 1, (W + pl + pr - KW) / sw + 1, O)`.

    ```mlir
    %0 = ej.conv2d %x, %w strides = [1, 1] padding = [2, 2, 2, 2]
        : tensor<8x28x28x1xf32>, tensor<5x5x1x32xf32>
    ```
  }];
  let arguments = (ins Ej_FloatTensor:$input, Ej_FloatTensor:$filter,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Ej_FloatTensor:$result);
  let assemblyFormat = "$input `,` $filter `strides` `=` $strides `padding` `=` "
                       "$padding attr-dict `:` type($input) `,` type($filter)";
}

def Ej_Conv2DBackpropInputOp : Ej_WindowOp<"conv2d_backprop_input"> {
  let summary = "The gradient of conv2d with respect to its input";
  let description = [{
    Given the cotangent `grad` of a `ej.conv2d` result and its filter, the
    cotangent of its input, whose type the result states (with strides > 1
    several input extents give one output extent). The input type, filter,
    strides and padding must give `grad`'s shape under `ej.conv2d`. Linear
    in each operand; its own gradients are an `ej.conv2d` and an
    `ej.conv2d_backprop_filter`.

    ```mlir
    %0 = ej.conv2d_backprop_input %g, %w strides = [2, 2] padding = [0, 1, 0, 1]
        : tensor<8x14x14x32xf32>, tensor<5x5x1x32xf32> to tensor<8x28x28x1xf32>
    ```
  }];
  let arguments = (ins Ej_FloatTensor:$grad, Ej_FloatTensor:$filter,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Ej_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $filter `strides` `=` $strides `padding` `=` "
                       "$padding attr-dict `:` type($grad) `,` type($filter) "
                       "`to` type($result)";
}

def Ej_Conv2DBackpropFilterOp : Ej_WindowOp<"conv2d_backprop_filter"> {
  let summary = "The gradient of conv2d with respect to its filter";
  let description = [{
    Given a `ej.conv2d` input and the cotangent `grad` of its result, the
    cotangent of its filter, whose type the result states. The input, filter
    type, strides and padding must give `grad`'s shape under `ej.conv2d`.

    ```mlir
    %0 = ej.conv2d_backprop_filter %x, %g strides = [1, 1] padding = [2, 2, 2, 2]
        : tensor<8x28x28x1xf32>, tensor<8x28x28x32xf32> to tensor<5x5x1x32xf32>
    ```
  }];
  let arguments = (ins Ej_FloatTensor:$input, Ej_FloatTensor:$grad,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Ej_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad `strides` `=` $strides `padding` `=` "
                       "$padding attr-dict `:` type($input) `,` type($grad) "
                       "`to` type($result)";
}

class Ej_PoolOp<string mnemonic, string what> :
    Ej_WindowOp<mnemonic, [InferTypeOpAdaptor]> {
  let summary = "2-d " # what # " pooling, NHWC";
  let description = "Each result element is the " # what # [{ of the input
    elements under a `window` (KH, KW) placed every `strides` elements, per
    batch element and channel. Padding (top, bottom, left, right) is smaller
    than the window; padded positions take no part (an average divides by
    the number of input elements under the window, as TensorFlow's SAME
    pooling does).

    ```mlir
    %0 = ej.}] # mnemonic # [{ %x window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
        : tensor<8x28x28x32xf32>
    ```
  }];
  let arguments = (ins Ej_FloatTensor:$input, DenseI64ArrayAttr:$window,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Ej_FloatTensor:$result);
  let assemblyFormat = "$input `window` `=` $window `strides` `=` $strides "
                       "`padding` `=` $padding attr-dict `:` type($input)";
}

def Ej_MaxPoolOp : Ej_PoolOp<"max_pool", "maximum">;
def Ej_AvgPoolOp : Ej_PoolOp<"avg_pool", "average">;

def Ej_MaxPoolGradOp : Ej_WindowOp<"max_pool_grad", [InferTypeOpAdaptor]> {
  let summary = "The gradient of max_pool with respect to its input";
  let description = [{
    Sends each element of `grad` (the cotangent of an `ej.max_pool` of
    `input`) to the position of its window's maximum in `input` (the first
    one, row-major, on ties), summing where windows overlap. The result has
    the input's type.

    ```mlir
    %0 = ej.max_pool_grad %x, %g window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
        : tensor<8x28x28x32xf32>, tensor<8x14x14x32xf32>
    ```
  }];
  let arguments = (ins Ej_FloatTensor:$input, Ej_FloatTensor:$grad,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding);
  let results = (outs Ej_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad `window` `=` $window `strides` `=` "
                       "$strides `padding` `=` $padding attr-dict `:` "
                       "type($input) `,` type($grad)";
}

def Ej_AvgPoolGradOp : Ej_WindowOp<"avg_pool_grad"> {
  let summary = "The gradient of avg_pool with respect to its input";
  let description = [{
    Spreads each element of `grad` (the cotangent of an `ej.avg_pool`)
    evenly over the input elements of its window; the result type is the
    pooled input's. Linear: its gradient is an `ej.avg_pool`.

    ```mlir
    %0 = ej.avg_pool_grad %g window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
        : tensor<8x14x14x32xf32> to tensor<8x28x28x32xf32>
    ```
  }];
  let arguments = (ins Ej_FloatTensor:$grad, DenseI64ArrayAttr:$window,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Ej_FloatTensor:$result);
  let assemblyFormat = "$grad `window` `=` $window `strides` `=` $strides "
                       "`padding` `=` $padding attr-dict `:` type($grad) `to` "
                       "type($result)";
}

#endif // EJ_WINDOW_OPS_TD
