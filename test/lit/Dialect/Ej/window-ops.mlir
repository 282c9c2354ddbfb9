// RUN: ej-opt %s -split-input-file | ej-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<2x28x28x1xf32>, %[[W:.*]]: tensor<5x5x1x32xf32>)
func.func @conv2d(%x: tensor<2x28x28x1xf32>, %w: tensor<5x5x1x32xf32>) -> tensor<2x28x28x32xf32> {
  // CHECK: %[[Y:.*]] = ej.conv2d %[[X]], %[[W]] strides = [1, 1] padding = [2, 2, 2, 2] : tensor<2x28x28x1xf32>, tensor<5x5x1x32xf32>
  %0 = ej.conv2d %x, %w strides = [1, 1] padding = [2, 2, 2, 2] : tensor<2x28x28x1xf32>, tensor<5x5x1x32xf32>
  // CHECK: return %[[Y]] : tensor<2x28x28x32xf32>
  return %0 : tensor<2x28x28x32xf32>
}

// -----

// Strides 2 and asymmetric padding: (7 + 0 + 1 - 3) / 2 + 1 = 3 rows.
// CHECK-LABEL: func.func @conv2d_strided
func.func @conv2d_strided(%x: tensor<1x7x6x2xf64>, %w: tensor<3x2x2x3xf64>) -> tensor<1x3x5x3xf64> {
  // CHECK: ej.conv2d %{{.*}}, %{{.*}} strides = [2, 1] padding = [0, 1, 0, 0] : tensor<1x7x6x2xf64>, tensor<3x2x2x3xf64>
  %0 = ej.conv2d %x, %w strides = [2, 1] padding = [0, 1, 0, 0] : tensor<1x7x6x2xf64>, tensor<3x2x2x3xf64>
  return %0 : tensor<1x3x5x3xf64>
}

// -----

// CHECK-LABEL: func.func @conv2d_gradients
func.func @conv2d_gradients(%x: tensor<1x7x6x2xf32>, %w: tensor<3x2x2x3xf32>, %g: tensor<1x3x5x3xf32>) -> (tensor<1x7x6x2xf32>, tensor<3x2x2x3xf32>) {
  // CHECK: ej.conv2d_backprop_input %{{.*}}, %{{.*}} strides = [2, 1] padding = [0, 1, 0, 0] : tensor<1x3x5x3xf32>, tensor<3x2x2x3xf32> to tensor<1x7x6x2xf32>
  %0 = ej.conv2d_backprop_input %g, %w strides = [2, 1] padding = [0, 1, 0, 0] : tensor<1x3x5x3xf32>, tensor<3x2x2x3xf32> to tensor<1x7x6x2xf32>
  // CHECK: ej.conv2d_backprop_filter %{{.*}}, %{{.*}} strides = [2, 1] padding = [0, 1, 0, 0] : tensor<1x7x6x2xf32>, tensor<1x3x5x3xf32> to tensor<3x2x2x3xf32>
  %1 = ej.conv2d_backprop_filter %x, %g strides = [2, 1] padding = [0, 1, 0, 0] : tensor<1x7x6x2xf32>, tensor<1x3x5x3xf32> to tensor<3x2x2x3xf32>
  return %0, %1 : tensor<1x7x6x2xf32>, tensor<3x2x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<2x5x7x3xf32>, %g: tensor<2x3x4x3xf32>) -> (tensor<2x3x4x3xf32>, tensor<2x3x4x3xf32>, tensor<2x5x7x3xf32>, tensor<2x5x7x3xf32>) {
  // CHECK: %[[M:.*]] = ej.max_pool %[[X:.*]] window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x7x3xf32>
  %0 = ej.max_pool %x window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x7x3xf32>
  // CHECK: ej.avg_pool %[[X]] window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x7x3xf32>
  %1 = ej.avg_pool %x window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x7x3xf32>
  // CHECK: ej.max_pool_grad %[[X]], %{{.*}} window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x7x3xf32>, tensor<2x3x4x3xf32>
  %2 = ej.max_pool_grad %x, %g window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x5x7x3xf32>, tensor<2x3x4x3xf32>
  // CHECK: ej.avg_pool_grad %{{.*}} window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x3x4x3xf32> to tensor<2x5x7x3xf32>
  %3 = ej.avg_pool_grad %g window = [2, 2] strides = [2, 2] padding = [0, 1, 0, 1] : tensor<2x3x4x3xf32> to tensor<2x5x7x3xf32>
  return %0, %1, %2, %3 : tensor<2x3x4x3xf32>, tensor<2x3x4x3xf32>, tensor<2x5x7x3xf32>, tensor<2x5x7x3xf32>
}
