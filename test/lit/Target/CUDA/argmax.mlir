// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// argmax folds (value, index) pairs, NaN first and the first index on
// ties, in any order; the accuracy's mean that reads the indices is a
// second kernel (another row shape), reading them from a temporary.
// CHECK-LABEL: // accuracy_f0: (in0: f32[16x10], in1: i64[16]) -> (out0: f32[])
// CHECK-NEXT: //   temporaries: tmp0: i64[16]
// CHECK-NEXT: //   accuracy_f0_k0<<<16, 32>>>(in0, tmp0)
// CHECK-NEXT: //   accuracy_f0_k1<<<1, 32>>>(in1, tmp0, out0)
// CHECK: accuracy_f0_k0(const float *__restrict__ in0, long long *__restrict__ tmp0) {
// CHECK: __shared__ float s_acc0[32];
// CHECK-NEXT: __shared__ long long s_acc0_index[32];
// CHECK: // ej.argmax
// CHECK-NEXT: float acc0 = 0.0f;
// CHECK-NEXT: long long acc0_index = -1;
// CHECK: const float [[X:t[0-9]+]] = in0[((k0 * 10) + c1)];
// CHECK-NEXT: ej_arg_combine<true>(acc0, acc0_index, [[X]], (long long)c1);
// CHECK: ej_block_arg_reduce<true>(acc0, acc0_index, s_acc0, s_acc0_index);
// CHECK-NEXT: const long long red0 = acc0_index;
// CHECK: tmp0[k0] = red0;
// CHECK: accuracy_f0_k1(const long long *__restrict__ in1, const long long *__restrict__ tmp0, float *__restrict__ out0) {
// CHECK: const longlong2 [[A:t[0-9]+]]_0 = reinterpret_cast<const longlong2 *>(tmp0)[(c0) * 2 + 0];
// CHECK: const bool {{t[0-9]+}} = ([[A]]_0.x == {{t[0-9]+}}_0.x);
func.func @accuracy(%x: tensor<16x10xf32>, %l: tensor<16xi64>) -> tensor<f32> {
  %a = ej.argmax %x axis = 1 : tensor<16x10xf32>
  %e = ej.equal %a, %l : tensor<16xi64>, tensor<16xi64>
  %f = ej.cast %e : tensor<16xi1> to tensor<16xf32>
  %m = ej.reduce_mean %f axes = [0] : tensor<16xf32>
  return %m : tensor<f32>
}

// -----

// argmin over a leading axis: the rows are the columns of the operand.
// CHECK-LABEL: // first_min_f0: (in0: i32[5x3]) -> (out0: i64[3])
// CHECK: const int k1 = row;
// CHECK: const int [[X:t[0-9]+]] = in0[((c0 * 3) + k1)];
// CHECK-NEXT: ej_arg_combine<false>(acc0, acc0_index, [[X]], (long long)c0);
func.func @first_min(%x: tensor<5x3xi32>) -> tensor<3xi64> {
  %a = ej.argmin %x axis = 0 : tensor<5x3xi32>
  return %a : tensor<3xi64>
}
