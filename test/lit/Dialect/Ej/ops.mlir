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

// -----

// CHECK-LABEL: func.func @unary_float
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
func.func @unary_float(%x: tensor<4x8xf32>) {
  // CHECK: ej.exp %[[X]] : tensor<4x8xf32>
  %exp = ej.exp %x : tensor<4x8xf32>
  // CHECK: ej.log %[[X]] : tensor<4x8xf32>
  %log = ej.log %x : tensor<4x8xf32>
  // CHECK: ej.sqrt %[[X]] : tensor<4x8xf32>
  %sqrt = ej.sqrt %x : tensor<4x8xf32>
  // CHECK: ej.rsqrt %[[X]] : tensor<4x8xf32>
  %rsqrt = ej.rsqrt %x : tensor<4x8xf32>
  // CHECK: ej.tanh %[[X]] : tensor<4x8xf32>
  %tanh = ej.tanh %x : tensor<4x8xf32>
  // CHECK: ej.sigmoid %[[X]] : tensor<4x8xf32>
  %sigmoid = ej.sigmoid %x : tensor<4x8xf32>
  // CHECK: ej.sin %[[X]] : tensor<4x8xf32>
  %sin = ej.sin %x : tensor<4x8xf32>
  // CHECK: ej.cos %[[X]] : tensor<4x8xf32>
  %cos = ej.cos %x : tensor<4x8xf32>
  // CHECK: ej.erf %[[X]] : tensor<4x8xf32>
  %erf = ej.erf %x : tensor<4x8xf32>
  // CHECK: ej.floor %[[X]] : tensor<4x8xf32>
  %floor = ej.floor %x : tensor<4x8xf32>
  // CHECK: ej.ceil %[[X]] : tensor<4x8xf32>
  %ceil = ej.ceil %x : tensor<4x8xf32>
  return
}

// -----

// CHECK-LABEL: func.func @unary_numbers
// CHECK-SAME: (%[[X:.*]]: tensor<16xi32>, %[[Y:.*]]: tensor<2xf64>)
func.func @unary_numbers(%x: tensor<16xi32>, %y: tensor<2xf64>) {
  // CHECK: ej.neg %[[X]] : tensor<16xi32>
  %neg = ej.neg %x : tensor<16xi32>
  // CHECK: ej.neg %[[Y]] : tensor<2xf64>
  %neg_f = ej.neg %y : tensor<2xf64>
  // CHECK: ej.abs %[[X]] : tensor<16xi32>
  %abs = ej.abs %x : tensor<16xi32>
  // CHECK: ej.abs %[[Y]] : tensor<2xf64>
  %abs_f = ej.abs %y : tensor<2xf64>
  // CHECK: ej.square %[[X]] : tensor<16xi32>
  %square = ej.square %x : tensor<16xi32>
  // CHECK: ej.square %[[Y]] : tensor<2xf64>
  %square_f = ej.square %y : tensor<2xf64>
  // CHECK: ej.relu %[[X]] : tensor<16xi32>
  %relu = ej.relu %x : tensor<16xi32>
  // CHECK: ej.relu %[[Y]] : tensor<2xf64>
  %relu_f = ej.relu %y : tensor<2xf64>
  // CHECK: ej.sign %[[X]] : tensor<16xi32>
  %sign = ej.sign %x : tensor<16xi32>
  // CHECK: ej.sign %[[Y]] : tensor<2xf64>
  %sign_f = ej.sign %y : tensor<2xf64>
  return
}

// -----

// CHECK-LABEL: func.func @logical
func.func @logical(%a: tensor<3xi1>, %b: tensor<2x3xi1>) -> tensor<2x3xi1> {
  // CHECK: ej.logical_not %{{.*}} : tensor<3xi1>
  %0 = ej.logical_not %a : tensor<3xi1>
  // CHECK: ej.logical_and %{{.*}}, %{{.*}} : tensor<3xi1>, tensor<2x3xi1>
  %1 = ej.logical_and %0, %b : tensor<3xi1>, tensor<2x3xi1>
  // CHECK: ej.logical_or %{{.*}}, %{{.*}} : tensor<2x3xi1>, tensor<3xi1>
  %2 = ej.logical_or %1, %a : tensor<2x3xi1>, tensor<3xi1>
  return %2 : tensor<2x3xi1>
}

// -----

