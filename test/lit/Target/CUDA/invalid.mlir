// RUN: ej-translate --ej-to-cuda -split-input-file -verify-diagnostics %s

func.func @gather_in_fusion(%p: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %r = ej.fusion (%p, %i) : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32> {
  ^bb0(%a: tensor<5x3xf32>, %b: tensor<2xi64>):
    // expected-error @+1 {{'ej.gather' op has no CUDA C form}}
    %0 = ej.gather %a, %b axis = 0 : tensor<5x3xf32>, tensor<2xi64>
    %1 = ej.exp %0 : tensor<2x3xf32>
    ej.yield %1 : tensor<2x3xf32>
  }
  return %r : tensor<2x3xf32>
}
