// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// A trace as the JIT dumps it (no ej.fusion yet): ej-fuse runs first. The
// matmul inside the fusion is a cuBLAS call between the kernels: its
// operand is computed into a temporary, its result read back by the
// epilogue kernel (bias and activation).
// CHECK-LABEL: // mlp_f0: (in0: f32[4x3], in1: f32[3x8], in2: f32[8]) -> (out0: f32[4x8])
// CHECK-NEXT: //   temporaries: tmp0: f32[4x8] tmp1: f32[4x3]
// CHECK-NEXT: //   mlp_f0_k0<<<1, 256>>>(in0, tmp1)
// CHECK-NEXT: //   cublas: tmp0 = matmul(tmp1, in1)
// CHECK-NEXT: //   mlp_f0_k1<<<1, 256>>>(in2, tmp0, out0)
// CHECK: mlp_f0_k0(const float *__restrict__ in0, float *__restrict__ tmp1) {
// CHECK: tmp1[((i0 * 3) + i1)] =
// CHECK: mlp_f0_k1(const float *__restrict__ in2, const float *__restrict__ tmp0, float *__restrict__ out0) {
// CHECK: reinterpret_cast<const float4 *>(tmp0)
// CHECK: reinterpret_cast<const float4 *>(in2)
// CHECK: tanhf(
func.func @mlp(%x: tensor<4x3xf32>, %w: tensor<3x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %n = ej.relu %x : tensor<4x3xf32>
  %0 = ej.matmul %n, %w : tensor<4x3xf32>, tensor<3x8xf32>
  %1 = ej.add %0, %b : tensor<4x8xf32>, tensor<8xf32>
  %2 = ej.tanh %1 : tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// Ops that stay outside fusions (random draws, variables) emit nothing;
// a function without fusible ops gives the prelude alone.
// CHECK-LABEL: CUDA C emitted by ej-to-cuda
// CHECK-NOT: __global__
func.func @draw(%seed: tensor<i64>, %offset: tensor<i64>) -> tensor<4xf32> {
  %0 = ej.random_uniform %seed, %offset minval = 0.0 maxval = 1.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}
