// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// Comparisons give bools, where selects, and casts follow ej.cast: a float
// to int32 saturates (NaN gives 0) before the C conversion, and bools are
// stored as bytes (4 lanes as one uchar4).
// CHECK-LABEL: // casts_f0: (in0: f32[8x4], in1: f32[8x4]) -> (out0: i1[8x4], out1: i32[8x4], out2: f32[8x4])
// CHECK-NEXT: //   casts_f0_k0<<<1, 256>>>(in0, in1, out0, out1, out2)
// CHECK: casts_f0_k0(const float *__restrict__ in0, const float *__restrict__ in1, bool *__restrict__ out0, int *__restrict__ out1, float *__restrict__ out2) {
// CHECK: const bool [[C:t[0-9]+]] = ([[X:t[0-9]+]]_0.x > [[Y:t[0-9]+]]_0.x);
// CHECK-NEXT: const bool [[N:t[0-9]+]] = ([[C]] != true);
// CHECK-NEXT: const float [[W:t[0-9]+]] = ([[C]] ? [[X]]_0.x : [[Y]]_0.x);
// CHECK-NEXT: const bool [[LO:t[0-9]+]] = ([[W]] <= (-2.14748365e+09f));
// CHECK-NEXT: const bool [[HI:t[0-9]+]] = ([[W]] >= 2.14748365e+09f);
// CHECK-NEXT: const bool [[NAN:t[0-9]+]] = ([[W]] != [[W]]);
// CHECK: const int [[I:t[0-9]+]] = (int)(
// CHECK-NEXT: const int [[I2:t[0-9]+]] = ([[LO]] ? (-2147483647 - 1) : [[I]]);
// CHECK-NEXT: const int [[I3:t[0-9]+]] = ([[HI]] ? 2147483647 : [[I2]]);
// CHECK-NEXT: const float {{t[0-9]+}} = (float)([[N]]);
// CHECK: reinterpret_cast<uchar4 *>(out0)[(i0 + i1)] = make_uchar4([[N]],
// CHECK-NEXT: reinterpret_cast<int4 *>(out1)[(i0 + i1)] = make_int4([[I3]],
// CHECK-NEXT: reinterpret_cast<float4 *>(out2)[(i0 + i1)] = make_float4(
func.func @casts(%x: tensor<8x4xf32>, %y: tensor<8x4xf32>) -> (tensor<8x4xi32>, tensor<8x4xf32>, tensor<8x4xi1>) {
  %c = ej.greater %x, %y : tensor<8x4xf32>, tensor<8x4xf32>
  %w = ej.where %c, %x, %y : tensor<8x4xi1>, tensor<8x4xf32>, tensor<8x4xf32>
  %n = ej.logical_not %c : tensor<8x4xi1>
  %i = ej.cast %w : tensor<8x4xf32> to tensor<8x4xi32>
  %f = ej.cast %n : tensor<8x4xi1> to tensor<8x4xf32>
  return %i, %f, %n : tensor<8x4xi32>, tensor<8x4xf32>, tensor<8x4xi1>
}

// -----

// Integer powers square over the exponent's bits, as on the CPU; a bool
// condition broadcast from a row; int64 to float64.
// CHECK-LABEL: // ints_f0: (in0: i64[3], in1: i64[3], in2: i1[2x1]) -> (out0: f64[2x3])
// CHECK: const bool [[C:t[0-9]+]] = in2[i0];
// CHECK-NEXT: const long long [[A:t[0-9]+]] = in0[i1];
// CHECK-NEXT: const long long [[B:t[0-9]+]] = in1[i1];
// CHECK-NEXT: long long [[R:t[0-9]+]] = 1LL;
// CHECK: for (long long {{t[0-9]+}} = 0LL; {{t[0-9]+}} < 63LL; {{t[0-9]+}} += 1LL) {
// CHECK: (long long)((unsigned long long)(
// CHECK: const long long [[S:t[0-9]+]] = ([[C]] ? {{t[0-9]+}} : [[A]]);
// CHECK-NEXT: const double [[D:t[0-9]+]] = (double)([[S]]);
// CHECK-NEXT: out0[((i0 * 3) + i1)] = [[D]];
func.func @ints(%a: tensor<3xi64>, %b: tensor<3xi64>, %c: tensor<2x1xi1>) -> tensor<2x3xf64> {
  %p = ej.pow %a, %b : tensor<3xi64>, tensor<3xi64>
  %s = ej.where %c, %p, %a : tensor<2x1xi1>, tensor<3xi64>, tensor<3xi64>
  %d = ej.cast %s : tensor<2x3xi64> to tensor<2x3xf64>
  return %d : tensor<2x3xf64>
}
