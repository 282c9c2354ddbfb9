// A program that does not parse: a located diagnostic and exit code 1.
// RUN: not ej-run %s 2>&1 | FileCheck %s
// CHECK: ej-run: error: mlir_arguments: the program does not parse or verify
// CHECK: malformed.mlir:6:8: 'ej.add' operand shapes 'tensor<2xf32>' and 'tensor<3xf32>' cannot be broadcast together
func.func @f(%a: tensor<2xf32>, %b: tensor<3xf32>) -> tensor<2xf32> {
  %0 = ej.add %a, %b : tensor<2xf32>, tensor<3xf32>
  return %0 : tensor<2xf32>
}
