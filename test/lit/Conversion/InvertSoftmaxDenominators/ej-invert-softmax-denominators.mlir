// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-invert-softmax-denominators))' | FileCheck %s

// A softmax (the maximum through a stop_gradient, as the API records it):
// the division by the row sums becomes a product with their reciprocals.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[E:.*]] = ej.exp
// CHECK: %[[S:.*]] = ej.reduce_sum %[[E]] axes = [1] keepdims
// CHECK: %[[ONE:.*]] = ej.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[R:.*]] = ej.div %[[ONE]], %[[S]] : tensor<f32>, tensor<4x1xf32>
// CHECK: %[[Q:.*]] = ej.mul %[[E]], %[[R]] : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK: return %[[Q]]
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %m = ej.reduce_max %x axes = [1] keepdims : tensor<4x8xf32>
  %ms = ej.stop_gradient %m : tensor<4x1xf32>
  %d = ej.sub %x, %ms : tensor<4x8xf32>, tensor<4x1xf32>
  %e = ej.exp %d : tensor<4x8xf32>
  %s = ej.reduce_sum %e axes = [1] keepdims : tensor<4x8xf32>
  %q = ej.div %e, %s : tensor<4x8xf32>, tensor<4x1xf32>
  return %q : tensor<4x8xf32>
}

// -----

// Without the stop_gradient, over two trailing axes, in float64.
// CHECK-LABEL: func.func @softmax_two_axes_f64
// CHECK: %[[S:.*]] = ej.reduce_sum %{{.*}} axes = [1, 2] keepdims
// CHECK: %[[ONE:.*]] = ej.constant dense<1.000000e+00> : tensor<f64>
// CHECK: %[[R:.*]] = ej.div %[[ONE]], %[[S]]
// CHECK: ej.mul %{{.*}}, %[[R]] : tensor<2x3x5xf64>, tensor<2x1x1xf64>
// CHECK-NOT: ej.div
func.func @softmax_two_axes_f64(%x: tensor<2x3x5xf64>) -> tensor<2x3x5xf64> {
  %m = ej.reduce_max %x axes = [1, 2] keepdims : tensor<2x3x5xf64>
  %d = ej.sub %x, %m : tensor<2x3x5xf64>, tensor<2x1x1xf64>
  %e = ej.exp %d : tensor<2x3x5xf64>
  %s = ej.reduce_sum %e axes = [1, 2] keepdims : tensor<2x3x5xf64>
  %q = ej.div %e, %s : tensor<2x3x5xf64>, tensor<2x1x1xf64>
  return %q : tensor<2x3x5xf64>
}

// -----

// Without the maximum subtracted, a row's sum may be below 2^-128 (or 0):
// its reciprocal would overflow, so the division stays.
// CHECK-LABEL: func.func @no_maximum
// CHECK: ej.div %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK-NOT: ej.mul
func.func @no_maximum(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = ej.exp %x : tensor<4x8xf32>
  %s = ej.reduce_sum %e axes = [1] keepdims : tensor<4x8xf32>
  %q = ej.div %e, %s : tensor<4x8xf32>, tensor<4x1xf32>
  return %q : tensor<4x8xf32>
}

// -----

// The maximum over other axes than the sum's: no term need be exp(0).
// CHECK-LABEL: func.func @other_axes
// CHECK: ej.div %{{.*}}, %{{.*}} : tensor<2x3x5xf32>, tensor<2x1x1xf32>
// CHECK-NOT: ej.mul
func.func @other_axes(%x: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  %m = ej.reduce_max %x axes = [2] keepdims : tensor<2x3x5xf32>
  %d = ej.sub %x, %m : tensor<2x3x5xf32>, tensor<2x3x1xf32>
  %e = ej.exp %d : tensor<2x3x5xf32>
  %s = ej.reduce_sum %e axes = [1, 2] keepdims : tensor<2x3x5xf32>
  %q = ej.div %e, %s : tensor<2x3x5xf32>, tensor<2x1x1xf32>
  return %q : tensor<2x3x5xf32>
}

// -----

// The maximum of another tensor, and a sum of other exponentials than the
// numerator: both divisions stay.
// CHECK-LABEL: func.func @other_operands
// CHECK-COUNT-2: ej.div %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK-NOT: ej.mul
func.func @other_operands(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %my = ej.reduce_max %y axes = [1] keepdims : tensor<4x8xf32>
  %dy = ej.sub %x, %my : tensor<4x8xf32>, tensor<4x1xf32>
  %ey = ej.exp %dy : tensor<4x8xf32>
  %sy = ej.reduce_sum %ey axes = [1] keepdims : tensor<4x8xf32>
  %q1 = ej.div %ey, %sy : tensor<4x8xf32>, tensor<4x1xf32>
  %mx = ej.reduce_max %x axes = [1] keepdims : tensor<4x8xf32>
  %dx = ej.sub %x, %mx : tensor<4x8xf32>, tensor<4x1xf32>
  %ex = ej.exp %dx : tensor<4x8xf32>
  %sx = ej.reduce_sum %ex axes = [1] keepdims : tensor<4x8xf32>
  %q2 = ej.div %ey, %sx : tensor<4x8xf32>, tensor<4x1xf32>
  return %q1, %q2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// On a square tensor, a maximum or a sum without keepdims broadcasts along
// the other axis, and the maximum subtracted the other way round leaves
// no term at exp(0): the three divisions stay.
// CHECK-LABEL: func.func @square_misfits
// CHECK-COUNT-3: ej.div %{{.*}}, %{{.*}} : tensor<4x4xf32>, tensor<4x
// CHECK-NOT: ej.mul
func.func @square_misfits(%x: tensor<4x4xf32>)
    -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %m = ej.reduce_max %x axes = [1] : tensor<4x4xf32>
  %d = ej.sub %x, %m : tensor<4x4xf32>, tensor<4xf32>
  %e = ej.exp %d : tensor<4x4xf32>
  %s = ej.reduce_sum %e axes = [1] keepdims : tensor<4x4xf32>
  %q1 = ej.div %e, %s : tensor<4x4xf32>, tensor<4x1xf32>
  %mk = ej.reduce_max %x axes = [1] keepdims : tensor<4x4xf32>
  %dk = ej.sub %x, %mk : tensor<4x4xf32>, tensor<4x1xf32>
  %ek = ej.exp %dk : tensor<4x4xf32>
  %sn = ej.reduce_sum %ek axes = [1] : tensor<4x4xf32>
  %q2 = ej.div %ek, %sn : tensor<4x4xf32>, tensor<4xf32>
  %dr = ej.sub %mk, %x : tensor<4x1xf32>, tensor<4x4xf32>
  %er = ej.exp %dr : tensor<4x4xf32>
  %sr = ej.reduce_sum %er axes = [1] keepdims : tensor<4x4xf32>
  %q3 = ej.div %er, %sr : tensor<4x4xf32>, tensor<4x1xf32>
  return %q1, %q2, %q3 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
