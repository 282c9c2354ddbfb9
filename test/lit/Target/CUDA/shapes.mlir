// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// A transpose reads its operand at the permuted index: not contiguous along
// the lanes, so scalar loads, while the result is still stored as float4.
// CHECK-LABEL: // transpose_f0: (in0: f32[8x4], in1: f32[4x8]) -> (out0: f32[4x8])
// CHECK: const int i0 = f / 2;
// CHECK-NEXT: const int i1 = f % 2;
// CHECK-NEXT: const float {{t[0-9]+}} = in0[(i0 + (i1 * 16))];
// CHECK: const float {{t[0-9]+}} = in0[((i0 + (i1 * 16)) + 4)];
// CHECK: const float {{t[0-9]+}} = in0[((i0 + (i1 * 16)) + 12)];
// CHECK-NOT: in0[
// CHECK: reinterpret_cast<float4 *>(out0)
func.func @transpose(%x: tensor<8x4xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %t = ej.transpose %x perm = [1, 0] : tensor<8x4xf32>
  %a = ej.add %t, %y : tensor<4x8xf32>, tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// A reversed slice reads start + step * i; a reshape reads the row-major
// position of the same flat index.
// CHECK-LABEL: // reverse_f0: (in0: f64[6]) -> (out0: f64[2x3])
// CHECK: const int i0 = f / 3;
// CHECK-NEXT: const int i1 = f % 3;
// CHECK-NEXT: const double {{t[0-9]+}} = in0[(((i0 * (-3)) - i1) + 5)];
func.func @reverse(%x: tensor<6xf64>) -> tensor<2x3xf64> {
  %s = ej.slice %x starts = [5] steps = [-1] : tensor<6xf64> to tensor<6xf64>
  %r = ej.reshape %s : tensor<6xf64> to tensor<2x3xf64>
  %n = ej.neg %r : tensor<2x3xf64>
  return %n : tensor<2x3xf64>
}

// -----

// concat and pad pick their value in branches, so that no operand is read
// outside its extent.
// CHECK-LABEL: // join_f0: (in0: f32[2x3], in1: f32[2x1]) -> (out0: f32[4x5])
// CHECK: const int i0 = f / 5;
// CHECK-NEXT: const int i1 = f % 5;
// CHECK-NEXT: float [[P:t[0-9]+]];
// CHECK-NEXT: if (i0 >= 1 && i0 < 3 && i1 >= 0 && i1 < 4) {
// CHECK-NEXT: float [[C:t[0-9]+]];
// CHECK-NEXT: if (i1 < 3) {
// CHECK-NEXT: const float [[X:t[0-9]+]] = in0[(((i0 * 3) + i1) - 3)];
// CHECK-NEXT: [[C]] = [[X]];
// CHECK-NEXT: } else {
// CHECK-NEXT: const float [[Y:t[0-9]+]] = in1[(i0 - 1)];
// CHECK-NEXT: [[C]] = [[Y]];
// CHECK-NEXT: }
// CHECK-NEXT: [[P]] = [[C]];
// CHECK-NEXT: } else {
// CHECK-NEXT: [[P]] = (-1.0f);
// CHECK-NEXT: }
// CHECK-NEXT: out0[((i0 * 5) + i1)] = [[P]];
func.func @join(%x: tensor<2x3xf32>, %y: tensor<2x1xf32>) -> tensor<4x5xf32> {
  %c = ej.concat %x, %y axis = 1 : tensor<2x3xf32>, tensor<2x1xf32>
  %p = ej.pad %c low = [1, 0] high = [1, 1] value = -1.0 : tensor<2x4xf32>
  return %p : tensor<4x5xf32>
}
