// RUN: ej-opt --ej-autodiff --split-input-file --verify-diagnostics %s

func.func @integer_target(%x: tensor<3xf32>) -> tensor<3xi32> {
  %0 = ej.cast %x : tensor<3xf32> to tensor<3xi32>
  // expected-error @+1 {{the target has type tensor<3xi32>; only f32 and f64 tensors are differentiable}}
  return %0 : tensor<3xi32>
}

// -----

func.func @no_rule(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'arith.addf' op has no gradient rule, but a source reaches the target through it}}
  %0 = arith.addf %x, %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// expected-error @+1 {{has no result to differentiate}}
func.func @nothing(%x: tensor<3xf32>) {
  return
}

// -----

// expected-error @+1 {{cannot add @f_grad: the module already has it}}
func.func @f(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
func.func @f_grad(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
