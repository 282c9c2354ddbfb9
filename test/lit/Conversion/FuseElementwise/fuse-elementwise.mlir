// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(convert-ej-to-linalg, ej-fuse-elementwise))' | FileCheck %s

// x * y + 1 -> exp -> tanh: one loop nest.
// CHECK-LABEL: func.func @chain
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.exp
// CHECK: math.tanh
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @chain(%x: tensor<64x32xf32>, %y: tensor<32xf32>) -> tensor<64x32xf32> {
  %0 = ej.mul %x, %y : tensor<64x32xf32>, tensor<32xf32>
  %1 = ej.fill 1.0 : tensor<f32>
  %2 = ej.add %0, %1 : tensor<64x32xf32>, tensor<f32>
  %3 = ej.exp %2 : tensor<64x32xf32>
  %4 = ej.tanh %3 : tensor<64x32xf32>
  return %4 : tensor<64x32xf32>
}

// -----

// The elementwise consumer of a matmul does not swallow it, and the
// reshapes around the matmul are not propagated through it: it stays a
// named op for BLAS.
// CHECK-LABEL: func.func @matmul_stays_named
// CHECK: tensor.collapse_shape
// CHECK: %[[M:.*]] = linalg.matmul
// CHECK: %[[E:.*]] = tensor.expand_shape %[[M]]
// CHECK: linalg.generic {{.*}} ins(%[[E]], %{{.*}} : tensor<2x4x5xf32>, tensor<5xf32>)
// CHECK: math.tanh
func.func @matmul_stays_named(%a: tensor<2x4x3xf32>, %b: tensor<3x5xf32>, %c: tensor<5xf32>) -> tensor<2x4x5xf32> {
  %0 = ej.matmul %a, %b : tensor<2x4x3xf32>, tensor<3x5xf32>
  %1 = ej.add %0, %c : tensor<2x4x5xf32>, tensor<5xf32>
  %2 = ej.tanh %1 : tensor<2x4x5xf32>
  return %2 : tensor<2x4x5xf32>
}

// -----

// A row's statistics are finished once per row: the generic that scales
// the float64 sum to a float32 mean is not fused into the subtraction that
// broadcasts it (which would redo it for every element and hold float64
// values in its loop); producers read elementwise still fuse.
// CHECK-LABEL: func.func @row_mean
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.extf
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<16x1xf64>)
// CHECK: arith.mulf
// CHECK: arith.truncf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[MEAN]] : tensor<16x64xf32>, tensor<16x1xf32>)
// CHECK-NOT: f64
// CHECK: arith.subf
// CHECK-NEXT: math.exp
// CHECK-NEXT: linalg.yield
func.func @row_mean(%x: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %0 = ej.reduce_mean %x axes = [1] keepdims : tensor<16x64xf32>
  %1 = ej.sub %x, %0 : tensor<16x64xf32>, tensor<16x1xf32>
  %2 = ej.exp %1 : tensor<16x64xf32>
  return %2 : tensor<16x64xf32>
}

// -----

