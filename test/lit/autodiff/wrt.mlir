// RUN: ej-opt --ej-autodiff="wrt=1" %s | FileCheck %s
// RUN: ej-opt --ej-autodiff="wrt=2" --verify-diagnostics --split-input-file %s

// Only the listed arguments get a gradient.
// CHECK-LABEL: func.func @f_grad
// CHECK-SAME: (%{{.*}}: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
// CHECK: %[[S:.*]] = ej.reduce_sum %{{.*}} axes = [0] keepdims
// CHECK: %[[G:.*]] = ej.reshape %[[S]] : tensor<1x3xf32> to tensor<3xf32>
// CHECK: return %{{.*}}, %[[G]] : tensor<f32>, tensor<3xf32>
// expected-error @+1 {{wrt names argument 2, but @f has 2}}
func.func @f(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<f32> {
  %0 = ej.add %x, %b : tensor<2x3xf32>, tensor<3xf32>
  %1 = ej.reduce_sum %0 axes = [] : tensor<2x3xf32>
  return %1 : tensor<f32>
}
