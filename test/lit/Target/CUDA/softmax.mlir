// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// Softmax is one kernel with one block per row: the max, then the sum of
// exp(x - max) (float64, as on the CPU) through warp shuffles, then the
// quotient written as float4. The row's values are registers, never memory.
// CHECK-LABEL: // softmax_f0: (in0: f32[64x1000]) -> (out0: f32[64x1000])
// CHECK-NEXT: //   softmax_f0_k0<<<64, 256>>>(in0, out0)
// CHECK-NOT: softmax_f0_k1
// CHECK: softmax_f0_k0(const float *__restrict__ in0, float *__restrict__ out0) {
// CHECK-NEXT: __shared__ float s_acc0[32];
// CHECK-NEXT: __shared__ double s_acc1[32];
// CHECK-NEXT: for (int row = blockIdx.x; row < 64; row += gridDim.x) {
// CHECK-NEXT: const int k0 = row;
// CHECK-NEXT: // ej.reduce_max
// NaN-propagating maximum, as the CPU kernels fold it.
// CHECK: auto acc0_fold = [](float a, float b) {
// CHECK: (a > b)
// CHECK: (a != a)
// CHECK: float acc0 = __int_as_float(0xff800000);
// CHECK-NEXT: for (int col = threadIdx.x; col < 250; col += 256) {
// CHECK-NEXT: const int c1 = col;
// CHECK-NEXT: const float4 [[X:t[0-9]+]]_0 = reinterpret_cast<const float4 *>(in0)[((k0 * 250) + c1)];
// CHECK-NEXT: acc0 = acc0_fold(acc0, [[X]]_0.x);
// CHECK: acc0 = ej_block_reduce(acc0, acc0_fold, s_acc0);
// CHECK-NEXT: const float red0 = acc0;
// CHECK-NEXT: // ej.reduce_sum
// CHECK: double acc1 = 0.0;
// CHECK: const float [[D:t[0-9]+]] = ({{t[0-9]+}}_0.x - red0);
// CHECK-NEXT: const float [[E:t[0-9]+]] = expf([[D]]);
// CHECK-NEXT: const double [[W:t[0-9]+]] = (double)([[E]]);
// CHECK-NEXT: acc1 = acc1_fold(acc1, [[W]]);
// CHECK: acc1 = ej_block_reduce(acc1, acc1_fold, s_acc1);
// CHECK-NEXT: const float [[S:t[0-9]+]] = (float)(acc1);
// CHECK-NEXT: const float red1 = [[S]];
// CHECK-NEXT: // outputs, one element per column
// CHECK: expf(
// CHECK-NEXT: const float [[Q:t[0-9]+]] = ({{t[0-9]+}} / red1);
// CHECK: reinterpret_cast<float4 *>(out0)[((k0 * 250) + c1)] = make_float4([[Q]],
func.func @softmax(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %m = ej.reduce_max %x axes = [1] keepdims : tensor<64x1000xf32>
  %s = ej.sub %x, %m : tensor<64x1000xf32>, tensor<64x1xf32>
  %e = ej.exp %s : tensor<64x1000xf32>
  %t = ej.reduce_sum %e axes = [1] keepdims : tensor<64x1000xf32>
  %r = ej.div %e, %t : tensor<64x1000xf32>, tensor<64x1xf32>
  return %r : tensor<64x1000xf32>
}

// -----

// log_softmax over rows of 10 (not a multiple of 4: scalar loads), with
// the row sums kept as a result (ej-fuse numbers the results in the order
// they are defined): written once per row by thread 0.
// CHECK-LABEL: // log_softmax_f0: (in0: f32[5x10]) -> (out0: f32[5x1], out1: f32[5x10])
// CHECK-NEXT: //   log_softmax_f0_k0<<<5, 32>>>(in0, out1, out0)
// CHECK: for (int col = threadIdx.x; col < 10; col += 32) {
// CHECK: = in0[((k0 * 10) + c1)];
// CHECK: logf(red1)
// CHECK: out1[((k0 * 10) + c1)] =
// CHECK: if (threadIdx.x == 0) {
// CHECK-NEXT: out0[k0] = red1;
func.func @log_softmax(%x: tensor<5x10xf32>) -> (tensor<5x10xf32>, tensor<5x1xf32>) {
  %m = ej.reduce_max %x axes = [1] keepdims : tensor<5x10xf32>
  %s = ej.sub %x, %m : tensor<5x10xf32>, tensor<5x1xf32>
  %e = ej.exp %s : tensor<5x10xf32>
  %t = ej.reduce_sum %e axes = [1] keepdims : tensor<5x10xf32>
  %l = ej.log %t : tensor<5x1xf32>
  %r = ej.sub %s, %l : tensor<5x10xf32>, tensor<5x1xf32>
  return %r, %t : tensor<5x10xf32>, tensor<5x1xf32>
}
