// RUN: ej-opt --ej-autodiff --split-input-file %s | FileCheck %s

// conv2d's cotangents are its two gradient ops, with its strides and
// padding.
// CHECK-LABEL: func.func @conv_grad
// CHECK-SAME: (%[[X:.*]]: tensor<1x5x4x2xf32>, %[[W:.*]]: tensor<3x2x2x3xf32>)
// CHECK: %[[G:.*]] = ej.fill 1.000000e+00 : tensor<1x3x4x3xf32>
// CHECK: %[[DX:.*]] = ej.conv2d_backprop_input %[[G]], %[[W]] strides = [2, 1] padding = [1, 1, 0, 1] : tensor<1x3x4x3xf32>, tensor<3x2x2x3xf32> to tensor<1x5x4x2xf32>
// CHECK: %[[DW:.*]] = ej.conv2d_backprop_filter %[[X]], %[[G]] strides = [2, 1] padding = [1, 1, 0, 1] : tensor<1x5x4x2xf32>, tensor<1x3x4x3xf32> to tensor<3x2x2x3xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DW]]
func.func @conv(%x: tensor<1x5x4x2xf32>, %w: tensor<3x2x2x3xf32>) -> tensor<1x3x4x3xf32> {
  %0 = ej.conv2d %x, %w strides = [2, 1] padding = [1, 1, 0, 1] : tensor<1x5x4x2xf32>, tensor<3x2x2x3xf32>
  return %0 : tensor<1x3x4x3xf32>
}

// -----

// The gradient ops are bilinear: each one's cotangents are the other two
// conv ops.
// CHECK-LABEL: func.func @backprop_input_grad
// CHECK-SAME: (%[[G:.*]]: tensor<1x3x4x3xf32>, %[[W:.*]]: tensor<3x2x2x3xf32>)
// CHECK: %[[C:.*]] = ej.fill 1.000000e+00 : tensor<1x5x4x2xf32>
// CHECK: %[[DG:.*]] = ej.conv2d %[[C]], %[[W]] strides = [2, 1] padding = [1, 1, 0, 1]
// CHECK: %[[DW:.*]] = ej.conv2d_backprop_filter %[[C]], %[[G]] strides = [2, 1] padding = [1, 1, 0, 1] : tensor<1x5x4x2xf32>, tensor<1x3x4x3xf32> to tensor<3x2x2x3xf32>
// CHECK: return %{{.*}}, %[[DG]], %[[DW]]
func.func @backprop_input(%g: tensor<1x3x4x3xf32>, %w: tensor<3x2x2x3xf32>) -> tensor<1x5x4x2xf32> {
  %0 = ej.conv2d_backprop_input %g, %w strides = [2, 1] padding = [1, 1, 0, 1] : tensor<1x3x4x3xf32>, tensor<3x2x2x3xf32> to tensor<1x5x4x2xf32>
  return %0 : tensor<1x5x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @backprop_filter_grad
// CHECK-SAME: (%[[X:.*]]: tensor<1x5x4x2xf32>, %[[G:.*]]: tensor<1x3x4x3xf32>)
// CHECK: %[[C:.*]] = ej.fill 1.000000e+00 : tensor<3x2x2x3xf32>
// CHECK: %[[DX:.*]] = ej.conv2d_backprop_input %[[G]], %[[C]] strides = [2, 1] padding = [1, 1, 0, 1] : tensor<1x3x4x3xf32>, tensor<3x2x2x3xf32> to tensor<1x5x4x2xf32>
// CHECK: %[[DG:.*]] = ej.conv2d %[[X]], %[[C]] strides = [2, 1] padding = [1, 1, 0, 1]
// CHECK: return %{{.*}}, %[[DX]], %[[DG]]
func.func @backprop_filter(%x: tensor<1x5x4x2xf32>, %g: tensor<1x3x4x3xf32>) -> tensor<3x2x2x3xf32> {
  %0 = ej.conv2d_backprop_filter %x, %g strides = [2, 1] padding = [1, 1, 0, 1] : tensor<1x5x4x2xf32>, tensor<1x3x4x3xf32> to tensor<3x2x2x3xf32>
  return %0 : tensor<3x2x2x3xf32>
}

// -----

// Max pooling sends the cotangent to each window's maximum; average
// pooling spreads it.
// CHECK-LABEL: func.func @pools_grad
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x5x3xf64>)
// CHECK: %[[G:.*]] = ej.fill 1.000000e+00 : tensor<2x3x3x3xf64>
// CHECK: %[[DA:.*]] = ej.avg_pool_grad %[[G]] window = [3, 3] strides = [2, 2] padding = [1, 1, 1, 1] : tensor<2x3x3x3xf64> to tensor<2x5x5x3xf64>
// CHECK: %[[DM:.*]] = ej.max_pool_grad %[[X]], %[[G]] window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x5x3xf64>, tensor<2x3x3x3xf64>
// CHECK: %[[D:.*]] = ej.add %[[DA]], %[[DM]]
// CHECK: return %{{.*}}, %[[D]]
func.func @pools(%x: tensor<2x5x5x3xf64>) -> tensor<2x3x3x3xf64> {
  %0 = ej.max_pool %x window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x5x3xf64>
  %1 = ej.avg_pool %x window = [3, 3] strides = [2, 2] padding = [1, 1, 1, 1] : tensor<2x5x5x3xf64>
  %2 = ej.add %0, %1 : tensor<2x3x3x3xf64>, tensor<2x3x3x3xf64>
  return %2 : tensor<2x3x3x3xf64>
}

// -----

// avg_pool_grad's cotangent is an avg_pool of it.
// CHECK-LABEL: func.func @avg_pool_grad_grad
// CHECK: %[[C:.*]] = ej.fill 1.000000e+00 : tensor<1x4x4x1xf32>
// CHECK: %[[D:.*]] = ej.avg_pool %[[C]] window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x4x4x1xf32>
// CHECK: return %{{.*}}, %[[D]]
func.func @avg_pool_grad(%g: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  %0 = ej.avg_pool_grad %g window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x2x2x1xf32> to tensor<1x4x4x1xf32>
  return %0 : tensor<1x4x4x1xf32>
}
