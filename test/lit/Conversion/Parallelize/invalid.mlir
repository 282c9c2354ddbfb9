// RUN: ej-opt %s --pass-pipeline='builtin.module(func.func(ej-parallelize{block=0}))' -verify-diagnostics

// expected-error @+1 {{ej-parallelize: block must be positive, not 0}}
func.func @f() {
  return
}
