// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// Layernorm is one kernel: the mean, the mean of the squared deviations
// (reading the first as a register), then the normalized, scaled and
// shifted row; gamma and beta are float4s indexed by the column alone.
// CHECK-LABEL: // layernorm_f0: (in0: f32[32x768], in1: f32[768], in2: f32[768]) -> (out0: f32[32x768])
// CHECK-NEXT: //   layernorm_f0_k0<<<32, 192>>>(in0, in1, in2, out0)
// CHECK-NOT: layernorm_f0_k1
// CHECK: // ej.reduce_mean
// CHECK: const double [[M:t[0-9]+]] = (acc0 * 0.0013020833333333333);
// CHECK-NEXT: const float [[MF:t[0-9]+]] = (float)([[M]]);
// CHECK-NEXT: const float red0 = [[MF]];
// CHECK-NEXT: // ej.reduce_mean
// CHECK: const float [[D:t[0-9]+]] = ({{t[0-9]+}}_0.x - red0);
// CHECK-NEXT: const float [[SQ:t[0-9]+]] = ([[D]] * [[D]]);
// CHECK-NEXT: const double {{t[0-9]+}} = (double)([[SQ]]);
// CHECK: const float red1 =
// CHECK-NEXT: // outputs, one element per column
// CHECK: sqrtf(
// CHECK: const float4 [[G:t[0-9]+]]_0 = reinterpret_cast<const float4 *>(in1)[c1];
// CHECK: const float4 [[B:t[0-9]+]]_0 = reinterpret_cast<const float4 *>(in2)[c1];
// CHECK: + [[B]]_0.w);
// CHECK-NEXT: reinterpret_cast<float4 *>(out0)[((k0 * 192) + c1)] = make_float4(
func.func @layernorm(%x: tensor<32x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<32x768xf32> {
  %m = ej.reduce_mean %x axes = [1] keepdims : tensor<32x768xf32>
  %d = ej.sub %x, %m : tensor<32x768xf32>, tensor<32x1xf32>
  %q = ej.square %d : tensor<32x768xf32>
  %v = ej.reduce_mean %q axes = [1] keepdims : tensor<32x768xf32>
  %eps = ej.fill 1.0e-5 : tensor<f32>
  %ve = ej.add %v, %eps : tensor<32x1xf32>, tensor<f32>
  %r = ej.rsqrt %ve : tensor<32x1xf32>
  %n = ej.mul %d, %r : tensor<32x768xf32>, tensor<32x1xf32>
  %s = ej.mul %n, %g : tensor<32x768xf32>, tensor<768xf32>
  %y = ej.add %s, %b : tensor<32x768xf32>, tensor<768xf32>
  return %y : tensor<32x768xf32>
}
