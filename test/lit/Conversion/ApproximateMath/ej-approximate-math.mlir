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

// f32 exp: the input clamped to [-176, 88.73] by ordered comparisons (a
// NaN passes), k = rint(x log2 e) by adding 1.5 * 2^23, r = x - k ln 2 in
// two FMAs, a polynomial of degree 6 in six more, and the scale 2^k as
// two powers of two, each its biased exponent (+ 127) shifted into place
// (<< 23): no selects after the clamps.
// CHECK-LABEL: func.func @exp_f32
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK-DAG: %[[HI:.*]] = arith.constant 8.873000e+01 : f32
// CHECK-DAG: %[[LO:.*]] = arith.constant -1.760000e+02 : f32
// CHECK-DAG: %[[BIAS:.*]] = arith.constant 127 : i32
// CHECK-DAG: %[[PLACE:.*]] = arith.constant 23 : i32
// CHECK-DAG: %[[MAGIC:.*]] = arith.constant 0x4B400000 : f32
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[HI]]
// CHECK: %[[X1:.*]] = arith.select %[[GT]], %[[HI]], %[[X]]
// CHECK: %[[LT:.*]] = arith.cmpf olt, %[[X1]], %[[LO]]
// CHECK: %[[X2:.*]] = arith.select %[[LT]], %[[LO]], %[[X1]]
// CHECK: %[[T:.*]] = math.fma %[[X2]], %{{.*}}, %[[MAGIC]]
// CHECK: %[[K:.*]] = arith.subf %[[T]], %[[MAGIC]]
// CHECK: %[[R1:.*]] = math.fma %[[K]], %{{.*}}, %[[X2]]
// CHECK: %[[R:.*]] = math.fma %[[K]], %{{.*}}, %[[R1]]
// CHECK-COUNT-6: math.fma %[[R]]
// CHECK-NOT: arith.select
// CHECK: %[[TBITS:.*]] = arith.bitcast %[[T]] : f32 to i32
// CHECK: %[[KINT:.*]] = arith.subi %[[TBITS]]
// CHECK: %[[H:.*]] = arith.shrsi %[[KINT]]
// CHECK: %[[REST:.*]] = arith.subi %[[KINT]], %[[H]]
// CHECK: %[[HB:.*]] = arith.addi %[[H]], %[[BIAS]]
// CHECK: %[[HS:.*]] = arith.shli %[[HB]], %[[PLACE]]
// CHECK: %[[H2:.*]] = arith.bitcast %[[HS]] : i32 to f32
// CHECK: %[[S:.*]] = arith.mulf %{{.*}}, %[[H2]]
// CHECK: %[[RB:.*]] = arith.addi %[[REST]], %[[BIAS]]
// CHECK: %[[RS:.*]] = arith.shli %[[RB]], %[[PLACE]]
// CHECK: %[[R2:.*]] = arith.bitcast %[[RS]] : i32 to f32
// CHECK-NOT: arith.select
// CHECK: %[[E:.*]] = arith.mulf %[[S]], %[[R2]]
// CHECK-NOT: math.exp
// CHECK: return %[[E]]
func.func @exp_f32(%x: f32) -> f32 {
  %e = math.exp %x : f32
  return %e : f32
}

// -----

// On vectors the integer steps are vectors of i32.
// CHECK-LABEL: func.func @exp_vector
// CHECK: arith.bitcast %{{.*}} : vector<8xf32> to vector<8xi32>
// CHECK: arith.shrsi %{{.*}} : vector<8xi32>
// CHECK-NOT: math.exp
func.func @exp_vector(%x: vector<8xf32>) -> vector<8xf32> {
  %e = math.exp %x : vector<8xf32>
  return %e : vector<8xf32>
}

// -----

// MLIR's expm1 is built on an exp, which becomes ours.
// CHECK-LABEL: func.func @expm1_f32
// CHECK: arith.shrsi
// CHECK-NOT: math.exp
func.func @expm1_f32(%x: f32) -> f32 {
  %e = math.expm1 %x : f32
  return %e : f32
}

// -----

// f64 has no approximation: erf and exp stay for libm.
// CHECK-LABEL: func.func @others
// CHECK: math.erf %{{.*}} : f64
// CHECK: math.exp %{{.*}} : f64
func.func @others(%x: f64, %y: f64) -> (f64, f64) {
  %r = math.erf %x : f64
  %e = math.exp %y : f64
  return %r, %e : f64, f64
}
