// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// mean(square(x - y)) over every axis: one row, the difference and square
// computed in the loop that sums them (float64), scaled once by 1 / count.
// CHECK-LABEL: // mse_f0: (in0: f32[1000x10], in1: f32[1000x10]) -> (out0: f32[])
// CHECK-NEXT: //   mse_f0_k0<<<1, 512>>>(in0, in1, out0)
// CHECK: for (int col = threadIdx.x; col < 10000; col += 512) {
// CHECK-NEXT: const int c0 = col / 10;
// CHECK-NEXT: const int c1 = col % 10;
// CHECK-NEXT: const float [[X:t[0-9]+]] = in0[((c0 * 10) + c1)];
// CHECK-NEXT: const float [[Y:t[0-9]+]] = in1[((c0 * 10) + c1)];
// CHECK-NEXT: const float [[D:t[0-9]+]] = ([[X]] - [[Y]]);
// CHECK-NEXT: const float [[S:t[0-9]+]] = ([[D]] * [[D]]);
// CHECK-NEXT: const double [[W:t[0-9]+]] = (double)([[S]]);
// CHECK-NEXT: acc0 = acc0_fold(acc0, [[W]]);
// CHECK: const double [[M:t[0-9]+]] = (acc0 * 0.0001);
// CHECK-NEXT: const float [[F:t[0-9]+]] = (float)([[M]]);
// CHECK-NEXT: const float red0 = [[F]];
// CHECK-NEXT: if (threadIdx.x == 0) {
// CHECK-NEXT: out0[0] = red0;
func.func @mse(%x: tensor<1000x10xf32>, %y: tensor<1000x10xf32>) -> tensor<f32> {
  %d = ej.sub %x, %y : tensor<1000x10xf32>, tensor<1000x10xf32>
  %s = ej.square %d : tensor<1000x10xf32>
  %m = ej.reduce_mean %s axes = [] : tensor<1000x10xf32>
  return %m : tensor<f32>
}

// -----

// A value of one element per row is the row's own register, even over a
// single row: x / sum(x) stays one kernel.
// CHECK-LABEL: // normalize_f0: (in0: f64[16]) -> (out0: f64[16])
// CHECK-NEXT: //   normalize_f0_k0<<<1, 32>>>(in0, out0)
// CHECK: for (int col = threadIdx.x; col < 4; col += 32) {
// CHECK: const double2 [[X:t[0-9]+]]_0 = reinterpret_cast<const double2 *>(in0)[(c0) * 2 + 0];
// CHECK-NEXT: const double2 [[X]]_1 = reinterpret_cast<const double2 *>(in0)[(c0) * 2 + 1];
// CHECK: acc0 = acc0_fold(acc0, [[X]]_1.y);
// CHECK: // outputs, one element per column
// CHECK: ({{t[0-9]+}}_0.x / red0);
// CHECK: reinterpret_cast<double2 *>(out0)[(c0) * 2 + 1] = make_double2(
func.func @normalize(%x: tensor<16xf64>) -> tensor<16xf64> {
  %s = ej.reduce_sum %x axes = [0] : tensor<16xf64>
  %r = ej.div %x, %s : tensor<16xf64>, tensor<f64>
  return %r : tensor<16xf64>
}

// -----

// A reduction of another reduction's rows is a kernel of its own, and so
// is what follows it elementwise: the values between them are temporaries.
// CHECK-LABEL: // total_f0: (in0: f32[64x8]) -> (out0: f32[64x8])
// CHECK-NEXT: //   temporaries: tmp0: f32[64] tmp1: f32[]
// CHECK-NEXT: //   total_f0_k0<<<64, 32>>>(in0, tmp0)
// CHECK-NEXT: //   total_f0_k1<<<1, 32>>>(tmp0, tmp1)
// CHECK-NEXT: //   total_f0_k2<<<1, 256>>>(in0, tmp1, out0)
// CHECK: total_f0_k0(const float *__restrict__ in0, float *__restrict__ tmp0) {
// CHECK: tmp0[k0] = red0;
// CHECK: total_f0_k1(const float *__restrict__ tmp0, float *__restrict__ tmp1) {
// CHECK: reinterpret_cast<const float4 *>(tmp0)[c0]
// CHECK: tmp1[0] = red0;
// CHECK: total_f0_k2(const float *__restrict__ in0, const float *__restrict__ tmp1, float *__restrict__ out0) {
// CHECK: const float [[T:t[0-9]+]] = tmp1[0];
// CHECK: make_float4(
func.func @total(%x: tensor<64x8xf32>) -> tensor<64x8xf32> {
  %s = ej.reduce_sum %x axes = [1] : tensor<64x8xf32>
  %t = ej.reduce_sum %s axes = [0] : tensor<64xf32>
  %r = ej.div %x, %t : tensor<64x8xf32>, tensor<f32>
  return %r : tensor<64x8xf32>
}
