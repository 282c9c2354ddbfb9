// Bad command lines and inputs give one clear line and exit code 1.
// RUN: rm -rf %t && mkdir -p %t
// RUN: not ej-run %s --mode=fast 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not ej-run %s --device=gpu 2>&1 | FileCheck %s --check-prefix=GPU
// RUN: not ej-run %s --input arg0=%t/missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: echo "not numpy" > %t/bad.npy
// RUN: not ej-run %s --input arg0=%t/bad.npy 2>&1 | FileCheck %s --check-prefix=BADNPY
// RUN: not ej-run %s --input arg7=%t/bad.npy 2>&1 | FileCheck %s --check-prefix=NOARG
// RUN: not ej-run %s --func nope 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not ej-run %t/nothing.mlir 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not ej-run %s --bench x 2>&1 | FileCheck %s --check-prefix=BADNUM
// RUN: not ej-run %s --bench 1e3 2>&1 | FileCheck %s --check-prefix=BADNUM
// RUN: not ej-run %s --seed -1 2>&1 | FileCheck %s --check-prefix=BADSEED
// RUN: not ej-run %s --input arg0=%t/a.npy --input arg0=%t/b.npy 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not ej-run %s --func decl 2>&1 | FileCheck %s --check-prefix=DECL
// RUN: not ej-run %t 2>&1 | FileCheck %s --check-prefix=DIR
// RUN: not ej-run %s --func dynamic 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not ej-run %s --func bytes 2>&1 | FileCheck %s --check-prefix=BYTES
// RUN: not ej-run 2>&1 | FileCheck %s --check-prefix=NOINPUT

// MODE: ej-run: error: --mode must be interp, jit or both
// GPU: ej-run: error: --device=gpu needs the GPU backend
// MISSING: ej-run: error: npy: {{.*}}missing.npy: cannot open the file
// BADNPY: ej-run: error: npy: {{.*}}bad.npy: not a .npy file
// NOARG: ej-run: error: --input arg7: the function has no such argument
// NOFUNC: ej-run: error: mlir_arguments: the program has no function @nope
// NOFILE: ej-run: error: cannot open {{.*}}nothing.mlir
// BADNUM: ej-run: error: --bench expects a whole number from 0 to 2147483647, got '{{x|1e3}}'
// BADSEED: ej-run: error: --seed expects a whole number from 0 to 18446744073709551615, got '-1'
// TWICE: ej-run: error: --input arg0 is given twice
// DECL: ej-run: error: mlir_arguments: @decl has no body or several blocks
// DIR: ej-run: error: cannot open {{.*}}: it is a directory
// DYNAMIC: ej-run: error: mlir_arguments: argument 0 has the dynamic shape tensor<?xf32>; arguments need static shapes
// BYTES: ej-run: error: mlir: element type i8 is not one of f32, f64, i1, i32 and i64
// NOINPUT: ej-run: error: no input file
func.func @f(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ej.exp %a : tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func private @decl(%a: tensor<3xf32>) -> tensor<3xf32>

func.func @dynamic(%a: tensor<?xf32>) -> tensor<?xf32> {
  return %a : tensor<?xf32>
}

func.func @bytes(%a: tensor<4xi8>) -> tensor<4xi8> {
  return %a : tensor<4xi8>
}
