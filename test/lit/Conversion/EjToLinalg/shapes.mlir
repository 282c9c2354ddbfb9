// RUN: ej-opt %s -split-input-file --convert-ej-to-linalg | FileCheck %s

// A reshape is a collapse or an expand where one does; otherwise through
// one axis.
// CHECK-LABEL: func.func @reshapes
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
// CHECK: return %[[C]], %[[E]]
func.func @reshapes(%a: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<4x6xf32>) {
  %0 = ej.reshape %a : tensor<2x3x4xf32> to tensor<6x4xf32>
  %1 = ej.reshape %a : tensor<2x3x4xf32> to tensor<4x6xf32>
  return %0, %1 : tensor<6x4xf32>, tensor<4x6xf32>
}

// -----

// Result axis i is operand axis perm[i].
// CHECK-DAG: #[[PERM:.*]] = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
// CHECK-LABEL: func.func @transpose
// CHECK: linalg.generic {indexing_maps = [#[[PERM]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<3x4x2xf32>)
func.func @transpose(%a: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = ej.transpose %a perm = [1, 2, 0] : tensor<2x3x4xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

// Positive steps: a strided extract_slice; a negative step: a generic
// reading start + step * i.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (d0 * 2 + 1, -d1 + 3)>
// CHECK-LABEL: func.func @slices
// CHECK-SAME: (%[[A:.*]]: tensor<6x4xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[A]][1, 0] [3, 2] [2, 2] : tensor<6x4xf32> to tensor<3x2xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[REV]], #{{.*}}]
// CHECK-SAME: ins(%[[A]] : tensor<6x4xf32>) outs(%{{.*}} : tensor<3x4xf32>)
// CHECK: return %[[S]], %[[R]]
func.func @slices(%a: tensor<6x4xf32>) -> (tensor<3x2xf32>, tensor<3x4xf32>) {
  %0 = ej.slice %a starts = [1, 0] steps = [2, 2] : tensor<6x4xf32> to tensor<3x2xf32>
  %1 = ej.slice %a starts = [1, 3] steps = [2, -1] : tensor<6x4xf32> to tensor<3x4xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x1xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[I:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: %[[J:.*]] = tensor.insert_slice %[[B]] into %[[I]][0, 3] [2, 1] [1, 1]
// CHECK: return %[[J]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> tensor<2x4xf32> {
  %0 = ej.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<2x1xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// pad: a fill with the value in the element type, then the operand.
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[A:.*]]: tensor<2x2xi32>)
// CHECK: %[[V:.*]] = arith.constant -3 : i32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[V]] : i32) outs(%{{.*}} : tensor<3x4xi32>)
// CHECK: tensor.insert_slice %[[A]] into %[[F]][1, 0] [2, 2] [1, 1]
func.func @pad(%a: tensor<2x2xi32>) -> tensor<3x4xi32> {
  %0 = ej.pad %a low = [1, 0] high = [0, 2] value = -3.7 : tensor<2x2xi32>
  return %0 : tensor<3x4xi32>
}

// -----

// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @broadcast_to
// CHECK: linalg.generic {indexing_maps = [#[[B]], #{{.*}}]
// CHECK-NEXT: ^bb0(%[[X:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: linalg.yield %[[X]] : f64
func.func @broadcast_to(%a: tensor<3xf64>) -> tensor<2x3xf64> {
  %0 = ej.broadcast_to %a : tensor<3xf64> to tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

// Creation ops, and copies, which are their operand as values (a small
// fill folds to a constant on the way).
// CHECK-LABEL: func.func @creation_and_copies
// CHECK-SAME: (%[[A:.*]]: tensor<2xf32>)
// CHECK: %[[F:.*]] = arith.constant dense<true> : tensor<2x2xi1>
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[F]], %[[C]], %[[A]], %[[A]]
func.func @creation_and_copies(%a: tensor<2xf32>) -> (tensor<2x2xi1>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %0 = ej.fill 2.0 : tensor<2x2xi1>
  %1 = ej.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %2 = ej.copy %a : tensor<2xf32>
  %3 = ej.stop_gradient %a : tensor<2xf32>
  return %0, %1, %2, %3 : tensor<2x2xi1>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// A fusion region is its body.
// CHECK-LABEL: func.func @fusion_is_inlined
// CHECK-NOT: ej.
// CHECK: math.exp
// CHECK: math.tanh
// CHECK-NOT: ej.
func.func @fusion_is_inlined(%a: tensor<8xf32>) -> tensor<8xf32> {
  %r = ej.fusion (%a) : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    %e = ej.exp %x : tensor<8xf32>
    %t = ej.tanh %e : tensor<8xf32>
    ej.yield %t : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}
