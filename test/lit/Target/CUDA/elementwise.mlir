// RUN: ej-translate --ej-to-cuda -split-input-file %s | FileCheck %s

// An elementwise chain is one grid-stride kernel; a multiple of 4 elements
// is read and written as float4, 4 lanes per thread, and nothing between
// the ops goes to memory.
// CHECK-LABEL: // chain_f0: (in0: f32[1024], in1: f32[1024]) -> (out0: f32[1024])
// CHECK-NEXT: //   chain_f0_k0<<<1, 256>>>(in0, in1, out0)
// CHECK: extern "C" __global__ void __launch_bounds__(256)
// CHECK-NEXT: chain_f0_k0(const float *__restrict__ in0, const float *__restrict__ in1, float *__restrict__ out0) {
// CHECK-NEXT: for (int f = int(blockIdx.x) * 256 + threadIdx.x; f < 256; f += int(gridDim.x) * 256) {
// CHECK-NEXT: const int i0 = f;
// CHECK-NEXT: const float4 [[X:t[0-9]+]]_0 = reinterpret_cast<const float4 *>(in0)[i0];
// CHECK-NEXT: const float4 [[Y:t[0-9]+]]_0 = reinterpret_cast<const float4 *>(in1)[i0];
// CHECK-NEXT: const float [[M:t[0-9]+]] = ([[X]]_0.x * [[Y]]_0.x);
// CHECK-NEXT: const float [[T:t[0-9]+]] = tanhf([[M]]);
// The sigmoid of ScalarMath: exp(-|x|), then a select on the sign.
// CHECK-NEXT: fabsf([[T]])
// CHECK: expf(
// CHECK: [[X]]_0.w * [[Y]]_0.w
// CHECK: reinterpret_cast<float4 *>(out0)[i0] = make_float4(
// CHECK-NOT: __global__
func.func @chain(%x: tensor<1024xf32>, %y: tensor<1024xf32>) -> tensor<1024xf32> {
  %r = ej.fusion (%x, %y) : (tensor<1024xf32>, tensor<1024xf32>) -> tensor<1024xf32> {
  ^bb0(%a: tensor<1024xf32>, %b: tensor<1024xf32>):
    %0 = ej.mul %a, %b : tensor<1024xf32>, tensor<1024xf32>
    %1 = ej.tanh %0 : tensor<1024xf32>
    %2 = ej.sigmoid %1 : tensor<1024xf32>
    ej.yield %2 : tensor<1024xf32>
  }
  return %r : tensor<1024xf32>
}

// -----

// An extent that is not a multiple of 4 keeps scalar loads; several
// results of one shape share one kernel.
// CHECK-LABEL: // odd_f0: (in0: f64[3x5]) -> (out0: f64[3x5], out1: f64[3x5])
// CHECK-NEXT: //   odd_f0_k0<<<1, 256>>>(in0, out0, out1)
// CHECK: odd_f0_k0(const double *__restrict__ in0, double *__restrict__ out0, double *__restrict__ out1) {
// CHECK: const int i0 = f / 5;
// CHECK-NEXT: const int i1 = f % 5;
// CHECK-NEXT: const double [[X:t[0-9]+]] = in0[((i0 * 5) + i1)];
// CHECK-NEXT: const double [[E:t[0-9]+]] = exp([[X]]);
// CHECK-NEXT: const double [[L:t[0-9]+]] = log([[E]]);
// CHECK-NEXT: out0[((i0 * 5) + i1)] = [[E]];
// CHECK-NEXT: out1[((i0 * 5) + i1)] = [[L]];
func.func @odd(%x: tensor<3x5xf64>) -> (tensor<3x5xf64>, tensor<3x5xf64>) {
  %e = ej.exp %x : tensor<3x5xf64>
  %l = ej.log %e : tensor<3x5xf64>
  return %e, %l : tensor<3x5xf64>, tensor<3x5xf64>
}

// -----

// erf is the CUDA math library's, in the element's precision.
// CHECK-LABEL: // gauss_f0: (in0: f32[8], in1: f64[8]) -> (out0: f32[8], out1: f64[8])
// CHECK: const float t{{[0-9]+}} = erff(t{{[0-9]+}}_0.x);
// CHECK: const double t{{[0-9]+}} = erf(t{{[0-9]+}}_0.x);
func.func @gauss(%x: tensor<8xf32>, %y: tensor<8xf64>) -> (tensor<8xf32>, tensor<8xf64>) {
  %r:2 = ej.fusion (%x, %y) : (tensor<8xf32>, tensor<8xf64>) -> (tensor<8xf32>, tensor<8xf64>) {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf64>):
    %0 = ej.erf %a : tensor<8xf32>
    %1 = ej.erf %b : tensor<8xf64>
    ej.yield %0, %1 : tensor<8xf32>, tensor<8xf64>
  }
  return %r#0, %r#1 : tensor<8xf32>, tensor<8xf64>
}