// A cheap elementwise producer read by several consumers is computed again
// in each: layernorm's centered rows feed the variance's sum and the output
// without being written. Only the mean, which both read broadcast, is
// shared.
// CHECK-LABEL: func.func @centered_rows_recomputed
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%{{[a-z0-9_]+}} : tensor<16x1xf64>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%arg0, %[[MEAN]] : tensor<16x64xf32>, tensor<16x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.extf
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} ins(%arg0, %[[MEAN]], %{{.*}}, %arg1 :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: linalg.yield
// CHECK: return %[[OUT]]
func.func @centered_rows_recomputed(%x: tensor<16x64xf32>, %g: tensor<64xf32>) -> tensor<16x64xf32> {
  %0 = ej.reduce_mean %x axes = [1] keepdims : tensor<16x64xf32>
  %1 = ej.sub %x, %0 : tensor<16x64xf32>, tensor<16x1xf32>
  %2 = ej.square %1 : tensor<16x64xf32>
  %3 = ej.reduce_mean %2 axes = [1] keepdims : tensor<16x64xf32>
  %4 = ej.rsqrt %3 : tensor<16x1xf32>
  %5 = ej.mul %1, %4 : tensor<16x64xf32>, tensor<16x1xf32>
  %6 = ej.mul %5, %g : tensor<16x64xf32>, tensor<64xf32>
  return %6 : tensor<16x64xf32>
}

// -----

// Two elementwise consumers each compute the subtraction themselves.
// CHECK-LABEL: func.func @two_consumers
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: linalg.yield
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.addf
// CHECK-NEXT: linalg.yield
// CHECK: return %[[A]], %[[B]]
func.func @two_consumers(%x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %0 = ej.sub %x, %y : tensor<64xf32>, tensor<64xf32>
  %1 = ej.mul %0, %x : tensor<64xf32>, tensor<64xf32>
  %2 = ej.add %0, %y : tensor<64xf32>, tensor<64xf32>
  return %1, %2 : tensor<64xf32>, tensor<64xf32>
}

// -----

// Not computed again: an exponential (softmax's, read by the sum and the
// division), a division, and a producer whose result is also returned
// (it is written anyway).
// CHECK-LABEL: func.func @exp_written_once
// CHECK: %[[E:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.exp
// CHECK-NEXT: linalg.yield
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<16x1x64xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[E]], %{{.*}} : tensor<16x64xf32>, tensor<16x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.divf
// CHECK-NOT: math.exp
func.func @exp_written_once(%x: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %0 = ej.exp %x : tensor<16x64xf32>
  %1 = ej.reduce_sum %0 axes = [1] keepdims : tensor<16x64xf32>
  %2 = ej.div %0, %1 : tensor<16x64xf32>, tensor<16x1xf32>
  return %2 : tensor<16x64xf32>
}

// -----

// CHECK-LABEL: func.func @division_written_once
// CHECK-COUNT-1: arith.divf
// CHECK-NOT: arith.divf
func.func @division_written_once(%x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %0 = ej.div %x, %y : tensor<64xf32>, tensor<64xf32>
  %1 = ej.mul %0, %x : tensor<64xf32>, tensor<64xf32>
  %2 = ej.add %0, %y : tensor<64xf32>, tensor<64xf32>
  return %1, %2 : tensor<64xf32>, tensor<64xf32>
}

// -----

// CHECK-LABEL: func.func @returned_written_once
// CHECK: %[[D:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: linalg.yield
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[D]], %arg0 :
// CHECK-NOT: arith.subf
// CHECK: return %[[D]], %[[P]]
func.func @returned_written_once(%x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %0 = ej.sub %x, %y : tensor<64xf32>, tensor<64xf32>
  %1 = ej.mul %0, %x : tensor<64xf32>, tensor<64xf32>
  return %0, %1 : tensor<64xf32>, tensor<64xf32>
}

// -----

// Computed again in five consumers, a subtraction of two tensors would
// read ten of them instead of writing one and reading it five times: it is
// written once.
// CHECK-LABEL: func.func @five_consumers
// CHECK-COUNT-1: arith.subf
// CHECK-NOT: arith.subf
func.func @five_consumers(%x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %0 = ej.sub %x, %y : tensor<64xf32>, tensor<64xf32>
  %1 = ej.mul %0, %x : tensor<64xf32>, tensor<64xf32>
  %2 = ej.add %0, %y : tensor<64xf32>, tensor<64xf32>
  %3 = ej.mul %0, %y : tensor<64xf32>, tensor<64xf32>
  %4 = ej.add %0, %x : tensor<64xf32>, tensor<64xf32>
  %5 = ej.exp %0 : tensor<64xf32>
  return %1, %2, %3, %4, %5 : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
}
