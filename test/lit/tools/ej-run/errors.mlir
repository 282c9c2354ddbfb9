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
// RUN: not ej-run 2>&1 | FileCheck %s --check-prefix=NOINPUT

// MODE: ej-run: error: --mode must be interp, jit or both
// GPU: ej-run: error: --device=gpu needs the GPU backend
// MISSING: ej-run: error: npy: {{.*}}missing.npy: cannot open the file
// BADNPY: ej-run: error: npy: {{.*}}bad.npy: not a .npy file
// NOARG: ej-run: error: --input arg7: the function has no such argument
// NOFUNC: ej-run: error: mlir_arguments: the program has no function @nope
// NOFILE: ej-run: error: cannot open {{.*}}nothing.mlir
// BADNUM: ej-run: error: bad value
// NOINPUT: ej-run: error: no input file
func.func @f(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ej.exp %a : tensor<3xf32>
  return %0 : tensor<3xf32>
}
