// RUN: ej-opt %s --ej-cpu-pipeline -verify-diagnostics

// An op without a lowering stops the pipeline with its error.
func.func @random(%seed: tensor<i64>, %offset: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'ej.random_normal' op cannot be lowered to linalg}}
  %0 = ej.random_normal %seed, %offset mean = 0.0 stddev = 1.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}
