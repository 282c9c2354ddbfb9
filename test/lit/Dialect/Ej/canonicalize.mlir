// RUN: ej-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @add_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %zero = ej.constant dense<0.0> : tensor<2x3xf32>
  %0 = ej.add %x, %zero : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK-NOT: ej.add
  // CHECK: return %[[X]]
  return %0 : tensor<2x3xf32>
}

// -----

// The constant is moved to the right (ej.add is commutative), then folds.
// CHECK-LABEL: func.func @zero_plus_x
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
func.func @zero_plus_x(%x: tensor<4xi32>) -> tensor<4xi32> {
  %zero = ej.constant dense<0> : tensor<4xi32>
  %0 = ej.add %zero, %x : tensor<4xi32>, tensor<4xi32>
  // CHECK-NOT: ej.add
  // CHECK: return %[[X]]
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @mul_one
// CHECK-SAME: (%[[X:.*]]: tensor<3xf64>)
func.func @mul_one(%x: tensor<3xf64>) -> tensor<3xf64> {
  %one = ej.constant dense<1.0> : tensor<f64>
  %0 = ej.mul %x, %one : tensor<3xf64>, tensor<f64>
  // CHECK-NOT: ej.mul
  // CHECK: return %[[X]]
  return %0 : tensor<3xf64>
}

// -----

// Adding zero that broadcasts x to a larger shape is not the identity.
// CHECK-LABEL: func.func @add_zero_that_broadcasts
func.func @add_zero_that_broadcasts(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %zero = ej.constant dense<0.0> : tensor<2x3xf32>
  // CHECK: ej.add
  %0 = ej.add %x, %zero : tensor<3xf32>, tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @mul_two_stays
func.func @mul_two_stays(%x: tensor<3xf32>) -> tensor<3xf32> {
  %two = ej.constant dense<2.0> : tensor<3xf32>
  // CHECK: %[[C:.*]] = ej.constant dense<2.000000e+00>
  // CHECK: ej.mul %{{.*}}, %[[C]]
  %0 = ej.mul %x, %two : tensor<3xf32>, tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @cast_to_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
func.func @cast_to_same_type(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ej.cast %x : tensor<3xf32> to tensor<3xf32>
  // CHECK-NOT: ej.cast
  // CHECK: return %[[X]]
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @cast_to_other_type_stays
func.func @cast_to_other_type_stays(%x: tensor<3xf32>) -> tensor<3xi64> {
  // CHECK: ej.cast %{{.*}} : tensor<3xf32> to tensor<3xi64>
  %0 = ej.cast %x : tensor<3xf32> to tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @transposes_compose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @transposes_compose(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  // CHECK: %[[T:.*]] = ej.transpose %[[X]] perm = [1, 0, 2] : tensor<2x3x4xf32>
  // CHECK-NEXT: return %[[T]]
  %0 = ej.transpose %x perm = [2, 0, 1] : tensor<2x3x4xf32>
  %1 = ej.transpose %0 perm = [2, 1, 0] : tensor<4x2x3xf32>
  return %1 : tensor<3x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_back_is_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @transpose_back_is_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: ej.transpose
  // CHECK: return %[[X]]
  %0 = ej.transpose %x perm = [1, 0] : tensor<2x3xf32>
  %1 = ej.transpose %0 perm = [1, 0] : tensor<3x2xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshapes_collapse
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @reshapes_collapse(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  // CHECK: %[[R:.*]] = ej.reshape %[[X]] : tensor<2x3x4xf32> to tensor<4x6xf32>
  // CHECK-NEXT: return %[[R]]
  %0 = ej.reshape %x : tensor<2x3x4xf32> to tensor<24xf32>
  %1 = ej.reshape %0 : tensor<24xf32> to tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_round_trip_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @reshape_round_trip_folds(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: ej.reshape
  // CHECK: return %[[X]]
  %0 = ej.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  %1 = ej.reshape %0 : tensor<6xf32> to tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @broadcasts_collapse
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
func.func @broadcasts_collapse(%x: tensor<3xf32>) -> tensor<4x2x3xf32> {
  // CHECK: %[[B:.*]] = ej.broadcast_to %[[X]] : tensor<3xf32> to tensor<4x2x3xf32>
  // CHECK-NEXT: return %[[B]]
  %0 = ej.broadcast_to %x : tensor<3xf32> to tensor<2x3xf32>
  %1 = ej.broadcast_to %0 : tensor<2x3xf32> to tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fill_folds_to_a_splat
func.func @fill_folds_to_a_splat() -> (tensor<2x3xf32>, tensor<4xi64>, tensor<2xi1>) {
  // CHECK-DAG: ej.constant dense<1.500000e+00> : tensor<2x3xf32>
  // CHECK-DAG: ej.constant dense<7> : tensor<4xi64>
  // CHECK-DAG: ej.constant dense<true> : tensor<2xi1>
  // CHECK-NOT: ej.fill
  %0 = ej.fill 1.5 : tensor<2x3xf32>
  %1 = ej.fill 7.0 : tensor<4xi64>
  %2 = ej.fill 1.0 : tensor<2xi1>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<4xi64>, tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @copy_folds
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
func.func @copy_folds(%x: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK-NOT: ej.copy
  // CHECK: return %[[X]]
  %0 = ej.copy %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Equal draws are one draw (the ops are pure in seed and offset); other
// offsets stay apart.
// RUN: ej-opt %s -split-input-file -cse | FileCheck %s --check-prefix=CSE
// CSE-LABEL: func.func @random_cse
func.func @random_cse(%s: tensor<i64>, %o: tensor<i64>, %o2: tensor<i64>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  // CSE: %[[A:.*]] = ej.random_uniform %{{.*}}, %[[O:.*]] minval
  // CSE: %[[B:.*]] = ej.random_uniform %{{.*}}, %{{.*}} minval
  // CSE: return %[[A]], %[[A]], %[[B]]
  %0 = ej.random_uniform %s, %o minval = 0.0 maxval = 1.0 : tensor<3xf32>
  %1 = ej.random_uniform %s, %o minval = 0.0 maxval = 1.0 : tensor<3xf32>
  %2 = ej.random_uniform %s, %o2 minval = 0.0 maxval = 1.0 : tensor<3xf32>
  return %0, %1, %2 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Small constants fold with the interpreter's arithmetic, broadcasting too.
// CHECK-LABEL: func.func @constants_fold
func.func @constants_fold() -> (tensor<2x2xf32>, tensor<3xi1>, tensor<2xi32>, tensor<2xf64>, tensor<2xi1>) {
  // CHECK-DAG: ej.constant dense<{{\[\[}}1.100000e+01, 1.200000e+01], [2.200000e+01, 2.300000e+01]]> : tensor<2x2xf32>
  // CHECK-DAG: ej.constant dense<[false, true, true]> : tensor<3xi1>
  // CHECK-DAG: ej.constant dense<[10, 14]> : tensor<2xi32>
  // CHECK-DAG: ej.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf64>
  // CHECK-DAG: ej.constant dense<[false, true]> : tensor<2xi1>
  // CHECK-NOT: ej.add
  // CHECK-NOT: ej.broadcast_to
  // CHECK-NOT: ej.less
  // CHECK-NOT: ej.pow
  // CHECK-NOT: ej.sqrt
  // CHECK-NOT: ej.logical_not
  %a = ej.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = ej.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %ten = ej.constant dense<10.0> : tensor<f32>
  %0 = ej.mul %a, %ten : tensor<2x1xf32>, tensor<f32>
  %1 = ej.add %0, %a : tensor<2x1xf32>, tensor<2x1xf32>
  %2 = ej.add %1, %a : tensor<2x1xf32>, tensor<2x1xf32>
  %3 = ej.sub %2, %a : tensor<2x1xf32>, tensor<2x1xf32>
  %4 = ej.sub %3, %a : tensor<2x1xf32>, tensor<2x1xf32>
  %5 = ej.add %4, %a : tensor<2x1xf32>, tensor<2x1xf32>
  %6 = ej.broadcast_to %5 : tensor<2x1xf32> to tensor<2x2xf32>
  %sum = ej.constant dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %7 = ej.add %6, %sum : tensor<2x2xf32>, tensor<2x2xf32>
  %i = ej.constant dense<[1, 5, 9]> : tensor<3xi32>
  %four = ej.constant dense<4> : tensor<i32>
  %8 = ej.less %four, %i : tensor<i32>, tensor<3xi32>
  %9 = ej.logical_not %8 : tensor<3xi1>
  %10 = ej.logical_not %9 : tensor<3xi1>
  %p = ej.constant dense<[3, -2]> : tensor<2xi32>
  %two = ej.constant dense<2> : tensor<i32>
  %11 = ej.pow %p, %two : tensor<2xi32>, tensor<i32>
  %m = ej.constant dense<[-1, -4]> : tensor<2xi32>
  %12 = ej.minimum %11, %m : tensor<2xi32>, tensor<2xi32>
  %13 = ej.sub %11, %12 : tensor<2xi32>, tensor<2xi32>
  %14 = ej.sub %13, %two : tensor<2xi32>, tensor<i32>
  %15 = ej.sub %14, %m : tensor<2xi32>, tensor<2xi32>
  %16 = ej.sub %15, %m : tensor<2xi32>, tensor<2xi32>
  %q = ej.constant dense<[4.0, 9.0]> : tensor<2xf64>
  %17 = ej.sqrt %q : tensor<2xf64>
  %t = ej.constant dense<[true, false]> : tensor<2xi1>
  %18 = ej.logical_not %t : tensor<2xi1>
  return %7, %10, %16, %17, %18 : tensor<2x2xf32>, tensor<3xi1>, tensor<2xi32>, tensor<2xf64>, tensor<2xi1>
}

// -----

// Large constant results stay as ops.
// CHECK-LABEL: func.func @large_constants_stay
func.func @large_constants_stay() -> tensor<2048xf32> {
  // CHECK: ej.add
  %a = ej.constant dense<1.0> : tensor<2048xf32>
  %0 = ej.add %a, %a : tensor<2048xf32>, tensor<2048xf32>
  return %0 : tensor<2048xf32>
}