// CHECK-LABEL: func.func @binary_broadcast
func.func @binary_broadcast(%a: tensor<2x1xi64>, %b: tensor<3xi64>, %f: tensor<8xf32>, %s: tensor<f32>) {
  // CHECK: %{{.*}} = ej.add %{{.*}}, %{{.*}} : tensor<2x1xi64>, tensor<3xi64>
  %add = ej.add %a, %b : tensor<2x1xi64>, tensor<3xi64>
  // CHECK: %{{.*}} = ej.sub %{{.*}}, %{{.*}} : tensor<2x1xi64>, tensor<3xi64>
  %sub = ej.sub %a, %b : tensor<2x1xi64>, tensor<3xi64>
  // CHECK: %{{.*}} = ej.mul %{{.*}}, %{{.*}} : tensor<2x1xi64>, tensor<3xi64>
  %mul = ej.mul %a, %b : tensor<2x1xi64>, tensor<3xi64>
  // CHECK: %{{.*}} = ej.pow %{{.*}}, %{{.*}} : tensor<2x1xi64>, tensor<3xi64>
  %pow = ej.pow %a, %b : tensor<2x1xi64>, tensor<3xi64>
  // CHECK: %{{.*}} = ej.maximum %{{.*}}, %{{.*}} : tensor<2x1xi64>, tensor<3xi64>
  %maximum = ej.maximum %a, %b : tensor<2x1xi64>, tensor<3xi64>
  // CHECK: %{{.*}} = ej.minimum %{{.*}}, %{{.*}} : tensor<2x1xi64>, tensor<3xi64>
  %minimum = ej.minimum %a, %b : tensor<2x1xi64>, tensor<3xi64>
  // CHECK: ej.div %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<f32>
  %div = ej.div %f, %s : tensor<8xf32>, tensor<f32>
  return
}

// -----

// The result types are inferred: the generic form shows them.
// RUN: ej-opt %s -split-input-file -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// GENERIC-LABEL: sym_name = "inferred_types"
func.func @inferred_types(%a: tensor<2x1xf32>, %b: tensor<3xf32>, %c: tensor<3xi1>) {
  // GENERIC: "ej.sub"(%{{.*}}, %{{.*}}) : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = ej.sub %a, %b : tensor<2x1xf32>, tensor<3xf32>
  // GENERIC: "ej.less"(%{{.*}}, %{{.*}}) : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = ej.less %a, %b : tensor<2x1xf32>, tensor<3xf32>
  // GENERIC: "ej.where"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<3xi1>, tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = ej.where %c, %a, %b : tensor<3xi1>, tensor<2x1xf32>, tensor<3xf32>
  // GENERIC: "ej.exp"(%{{.*}}) : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %3 = ej.exp %a : tensor<2x1xf32>
  return
}

// -----

// CHECK-LABEL: func.func @comparisons
func.func @comparisons(%a: tensor<2x3xf32>, %b: tensor<f32>, %i: tensor<4xi32>) {
  // CHECK: ej.equal %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>
  %equal = ej.equal %a, %b : tensor<2x3xf32>, tensor<f32>
  // CHECK: ej.not_equal %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>
  %not_equal = ej.not_equal %a, %b : tensor<2x3xf32>, tensor<f32>
  // CHECK: ej.less %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>
  %less = ej.less %a, %b : tensor<2x3xf32>, tensor<f32>
  // CHECK: ej.less_equal %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>
  %less_equal = ej.less_equal %a, %b : tensor<2x3xf32>, tensor<f32>
  // CHECK: ej.greater %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>
  %greater = ej.greater %a, %b : tensor<2x3xf32>, tensor<f32>
  // CHECK: ej.greater_equal %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>
  %greater_equal = ej.greater_equal %a, %b : tensor<2x3xf32>, tensor<f32>
  // CHECK: ej.equal %{{.*}}, %{{.*}} : tensor<4xi32>, tensor<4xi32>
  %ieq = ej.equal %i, %i : tensor<4xi32>, tensor<4xi32>
  return
}

// -----

// CHECK-LABEL: func.func @where_and_cast
func.func @where_and_cast(%c: tensor<4xi1>, %a: tensor<3x4xf32>, %b: tensor<3x1xf32>) -> tensor<3x4xi32> {
  // CHECK: %[[W:.*]] = ej.where %{{.*}}, %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<3x4xf32>, tensor<3x1xf32>
  %0 = ej.where %c, %a, %b : tensor<4xi1>, tensor<3x4xf32>, tensor<3x1xf32>
  // CHECK: ej.cast %[[W]] : tensor<3x4xf32> to tensor<3x4xi32>
  %1 = ej.cast %0 : tensor<3x4xf32> to tensor<3x4xi32>
  return %1 : tensor<3x4xi32>
}

