// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-approximate-math))' | FileCheck %s

// f32 erf: the input clamped to [-4, 4] by ordered comparisons (a NaN
// passes), then a P(a^2) / Q(a^2) by two FMA chains: no selects between
// coefficients, no libm call.
// CHECK-LABEL: func.func @erf_f32
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK-DAG: %[[HI:.*]] = arith.constant 4.000000e+00 : f32
// CHECK-DAG: %[[LO:.*]] = arith.constant -4.000000e+00 : f32
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[HI]]
// CHECK: %[[A1:.*]] = arith.select %[[GT]], %[[HI]], %[[X]]
// CHECK: %[[LT:.*]] = arith.cmpf olt, %[[A1]], %[[LO]]
// CHECK: %[[A:.*]] = arith.select %[[LT]], %[[LO]], %[[A1]]
// CHECK: %[[T:.*]] = arith.mulf %[[A]], %[[A]]
// CHECK-COUNT-6: math.fma %[[T]]
// CHECK: %[[NUM:.*]] = arith.mulf %[[A]], %{{.*}}
// CHECK-COUNT-5: math.fma %[[T]]
// CHECK: %[[R:.*]] = arith.divf %[[NUM]], %{{.*}}
// CHECK-NOT: arith.select
// CHECK: return %[[R]]
func.func @erf_f32(%x: f32) -> f32 {
  %r = math.erf %x : f32
  return %r : f32
}

// -----

// The same on vectors, with splat constants.
// CHECK-LABEL: func.func @erf_vector
// CHECK: arith.constant dense<4.000000e+00> : vector<8xf32>
// CHECK-COUNT-11: math.fma
// CHECK: arith.divf %{{.*}}, %{{.*}} : vector<8xf32>
func.func @erf_vector(%x: vector<8xf32>) -> vector<8xf32> {
  %r = math.erf %x : vector<8xf32>
  return %r : vector<8xf32>
}

// -----

// f64 has no approximation: erf stays for libm, exp of f32 becomes MLIR's
// polynomial.
// CHECK-LABEL: func.func @others
// CHECK: math.erf %{{.*}} : f64
// CHECK-NOT: math.exp
func.func @others(%x: f64, %y: f32) -> (f64, f32) {
  %r = math.erf %x : f64
  %e = math.exp %y : f32
  return %r, %e : f64, f32
}
