// RUN: ej-opt %s -split-input-file --convert-ej-to-linalg -verify-diagnostics

// Ops without a lowering fail the pass with an error at each of them, so
// that the JIT leaves the function to the interpreter.
func.func @random(%seed: tensor<i64>, %offset: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'ej.random_uniform' op cannot be lowered to linalg}}
  %0 = ej.random_uniform %seed, %offset minval = 0.0 maxval = 1.0 : tensor<4xf32>
  %1 = ej.exp %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

func.func @variables(%w: !ej.variable<tensor<3xf32>>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'ej.variable_read' op cannot be lowered to linalg}}
  %0 = ej.variable_read %w : !ej.variable<tensor<3xf32>>
  %1 = ej.add %0, %x : tensor<3xf32>, tensor<3xf32>
  // expected-error @+1 {{'ej.assign' op cannot be lowered to linalg}}
  %2 = ej.assign %w, %1 : !ej.variable<tensor<3xf32>>
  return %2 : tensor<3xf32>
}

// -----

func.func @gather_one_hot_arange(%p: tensor<5x3xf32>, %i: tensor<2xi64>) -> (tensor<2x3xf32>, tensor<2x4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'ej.gather' op cannot be lowered to linalg}}
  %0 = ej.gather %p, %i axis = 0 : tensor<5x3xf32>, tensor<2xi64>
  // expected-error @+1 {{'ej.one_hot' op cannot be lowered to linalg}}
  %1 = ej.one_hot %i on = 1.0 off = 0.0 : tensor<2xi64> to tensor<2x4xf32>
  // expected-error @+1 {{'ej.arange' op cannot be lowered to linalg}}
  %2 = ej.arange start = 0.0 step = 1.0 : tensor<4xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x4xf32>, tensor<4xf32>
}

// -----

// The interpreter refuses the max of an empty axis; so does the lowering.
func.func @empty_max(%a: tensor<0x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'ej.reduce_max' op cannot be lowered to linalg}}
  %0 = ej.reduce_max %a axes = [0] : tensor<0x3xf32>
  return %0 : tensor<3xf32>
}
