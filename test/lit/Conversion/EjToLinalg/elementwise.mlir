// RUN: ej-opt %s -split-input-file --convert-ej-to-linalg | FileCheck %s

// Broadcasting is in the indexing maps: size-1 axes read index 0, missing
// leading axes are not read.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = ej.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @sub_size_one_axis
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[COL]], #{{.*}}]
// CHECK: arith.subi
func.func @sub_size_one_axis(%a: tensor<4x5xi32>, %b: tensor<4x1xi32>) -> tensor<4x5xi32> {
  %0 = ej.sub %a, %b : tensor<4x5xi32>, tensor<4x1xi32>
  return %0 : tensor<4x5xi32>
}

// -----

// relu keeps NaN: x > 0 unordered (true for NaN) selects x.
// CHECK-LABEL: func.func @relu_keeps_nan
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[KEEP:.*]] = arith.cmpf ugt, %[[X]], %[[ZERO]] : f32
// CHECK: arith.select %[[KEEP]], %[[X]], %[[ZERO]] : f32
func.func @relu_keeps_nan(%a: tensor<8xf32>) -> tensor<8xf32> {
  %0 = ej.relu %a : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// sign: -1, 0 or 1, and a NaN stays NaN.
// CHECK-LABEL: func.func @sign_keeps_nan
// CHECK: ^bb0(%[[X:.*]]: f64, %{{.*}}: f64):
// CHECK-DAG: arith.cmpf ogt, %[[X]]
// CHECK-DAG: arith.cmpf olt, %[[X]]
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f64
// CHECK: arith.select %[[NAN]], %[[X]], %{{.*}} : f64
func.func @sign_keeps_nan(%a: tensor<8xf64>) -> tensor<8xf64> {
  %0 = ej.sign %a : tensor<8xf64>
  return %0 : tensor<8xf64>
}

// -----

// sigmoid through e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) below.
// CHECK-LABEL: func.func @sigmoid
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ABS:.*]] = math.absf %[[X]] : f32
// CHECK: %[[NEG:.*]] = arith.negf %[[ABS]] : f32
// CHECK: %[[E:.*]] = math.exp %[[NEG]] : f32
// CHECK: %[[D:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK: %[[R:.*]] = arith.divf %{{.*}}, %[[D]] : f32
// CHECK: %[[GE:.*]] = arith.cmpf oge, %[[X]], %{{.*}} : f32
// CHECK: %[[ER:.*]] = arith.mulf %[[E]], %[[R]] : f32
// CHECK: arith.select %[[GE]], %[[R]], %[[ER]] : f32
func.func @sigmoid(%a: tensor<8xf32>) -> tensor<8xf32> {
  %0 = ej.sigmoid %a : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// maximum propagates a NaN from either side: (a > b || isnan(a)) ? a : b.
// CHECK-LABEL: func.func @maximum_propagates_nan
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[A]], %[[B]] : f32
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[A]], %[[A]] : f32
// CHECK: %[[TAKE:.*]] = arith.ori %[[GT]], %[[NAN]] : i1
// CHECK: arith.select %[[TAKE]], %[[A]], %[[B]] : f32
func.func @maximum_propagates_nan(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ej.maximum %a, %b : tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Bools order false < true: unsigned comparisons.
// CHECK-LABEL: func.func @compare_bools
// CHECK: arith.cmpi ult
// CHECK-LABEL: func.func @compare_ints
// CHECK: arith.cmpi slt
// CHECK-LABEL: func.func @not_equal_floats
// CHECK: arith.cmpf une
func.func @compare_bools(%a: tensor<3xi1>, %b: tensor<3xi1>) -> tensor<3xi1> {
  %0 = ej.less %a, %b : tensor<3xi1>, tensor<3xi1>
  return %0 : tensor<3xi1>
}
func.func @compare_ints(%a: tensor<3xi64>, %b: tensor<3xi64>) -> tensor<3xi1> {
  %0 = ej.less %a, %b : tensor<3xi64>, tensor<3xi64>
  return %0 : tensor<3xi1>
}
func.func @not_equal_floats(%a: tensor<3xf32>, %b: tensor<f32>) -> tensor<3xi1> {
  %0 = ej.not_equal %a, %b : tensor<3xf32>, tensor<f32>
  return %0 : tensor<3xi1>
}

// -----

// Integer powers by squaring (a loop over the exponent's bits); negative
// exponents are handled apart.
// CHECK-LABEL: func.func @integer_pow
// CHECK: linalg.generic
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: arith.muli
// CHECK: arith.shrui
// CHECK: scf.yield
// CHECK: arith.cmpi slt
// CHECK-LABEL: func.func @float_pow
// CHECK: math.powf
func.func @integer_pow(%a: tensor<5xi32>, %b: tensor<5xi32>) -> tensor<5xi32> {
  %0 = ej.pow %a, %b : tensor<5xi32>, tensor<5xi32>
  return %0 : tensor<5xi32>
}
func.func @float_pow(%a: tensor<5xf32>, %b: tensor<f32>) -> tensor<5xf32> {
  %0 = ej.pow %a, %b : tensor<5xf32>, tensor<f32>
  return %0 : tensor<5xf32>
}

// -----

// Float to integer: NaN gives 0, out of range saturates, the rest
// truncates (fptosi on a value made safe first).
// CHECK-LABEL: func.func @cast_saturates
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: i32):
// CHECK: %[[LO:.*]] = arith.cmpf ole, %[[X]], %{{.*}} : f32
// CHECK: %[[HI:.*]] = arith.cmpf oge, %[[X]], %{{.*}} : f32
// CHECK: arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: %[[SAFE:.*]] = arith.select %{{.*}}, %[[X]], %{{.*}} : f32
// CHECK: %[[I:.*]] = arith.fptosi %[[SAFE]] : f32 to i32
// CHECK: %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK: %[[I2:.*]] = arith.select %[[LO]], %[[MIN]], %[[I]] : i32
// CHECK: %[[MAX:.*]] = arith.constant 2147483647 : i32
// CHECK: arith.select %[[HI]], %[[MAX]], %[[I2]] : i32
// CHECK-LABEL: func.func @cast_bool_to_float
// CHECK: arith.uitofp %{{.*}} : i1 to f64
// CHECK-LABEL: func.func @cast_to_bool
// CHECK: arith.cmpi ne, %{{.*}}, %{{.*}} : i64
func.func @cast_saturates(%a: tensor<4xf32>) -> tensor<4xi32> {
  %0 = ej.cast %a : tensor<4xf32> to tensor<4xi32>
  return %0 : tensor<4xi32>
}
func.func @cast_bool_to_float(%a: tensor<4xi1>) -> tensor<4xf64> {
  %0 = ej.cast %a : tensor<4xi1> to tensor<4xf64>
  return %0 : tensor<4xf64>
}
func.func @cast_to_bool(%a: tensor<4xi64>) -> tensor<4xi1> {
  %0 = ej.cast %a : tensor<4xi64> to tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// where broadcasts its three operands.
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @where
// CHECK: linalg.generic {indexing_maps = [#[[C]], #{{.*}}, #[[R]], #{{.*}}]
// CHECK: ^bb0(%[[P:.*]]: i1, %[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.select %[[P]], %[[A]], %[[B]] : f32
func.func @where(%c: tensor<4xi1>, %a: tensor<3x4xf32>, %b: tensor<3x1xf32>) -> tensor<3x4xf32> {
  %0 = ej.where %c, %a, %b : tensor<4xi1>, tensor<3x4xf32>, tensor<3x1xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A division stays a division, also by a divisor the innermost loop does
// not change (a row's sum): multiplying by its reciprocal would give inf
// for a divisor below 1 / FLT_MAX, where x / y is finite.
// CHECK-LABEL: func.func @divisors
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK-NOT: arcp
func.func @divisors(%x: tensor<8x16xf32>, %s: tensor<8x1xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %0 = ej.div %x, %s : tensor<8x16xf32>, tensor<8x1xf32>
  %1 = ej.div %x, %0 : tensor<8x16xf32>, tensor<8x16xf32>
  return %0, %1 : tensor<8x16xf32>, tensor<8x16xf32>
}
