// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// Broadcast operands are read at the broadcast index: a row vector by the
// column, a column by the row; along a vectorized row, the row vector is a
// float4 and the column one scalar shared by the 4 lanes.
// CHECK-LABEL: // bias_f0: (in0: f32[8x16], in1: f32[16], in2: f32[8x1]) -> (out0: f32[8x16])
// CHECK: const int i0 = f / 4;
// CHECK-NEXT: const int i1 = f % 4;
// CHECK-NEXT: const float4 [[X:t[0-9]+]]_0 = reinterpret_cast<const float4 *>(in0)[((i0 * 4) + i1)];
// CHECK-NEXT: const float4 [[B:t[0-9]+]]_0 = reinterpret_cast<const float4 *>(in1)[i1];
// CHECK-NEXT: const float [[S:t[0-9]+]] = ([[X]]_0.x + [[B]]_0.x);
// CHECK-NEXT: const float [[C:t[0-9]+]] = in2[i0];
// CHECK-NEXT: const float {{.*}} = ([[S]] * [[C]]);
// CHECK: const float {{.*}} = ({{.*}} * [[C]]);
// CHECK: reinterpret_cast<float4 *>(out0)[((i0 * 4) + i1)] = make_float4(
func.func @bias(%x: tensor<8x16xf32>, %b: tensor<16xf32>, %c: tensor<8x1xf32>) -> tensor<8x16xf32> {
  %0 = ej.add %x, %b : tensor<8x16xf32>, tensor<16xf32>
  %1 = ej.mul %0, %c : tensor<8x16xf32>, tensor<8x1xf32>
  return %1 : tensor<8x16xf32>
}

// -----

// broadcast_to and a 0-d operand: the scalar is element 0, a literal
// when it is a fill.
// CHECK-LABEL: // scalar_f0: (in0: f64[3], in1: f64[]) -> (out0: f64[2x3])
// CHECK: const int i0 = f / 3;
// CHECK-NEXT: const int i1 = f % 3;
// CHECK-NEXT: const double [[X:t[0-9]+]] = in0[i1];
// CHECK-NEXT: const double [[S:t[0-9]+]] = in1[0];
// CHECK-NEXT: const double [[A:t[0-9]+]] = ([[X]] - [[S]]);
// CHECK-NEXT: const double [[H:t[0-9]+]] = ([[A]] * 0.5);
// CHECK-NEXT: out0[((i0 * 3) + i1)] = [[H]];
func.func @scalar(%x: tensor<3xf64>, %s: tensor<f64>) -> tensor<2x3xf64> {
  %b = ej.broadcast_to %x : tensor<3xf64> to tensor<2x3xf64>
  %0 = ej.sub %b, %s : tensor<2x3xf64>, tensor<f64>
  %h = ej.fill 0.5 : tensor<f64>
  %1 = ej.mul %0, %h : tensor<2x3xf64>, tensor<f64>
  return %1 : tensor<2x3xf64>
}