// -----

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<3x4xf32>, %i: tensor<5xi64>) {
  // CHECK: ej.reduce_sum %{{.*}} axes = [1] : tensor<3x4xf32>
  %0 = ej.reduce_sum %x axes = [1] : tensor<3x4xf32>
  // CHECK: ej.reduce_mean %{{.*}} axes = [0, 1] keepdims : tensor<3x4xf32>
  %1 = ej.reduce_mean %x axes = [0, 1] keepdims : tensor<3x4xf32>
  // CHECK: ej.reduce_max %{{.*}} axes = [] : tensor<3x4xf32>
  %2 = ej.reduce_max %x axes = [] : tensor<3x4xf32>
  // CHECK: ej.reduce_min %{{.*}} axes = [0] : tensor<5xi64>
  %3 = ej.reduce_min %i axes = [0] : tensor<5xi64>
  // CHECK: ej.reduce_prod %{{.*}} axes = [0] keepdims : tensor<3x4xf32>
  %4 = ej.reduce_prod %x axes = [0] keepdims : tensor<3x4xf32>
  // CHECK: ej.argmax %{{.*}} axis = 1 : tensor<3x4xf32>
  %5 = ej.argmax %x axis = 1 : tensor<3x4xf32>
  // CHECK: ej.argmin %{{.*}} axis = 0 : tensor<5xi64>
  %6 = ej.argmin %i axis = 0 : tensor<5xi64>
  return
}

// -----

