// RUN: ej-opt %s -split-input-file | ej-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @constant
func.func @constant() -> tensor<2x2xf32> {
  // CHECK: %[[C:.*]] = ej.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = ej.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: return %[[C]]
  return %0 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[R:.*]] = ej.add %[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>
  %0 = ej.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
  // CHECK: return %[[R]] : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @mul_outer
func.func @mul_outer(%a: tensor<4x1xf64>, %b: tensor<1x5xf64>) -> tensor<4x5xf64> {
  // CHECK: ej.mul %{{.*}}, %{{.*}} : tensor<4x1xf64>, tensor<1x5xf64>
  %0 = ej.mul %a, %b : tensor<4x1xf64>, tensor<1x5xf64>
  return %0 : tensor<4x5xf64>
}

// -----

// CHECK-LABEL: func.func @integers_and_scalars
func.func @integers_and_scalars(%a: tensor<i32>, %b: tensor<7xi32>) -> tensor<7xi32> {
  // CHECK: ej.add %{{.*}}, %{{.*}} : tensor<i32>, tensor<7xi32>
  %0 = ej.add %a, %b : tensor<i32>, tensor<7xi32>
  return %0 : tensor<7xi32>
}
