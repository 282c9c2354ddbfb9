// RUN: ej-opt %s -split-input-file --convert-ej-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3x2xf32>)
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[I:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<4x2xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x3xf32>, tensor<3x2xf32>) outs(%[[I]] : tensor<4x2xf32>)
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<4x3xf32>, %b: tensor<3x2xf32>) -> tensor<4x2xf32> {
  %0 = ej.matmul %a, %b : tensor<4x3xf32>, tensor<3x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// A right operand without batch axes: the left one's batch folds into rows.
// CHECK-LABEL: func.func @batch_times_matrix
// CHECK-SAME: (%[[A:.*]]: tensor<2x4x3xf64>, %[[B:.*]]: tensor<3x5xf64>)
// CHECK: %[[A2:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : tensor<2x4x3xf64> into tensor<8x3xf64>
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A2]], %[[B]] : tensor<8x3xf64>, tensor<3x5xf64>)
// CHECK: tensor.expand_shape %[[R]] {{\[\[}}0, 1], [2]] output_shape [2, 4, 5] : tensor<8x5xf64> into tensor<2x4x5xf64>
func.func @batch_times_matrix(%a: tensor<2x4x3xf64>, %b: tensor<3x5xf64>) -> tensor<2x4x5xf64> {
  %0 = ej.matmul %a, %b : tensor<2x4x3xf64>, tensor<3x5xf64>
  return %0 : tensor<2x4x5xf64>
}

// -----

// Batch axes that broadcast are copied out to the result's batch, then
// flattened into one for linalg.batch_matmul.
// CHECK-LABEL: func.func @broadcast_batches
// CHECK-SAME: (%[[A:.*]]: tensor<2x1x4x3xf32>, %[[B:.*]]: tensor<5x3x2xf32>)
// CHECK: %[[AB:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<2x1x4x3xf32>) outs(%{{.*}} : tensor<2x5x4x3xf32>)
// CHECK: %[[A3:.*]] = tensor.collapse_shape %[[AB]] {{\[\[}}0, 1], [2], [3]] : tensor<2x5x4x3xf32> into tensor<10x4x3xf32>
// CHECK: %[[BB:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<5x3x2xf32>) outs(%{{.*}} : tensor<2x5x3x2xf32>)
// CHECK: %[[B3:.*]] = tensor.collapse_shape %[[BB]] {{\[\[}}0, 1], [2], [3]] : tensor<2x5x3x2xf32> into tensor<10x3x2xf32>
// CHECK: %[[R:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<10x4x3xf32>, tensor<10x3x2xf32>)
// CHECK: tensor.expand_shape %[[R]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 5, 4, 2]
func.func @broadcast_batches(%a: tensor<2x1x4x3xf32>, %b: tensor<5x3x2xf32>) -> tensor<2x5x4x2xf32> {
  %0 = ej.matmul %a, %b : tensor<2x1x4x3xf32>, tensor<5x3x2xf32>
  return %0 : tensor<2x5x4x2xf32>
}

// -----

// Integer matmuls are linalg too (they become loops, not BLAS calls).
// CHECK-LABEL: func.func @int_matmul
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<3x2xi32>)
func.func @int_matmul(%a: tensor<2x3xi32>, %b: tensor<3x2xi32>) -> tensor<2x2xi32> {
  %0 = ej.matmul %a, %b : tensor<2x3xi32>, tensor<3x2xi32>
  return %0 : tensor<2x2xi32>
}
