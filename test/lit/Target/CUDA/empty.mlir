// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// Reductions of tensors without elements. No rows: the row loop never runs
// and no index divides by an extent of 0.
// CHECK-LABEL: // no_rows_f0: (in0: f32[0x5]) -> (out0: f32[0])
// CHECK: for (int row = blockIdx.x; row < 0; row += gridDim.x) {
// CHECK-NOT: / 0
// CHECK: for (int col = threadIdx.x; col < 5; col += 32) {
// CHECK-NOT: / 0
func.func @no_rows(%x: tensor<0x5xf32>) -> tensor<0xf32> {
  %0 = ej.reduce_sum %x axes = [1] : tensor<0x5xf32>
  return %0 : tensor<0xf32>
}

// -----

// No columns: the sum is 0 and the mean 0 * inf, NaN, as in the
// interpreter.
// CHECK-LABEL: // no_columns_f0: (in0: f32[3x0]) -> (out0: f32[3])
// CHECK: for (int col = threadIdx.x; col < 0; col += 32) {
// CHECK-NOT: / 0
// CHECK: const double {{t[0-9]+}} = (acc0 * __longlong_as_double(0x7ff0000000000000LL));
func.func @no_columns(%x: tensor<3x0xf32>) -> tensor<3xf32> {
  %0 = ej.reduce_mean %x axes = [1] : tensor<3x0xf32>
  return %0 : tensor<3xf32>
}
