// RUN: ej-opt %s -split-input-file | ej-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @fused_chain
// CHECK-SAME: (%[[A:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
func.func @fused_chain(%a: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<8xf32>, tensor<f32>) {
  // CHECK: %[[R:.*]]:2 = ej.fusion(%[[A]], %[[B]]) : (tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<f32>) {
  // CHECK: ^bb0(%[[X:.*]]: tensor<8xf32>, %[[Y:.*]]: tensor<8xf32>):
  // CHECK: %[[S:.*]] = ej.add %[[X]], %[[Y]]
  // CHECK: %[[E:.*]] = ej.exp %[[S]]
  // CHECK: %[[M:.*]] = ej.reduce_max %[[E]] axes = [0]
  // CHECK: ej.yield %[[E]], %[[M]] : tensor<8xf32>, tensor<f32>
  %r:2 = ej.fusion (%a, %b) : (tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<f32>) {
  ^bb0(%x: tensor<8xf32>, %y: tensor<8xf32>):
    %s = ej.add %x, %y : tensor<8xf32>, tensor<8xf32>
    %e = ej.exp %s : tensor<8xf32>
    %m = ej.reduce_max %e axes = [0] : tensor<8xf32>
    ej.yield %e, %m : tensor<8xf32>, tensor<f32>
  }
  // CHECK: return %[[R]]#0, %[[R]]#1
  return %r#0, %r#1 : tensor<8xf32>, tensor<f32>
}
