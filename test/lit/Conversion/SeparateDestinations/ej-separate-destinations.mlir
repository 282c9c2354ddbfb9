// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-separate-destinations))' | FileCheck %s

// Two written results built on one empty tensor (a shared prefix): the
// empty tensor becomes an allocation of its own.
// CHECK-LABEL: func.func @shared_prefix
// CHECK-NOT: tensor.empty
// CHECK: %[[E:.*]] = bufferization.alloc_tensor() : tensor<6xi64>
// CHECK: %[[P:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0] [4] [1]
// CHECK: tensor.insert_slice %{{.*}} into %[[P]][4] [2] [1]
// CHECK: tensor.insert_slice %{{.*}} into %[[P]][4] [2] [1]
func.func @shared_prefix(%a: tensor<4xi64>, %b: tensor<2xi64>, %c: tensor<2xi64>,
                         %o0: memref<6xi64>, %o1: memref<6xi64>) {
  %e = tensor.empty() : tensor<6xi64>
  %p = tensor.insert_slice %a into %e[0] [4] [1] : tensor<4xi64> into tensor<6xi64>
  %0 = tensor.insert_slice %b into %p[4] [2] [1] : tensor<2xi64> into tensor<6xi64>
  %1 = tensor.insert_slice %c into %p[4] [2] [1] : tensor<2xi64> into tensor<6xi64>
  bufferization.materialize_in_destination %0 in restrict writable %o0 : (tensor<6xi64>, memref<6xi64>) -> ()
  bufferization.materialize_in_destination %1 in restrict writable %o1 : (tensor<6xi64>, memref<6xi64>) -> ()
  return
}

// -----

// The second result reaches the shared prefix through a view.
// CHECK-LABEL: func.func @through_a_view
// CHECK: bufferization.alloc_tensor() : tensor<6xi64>
// CHECK-NOT: tensor.empty
func.func @through_a_view(%a: tensor<4xi64>, %b: tensor<2xi64>, %c: tensor<2xi64>,
                          %o0: memref<6xi64>, %o1: memref<2x3xi64>) {
  %e = tensor.empty() : tensor<6xi64>
  %p = tensor.insert_slice %a into %e[0] [4] [1] : tensor<4xi64> into tensor<6xi64>
  %0 = tensor.insert_slice %b into %p[4] [2] [1] : tensor<2xi64> into tensor<6xi64>
  %1 = tensor.insert_slice %c into %p[4] [2] [1] : tensor<2xi64> into tensor<6xi64>
  %2 = tensor.expand_shape %1 [[0, 1]] output_shape [2, 3] : tensor<6xi64> into tensor<2x3xi64>
  bufferization.materialize_in_destination %0 in restrict writable %o0 : (tensor<6xi64>, memref<6xi64>) -> ()
  bufferization.materialize_in_destination %2 in restrict writable %o1 : (tensor<2x3xi64>, memref<2x3xi64>) -> ()
  return
}

// -----

// One empty tensor (as CSE leaves it) under two results, one each: it
// stays, for eliminate-empty-tensors to build each result in its output
// buffer.
// CHECK-LABEL: func.func @one_result_per_use
// CHECK: tensor.empty
// CHECK-NOT: alloc_tensor
func.func @one_result_per_use(%a: tensor<4xf32>, %o0: memref<4xf32>, %o1: memref<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.copy ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %1 = linalg.copy ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  bufferization.materialize_in_destination %0 in restrict writable %o0 : (tensor<4xf32>, memref<4xf32>) -> ()
  bufferization.materialize_in_destination %1 in restrict writable %o1 : (tensor<4xf32>, memref<4xf32>) -> ()
  return
}