// GENERIC-LABEL: sym_name = "inferred_reductions"
func.func @inferred_reductions(%x: tensor<3x4xf32>) {
  // GENERIC: "ej.reduce_sum"(%{{.*}}) <{axes = array<i64: 1>}> : (tensor<3x4xf32>) -> tensor<3xf32>
  %0 = ej.reduce_sum %x axes = [1] : tensor<3x4xf32>
  // GENERIC: "ej.reduce_mean"(%{{.*}}) <{axes = array<i64: 0, 1>, keepdims}> : (tensor<3x4xf32>) -> tensor<1x1xf32>
  %1 = ej.reduce_mean %x axes = [0, 1] keepdims : tensor<3x4xf32>
  // GENERIC: "ej.reduce_max"(%{{.*}}) <{axes = array<i64>}> : (tensor<3x4xf32>) -> tensor<f32>
  %2 = ej.reduce_max %x axes = [] : tensor<3x4xf32>
  // GENERIC: "ej.argmax"(%{{.*}}) <{axis = 1 : i64}> : (tensor<3x4xf32>) -> tensor<3xi64>
  %3 = ej.argmax %x axis = 1 : tensor<3x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @linalg_and_shapes
func.func @linalg_and_shapes(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %v: tensor<3xi32>) {
  // CHECK: ej.matmul %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<4x5xf32>
  %0 = ej.matmul %a, %b : tensor<2x3x4xf32>, tensor<4x5xf32>
  // CHECK: ej.transpose %{{.*}} perm = [2, 0, 1] : tensor<2x3x4xf32>
  %1 = ej.transpose %a perm = [2, 0, 1] : tensor<2x3x4xf32>
  // CHECK: ej.reshape %{{.*}} : tensor<2x3x4xf32> to tensor<6x4xf32>
  %2 = ej.reshape %a : tensor<2x3x4xf32> to tensor<6x4xf32>
  // CHECK: ej.broadcast_to %{{.*}} : tensor<3xi32> to tensor<2x3xi32>
  %3 = ej.broadcast_to %v : tensor<3xi32> to tensor<2x3xi32>
  return
}

// -----

// GENERIC-LABEL: sym_name = "inferred_linalg"
func.func @inferred_linalg(%a: tensor<2x3x4xf32>, %b: tensor<5x1x4x6xf32>) {
  // GENERIC: "ej.matmul"(%{{.*}}, %{{.*}}) : (tensor<2x3x4xf32>, tensor<5x1x4x6xf32>) -> tensor<5x2x3x6xf32>
  %0 = ej.matmul %a, %b : tensor<2x3x4xf32>, tensor<5x1x4x6xf32>
  // GENERIC: "ej.transpose"(%{{.*}}) <{perm = array<i64: 2, 0, 1>}> : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %1 = ej.transpose %a perm = [2, 0, 1] : tensor<2x3x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<6x4xf32>, %a: tensor<2x3xf32>, %b: tensor<2x1xf32>, %p: tensor<5x3xf32>, %i: tensor<2xi64>, %h: tensor<4xi32>) {
  // CHECK: ej.slice %{{.*}} starts = [1, 3] steps = [2, -1] : tensor<6x4xf32> to tensor<3x4xf32>
  %0 = ej.slice %x starts = [1, 3] steps = [2, -1] : tensor<6x4xf32> to tensor<3x4xf32>
  // CHECK: ej.concat %{{.*}}, %{{.*}} axis = 1 : tensor<2x3xf32>, tensor<2x1xf32>
  %1 = ej.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<2x1xf32>
  // CHECK: ej.gather %{{.*}}, %{{.*}} axis = 0 : tensor<5x3xf32>, tensor<2xi64>
  %2 = ej.gather %p, %i axis = 0 : tensor<5x3xf32>, tensor<2xi64>
  // CHECK: ej.one_hot %{{.*}} on = 1.000000e+00 off = 0.000000e+00 : tensor<4xi32> to tensor<4x3xf32>
  %3 = ej.one_hot %h on = 1.0 off = 0.0 : tensor<4xi32> to tensor<4x3xf32>
  // CHECK: ej.pad %{{.*}} low = [1, 0] high = [0, 2] value = 0.000000e+00 : tensor<2x3xf32>
  %4 = ej.pad %a low = [1, 0] high = [0, 2] value = 0.0 : tensor<2x3xf32>
  // CHECK: ej.copy %{{.*}} : tensor<2x3xf32>
  %5 = ej.copy %a : tensor<2x3xf32>
  // CHECK: ej.stop_gradient %{{.*}} : tensor<2x3xf32>
  %6 = ej.stop_gradient %a : tensor<2x3xf32>
  return
}

// -----

// GENERIC-LABEL: sym_name = "inferred_data_movement"
func.func @inferred_data_movement(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>, %p: tensor<5x3xf32>, %i: tensor<2x2xi32>) {
  // GENERIC: "ej.concat"(%{{.*}}, %{{.*}}) <{axis = 1 : i64}> : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %0 = ej.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<2x1xf32>
  // GENERIC: "ej.gather"(%{{.*}}, %{{.*}}) <{axis = 1 : i64}> : (tensor<5x3xf32>, tensor<2x2xi32>) -> tensor<5x2x2xf32>
  %1 = ej.gather %p, %i axis = 1 : tensor<5x3xf32>, tensor<2x2xi32>
  // GENERIC: "ej.pad"(%{{.*}}) {{.*}} : (tensor<2x3xf32>) -> tensor<3x5xf32>
  %2 = ej.pad %a low = [1, 0] high = [0, 2] value = 0.0 : tensor<2x3xf32>
  return
}

// -----

// CHECK-LABEL: func.func @creation
func.func @creation(%seed: tensor<i64>, %offset: tensor<i64>) {
  // CHECK: ej.fill 1.500000e+00 : tensor<2x3xf32>
  %0 = ej.fill 1.5 : tensor<2x3xf32>
  // CHECK: ej.arange start = 0.000000e+00 step = 2.000000e+00 : tensor<5xi32>
  %1 = ej.arange start = 0.0 step = 2.0 : tensor<5xi32>
  // CHECK: ej.linspace start = 0.000000e+00 stop = 1.000000e+00 : tensor<5xf32>
  %2 = ej.linspace start = 0.0 stop = 1.0 : tensor<5xf32>
  // CHECK: ej.eye : tensor<3x4xf64>
  %3 = ej.eye : tensor<3x4xf64>
  // CHECK: ej.random_uniform %{{.*}}, %{{.*}} minval = 0.000000e+00 maxval = 1.000000e+00 : tensor<5x3xf32>
  %4 = ej.random_uniform %seed, %offset minval = 0.0 maxval = 1.0 : tensor<5x3xf32>
  // CHECK: ej.random_normal %{{.*}}, %{{.*}} mean = 0.000000e+00 stddev = 2.000000e+00 : tensor<8xf64>
  %5 = ej.random_normal %seed, %offset mean = 0.0 stddev = 2.0 : tensor<8xf64>
  return
}
