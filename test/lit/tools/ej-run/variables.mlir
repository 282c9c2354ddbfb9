// A variable argument starts from its input and its final value is shown.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ej-run %s --func init --output %t --quiet
// RUN: ej-run %s --func step --input arg0=%t/result0.npy | FileCheck %s
// CHECK: result 0: ej.Tensor([0. 1. 2.], shape=(3,), dtype=float32)
// CHECK: variable arg0: ej.Tensor([0. 2. 4.], shape=(3,), dtype=float32)
func.func @init() -> tensor<3xf32> {
  %0 = ej.arange start = 0.0 step = 1.0 : tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @step(%w: !ej.variable<tensor<3xf32>>) -> tensor<3xf32> {
  %0 = ej.variable_read %w : !ej.variable<tensor<3xf32>>
  %1 = ej.add %0, %0 : tensor<3xf32>, tensor<3xf32>
  %2 = ej.assign %w, %1 : !ej.variable<tensor<3xf32>>
  return %0 : tensor<3xf32>
}
