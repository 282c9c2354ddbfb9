// The compiled path of ej-run: --mode=both compares the compiled results
// with the interpreter's, --mode=jit runs them alone, and a program the
// code generator cannot compile runs in the interpreter after one line.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ej-run %s --func chain --mode=both --quiet | FileCheck %s --check-prefix=BOTH
// RUN: ej-run %s --func softmax --mode=both --quiet | FileCheck %s --check-prefix=SOFTMAX
// RUN: ej-run %s --func ints --mode=jit > %t/jit.txt
// RUN: ej-run %s --func ints --mode=interp > %t/interp.txt
// RUN: cmp %t/jit.txt %t/interp.txt
// RUN: ej-run %s --func all_axes --mode=interp | FileCheck %s --check-prefix=ALL
// RUN: ej-run %s --func all_axes --mode=jit | FileCheck %s --check-prefix=ALL
// RUN: ej-run %s --func random --mode=jit 2>&1 | FileCheck %s --check-prefix=FALLBACK
// RUN: ej-run %s --func chain --mode=jit --quiet --bench 3 | FileCheck %s --check-prefix=BENCH
// RUN: ej-run %s --func chain --mode=both --quiet --bench 3 | FileCheck %s --check-prefix=BENCHBOTH
// RUN: env EJ_LOG=jit EJ_JIT_DISK_CACHE=0 ej-run %s --func chain --mode=jit --quiet 2>&1 | FileCheck %s --check-prefix=LOG

// Relative errors below 1e-4 (a few ulp of float32).
// BOTH: result 0: jit vs interp: max abs error {{[0-9.e-]+}}, max rel error {{(0|[0-9.]+e-0[5-9]|[0-9.]+e-[1-9][0-9])$}}
// BOTH-NOT: result 1
func.func @chain(%x: tensor<64x32xf32>, %y: tensor<32xf32>) -> tensor<64x32xf32> {
  %0 = ej.mul %x, %y : tensor<64x32xf32>, tensor<32xf32>
  %1 = ej.fill 1.0 : tensor<f32>
  %2 = ej.add %0, %1 : tensor<64x32xf32>, tensor<f32>
  %3 = ej.exp %2 : tensor<64x32xf32>
  %4 = ej.tanh %3 : tensor<64x32xf32>
  return %4 : tensor<64x32xf32>
}

// SOFTMAX: result 0: jit vs interp: max abs error {{[0-9.e-]+}}, max rel error {{(0|[0-9.]+e-0[5-9]|[0-9.]+e-[1-9][0-9])$}}
// SOFTMAX: result 1: jit vs interp: max abs error 0, max rel error 0
func.func @softmax(%x: tensor<16x100xf32>) -> (tensor<16x100xf32>, tensor<16xi64>) {
  %0 = ej.reduce_max %x axes = [1] keepdims : tensor<16x100xf32>
  %1 = ej.sub %x, %0 : tensor<16x100xf32>, tensor<16x1xf32>
  %2 = ej.exp %1 : tensor<16x100xf32>
  %3 = ej.reduce_sum %2 axes = [1] keepdims : tensor<16x100xf32>
  %4 = ej.div %2, %3 : tensor<16x100xf32>, tensor<16x1xf32>
  %5 = ej.argmax %4 axis = 1 : tensor<16x100xf32>
  return %4, %5 : tensor<16x100xf32>, tensor<16xi64>
}

func.func @ints(%a: tensor<4x5xi32>, %b: tensor<5xi32>) -> (tensor<4x5xi32>, tensor<4xi32>, tensor<5x4xi1>) {
  %0 = ej.mul %a, %b : tensor<4x5xi32>, tensor<5xi32>
  %1 = ej.reduce_sum %0 axes = [1] : tensor<4x5xi32>
  %2 = ej.transpose %0 perm = [1, 0] : tensor<4x5xi32>
  %3 = ej.fill 3.0 : tensor<i32>
  %4 = ej.greater %2, %3 : tensor<5x4xi32>, tensor<i32>
  return %0, %1, %4 : tensor<4x5xi32>, tensor<4xi32>, tensor<5x4xi1>
}

// An empty axes list reduces every axis, in the interpreter as compiled.
// ALL: result 0: ej.Tensor(21.0, shape=(), dtype=float32)
// ALL-NEXT: result 1: ej.Tensor(720.0, shape=(), dtype=float32)
// ALL-NEXT: result 2: ej.Tensor({{\[\[}}6.]], shape=(1, 1), dtype=float32)
// ALL-NEXT: result 3: ej.Tensor(1.0, shape=(), dtype=float32)
func.func @all_axes() -> (tensor<f32>, tensor<f32>, tensor<1x1xf32>, tensor<f32>) {
  %x = ej.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = ej.reduce_sum %x axes = [] : tensor<2x3xf32>
  %1 = ej.reduce_prod %x axes = [] : tensor<2x3xf32>
  %2 = ej.reduce_max %x axes = [] keepdims : tensor<2x3xf32>
  %3 = ej.reduce_min %x axes = [] : tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<1x1xf32>, tensor<f32>
}

// FALLBACK: ej-run: jit: cannot compile, running the interpreter: {{.*}}jit.mlir:{{[0-9]+}}:{{[0-9]+}}: 'ej.random_uniform' op cannot be lowered to linalg
// FALLBACK: result 0: ej.Tensor(
func.func @random(%seed: tensor<i64>, %offset: tensor<i64>) -> tensor<4xf32> {
  %0 = ej.random_uniform %seed, %offset minval = 0.0 maxval = 1.0 : tensor<4xf32>
  %1 = ej.exp %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// BENCH: ej-run: 3 runs (mode=jit, device=cpu): median {{.*}} us, min {{.*}} us, max {{.*}} us ({{compiled once|loaded from the disk cache}} in {{[0-9.]+}} ms)
// BENCH-NOT: result
// BENCHBOTH: ej-run: 3 runs (mode=interp, device=cpu)
// BENCHBOTH: ej-run: 3 runs (mode=jit, device=cpu)
// BENCHBOTH: result 0: jit vs interp

// EJ_LOG=jit says where a kernel's compile time went.
// LOG: [ej jit] kernel {{[0-9a-f]+}} compiled (ms): MLIR passes {{[0-9.]+}}, translation {{[0-9.]+}}, LLVM passes {{[0-9.]+}}, {{[1-9][0-9]*}} LLVM instructions, code generation {{[0-9.]+}}, linking {{[0-9.]+$}}
