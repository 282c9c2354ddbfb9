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
