// RUN: ej-opt %s -split-input-file --convert-ej-to-linalg | FileCheck %s

// A float32 mean accumulates in float64 (reassociable, so that it
// vectorizes), multiplies by 1 / count and rounds once; keepdims is an
// expand_shape.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @mean_keepdims
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f64) outs(%{{.*}} : tensor<3xf64>)
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]] : tensor<3x4xf32>) outs(%[[INIT]] : tensor<3xf64>)
// CHECK: %[[W:.*]] = arith.extf %{{.*}} : f32 to f64
// CHECK: arith.addf %{{.*}}, %[[W]] fastmath<reassoc> : f64
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf64>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.constant 2.500000e-01 : f64
// CHECK: arith.mulf
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: tensor.expand_shape %[[MEAN]] {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
func.func @mean_keepdims(%a: tensor<3x4xf32>) -> tensor<3x1xf32> {
  %0 = ej.reduce_mean %a axes = [1] keepdims : tensor<3x4xf32>
  return %0 : tensor<3x1xf32>
}

// -----

// Integer sums accumulate in int64 and wrap once into int32.
// CHECK-LABEL: func.func @sum_int32
// CHECK: linalg.fill ins(%{{.*}} : i64)
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.addi
// CHECK: arith.trunci %{{.*}} : i64 to i32
func.func @sum_int32(%a: tensor<3x4xi32>) -> tensor<4xi32> {
  %0 = ej.reduce_sum %a axes = [0] : tensor<3x4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Empty axes reduce everything; max starts from the smallest value and
// combines as Maximum::f(acc, x).
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @max_all
// CHECK: %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK: linalg.fill ins(%[[MIN]] : i32) outs(%{{.*}} : tensor<i32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ALL]]], iterator_types = ["reduction", "reduction"]}
// CHECK: ^bb0(%[[X:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK: %[[GT:.*]] = arith.cmpi sgt, %[[ACC]], %[[X]] : i32
// CHECK: arith.select %[[GT]], %[[ACC]], %[[X]] : i32
func.func @max_all(%a: tensor<3x4xi32>) -> tensor<i32> {
  %0 = ej.reduce_max %a axes = [] : tensor<3x4xi32>
  return %0 : tensor<i32>
}

// -----

// Float extremes propagate NaNs with arith.minimumf / maximumf, which LLVM
// vectorizes as reductions; the sign of a zero that ties is left open
// (nsz), as between orders of the interpreter's fold.
// CHECK-LABEL: func.func @min_f64_keeps_f64
// CHECK: %[[INF:.*]] = arith.constant 0x7FF0000000000000 : f64
// CHECK: linalg.fill ins(%[[INF]] : f64)
// CHECK: ^bb0(%[[X:.*]]: f64, %[[ACC:.*]]: f64):
// CHECK: arith.minimumf %[[ACC]], %[[X]] fastmath<nsz> : f64
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @min_f64_keeps_f64(%a: tensor<5x2xf64>) -> tensor<2xf64> {
  %0 = ej.reduce_min %a axes = [0] : tensor<5x2xf64>
  return %0 : tensor<2xf64>
}

// -----

// The same for a float32 maximum, which starts from -inf.
// CHECK-LABEL: func.func @max_f32
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NINF]] : f32)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: arith.maximumf %[[ACC]], %[[X]] fastmath<nsz> : f32
func.func @max_f32(%a: tensor<5x2xf32>) -> tensor<5xf32> {
  %0 = ej.reduce_max %a axes = [1] : tensor<5x2xf32>
  return %0 : tensor<5xf32>
}

// -----

// CHECK-LABEL: func.func @prod
// CHECK: arith.constant 1.000000e+00 : f64
// CHECK: arith.mulf %{{.*}}, %{{.*}} fastmath<reassoc> : f64
func.func @prod(%a: tensor<6xf32>) -> tensor<f32> {
  %0 = ej.reduce_prod %a axes = [0] : tensor<6xf32>
  return %0 : tensor<f32>
}

// -----

// argmax carries (best value, its index); the first NaN wins and stays.
// CHECK-LABEL: func.func @argmax
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[BV:.*]]: f32, %[[BI:.*]]: i64):
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[JI:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK: arith.cmpf ogt, %[[X]], %[[BV]] : f32
// CHECK: arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: arith.cmpf ord, %[[BV]], %[[BV]] : f32
// CHECK: arith.andi
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[JI]], %{{.*}} : i64
// CHECK: %[[TAKE:.*]] = arith.ori %{{.*}}, %[[FIRST]] : i1
// CHECK: %[[V:.*]] = arith.select %[[TAKE]], %[[X]], %[[BV]] : f32
// CHECK: %[[I:.*]] = arith.select %[[TAKE]], %[[JI]], %[[BI]] : i64
// CHECK: linalg.yield %[[V]], %[[I]] : f32, i64
// CHECK: return %[[R]]#1 : tensor<3xi64>
func.func @argmax(%a: tensor<3x4xf32>) -> tensor<3xi64> {
  %0 = ej.argmax %a axis = 1 : tensor<3x4xf32>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @argmin_ints
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.cmpi slt
func.func @argmin_ints(%a: tensor<3x4xi32>) -> tensor<4xi64> {
  %0 = ej.argmin %a axis = 0 : tensor<3x4xi32>
  return %0 : tensor<4xi64>
}
