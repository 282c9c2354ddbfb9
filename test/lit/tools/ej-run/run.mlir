// ej-run on a program without arguments, on random inputs, and on inputs
// saved by an earlier run.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ej-run %s --func make --output %t | FileCheck %s --check-prefix=MAKE
// RUN: ej-run %s --func square --input arg0=%t/result0.npy | FileCheck %s --check-prefix=SQUARE
// RUN: ej-run %s --func square --seed 3 --quiet --bench 5 | FileCheck %s --check-prefix=BENCH
// RUN: ej-run %s --func square --seed 3 > %t/a.txt
// RUN: ej-run %s --func square --seed 3 > %t/b.txt
// RUN: cmp %t/a.txt %t/b.txt

// MAKE: result 0: ej.Tensor(
// MAKE-NEXT: {{\[\[}}0. 1. 2.]
// MAKE-NEXT: [3. 4. 5.]], shape=(2, 3), dtype=float32)
func.func @make() -> tensor<2x3xf32> {
  %0 = ej.arange start = 0.0 step = 1.0 : tensor<6xf32>
  %1 = ej.reshape %0 : tensor<6xf32> to tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// SQUARE: result 0: ej.Tensor(
// SQUARE-NEXT: {{\[\[}} 0.  1.  4.]
// SQUARE-NEXT: [ 9. 16. 25.]], shape=(2, 3), dtype=float32)
// SQUARE: result 1: ej.Tensor([ 5. 50.], shape=(2,), dtype=float32)
// BENCH: ej-run: 5 runs (mode=interp, device=cpu): median {{.*}} us, min {{.*}} us, max {{.*}} us
// BENCH-NOT: result
func.func @square(%a: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>) {
  %0 = ej.mul %a, %a : tensor<2x3xf32>, tensor<2x3xf32>
  %1 = ej.reduce_sum %0 axes = [1] : tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2xf32>
}
