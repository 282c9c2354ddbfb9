// RUN: ej-opt --ej-autodiff --split-input-file %s | FileCheck %s

// The gradient function keeps the forward ops and appends one VJP rule per
// op, last op first; cotangents of values used twice are summed.

// CHECK-LABEL: func.func @square_grad
// CHECK-SAME: (%[[X:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>)
// CHECK: %[[Y:.*]] = ej.mul %[[X]], %[[X]]
// CHECK: %[[ONE:.*]] = ej.fill 1.000000e+00 : tensor<f32>
// CHECK: %[[A:.*]] = ej.mul %[[ONE]], %[[X]]
// CHECK: %[[B:.*]] = ej.mul %[[ONE]], %[[X]]
// CHECK: %[[G:.*]] = ej.add %[[A]], %[[B]]
// CHECK: return %[[Y]], %[[G]]
func.func @square(%x: tensor<f32>) -> tensor<f32> {
  %0 = ej.mul %x, %x : tensor<f32>, tensor<f32>
  return %0 : tensor<f32>
}

// -----

// exp' = exp, tanh' = 1 - tanh^2, log' = 1/x.
// CHECK-LABEL: func.func @unary_grad
// CHECK: %[[E:.*]] = ej.exp %{{.*}}
// CHECK: %[[T:.*]] = ej.tanh %[[E]]
// CHECK: %[[ONES:.*]] = ej.fill 1.000000e+00 : tensor<4xf32>
// CHECK: %[[DLOG:.*]] = ej.div %[[ONES]], %[[T]]
// CHECK: %[[T2:.*]] = ej.mul %[[T]], %[[T]]
// CHECK: %[[ONE:.*]] = ej.fill 1.000000e+00 : tensor<f32>
// CHECK: %[[D:.*]] = ej.sub %[[ONE]], %[[T2]]
// CHECK: %[[DTANH:.*]] = ej.mul %[[DLOG]], %[[D]]
// CHECK: %[[DEXP:.*]] = ej.mul %[[DTANH]], %[[E]]
// CHECK: return %{{.*}}, %[[DEXP]]
func.func @unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ej.exp %x : tensor<4xf32>
  %1 = ej.tanh %0 : tensor<4xf32>
  %2 = ej.log %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// abs' = sign, sqrt' = 0.5 / sqrt, rsqrt' = -0.5 rsqrt^3.
// CHECK-LABEL: func.func @abs_sqrt_rsqrt_grad
// CHECK: %[[S:.*]] = ej.sqrt
// CHECK: %[[R:.*]] = ej.rsqrt %[[S]]
// CHECK: ej.fill -5.000000e-01 : tensor<f64>
// CHECK: %[[R2:.*]] = ej.mul %[[R]], %[[R]]
// CHECK: ej.mul %[[R]], %[[R2]]
// CHECK: ej.fill 5.000000e-01 : tensor<f64>
// CHECK: ej.div %{{.*}}, %[[S]]
// CHECK: %[[SIGN:.*]] = ej.sign %{{.*}} : tensor<4xf64>
// CHECK: %[[G:.*]] = ej.mul %{{.*}}, %[[SIGN]]
// CHECK: return %[[R]], %[[G]]
func.func @abs_sqrt_rsqrt(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = ej.abs %x : tensor<4xf64>
  %1 = ej.sqrt %0 : tensor<4xf64>
  %2 = ej.rsqrt %1 : tensor<4xf64>
  return %2 : tensor<4xf64>
}

// -----

// relu' = (x > 0), sigmoid' = y (1 - y).
// CHECK-LABEL: func.func @sigmoid_relu_grad
// CHECK: %[[Y:.*]] = ej.sigmoid
// CHECK: %[[POS:.*]] = ej.greater %[[Y]], %{{.*}} : tensor<4xf32>, tensor<f32>
// CHECK: %[[DRELU:.*]] = ej.where %[[POS]], %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xf32>, tensor<f32>
// CHECK: %[[OMY:.*]] = ej.sub %{{.*}}, %[[Y]]
// CHECK: %[[D:.*]] = ej.mul %[[Y]], %[[OMY]]
// CHECK: %[[G:.*]] = ej.mul %[[DRELU]], %[[D]]
// CHECK: return %{{.*}}, %[[G]]
func.func @sigmoid_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ej.sigmoid %x : tensor<4xf32>
  %1 = ej.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// cos' = -sin, sin' = cos.
// CHECK-LABEL: func.func @sin_cos_grad
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[S:.*]] = ej.sin %[[X]]
// CHECK: %[[SS:.*]] = ej.sin %[[S]]
// CHECK: %[[N:.*]] = ej.neg
// CHECK: %[[C:.*]] = ej.cos %[[X]]
// CHECK: %[[G:.*]] = ej.mul %[[N]], %[[C]]
// CHECK: return %{{.*}}, %[[G]]
func.func @sin_cos(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ej.sin %x : tensor<4xf32>
  %1 = ej.cos %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// erf' = 2 / sqrt(pi) exp(-x^2).
// CHECK-LABEL: func.func @erf_grad
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[G:.*]] = ej.fill 1.0{{.*}} : tensor<4xf32>
// CHECK: %[[SQ:.*]] = ej.mul %[[X]], %[[X]]
// CHECK: %[[NEG:.*]] = ej.neg %[[SQ]]
// CHECK: %[[GAUSS:.*]] = ej.exp %[[NEG]]
// CHECK: %[[C:.*]] = ej.fill 1.12837{{[0-9]*}} : tensor<f32>
// CHECK: %[[D:.*]] = ej.mul %[[GAUSS]], %[[C]]
// CHECK: %[[R:.*]] = ej.mul %[[G]], %[[D]]
// CHECK: return %{{.*}}, %[[R]]
func.func @erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ej.erf %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Nothing flows through floor or stop_gradient: the gradient is zeros.
// CHECK-LABEL: func.func @no_flow_grad
// CHECK: %[[Z:.*]] = ej.fill 0.000000e+00 : tensor<4xf32>
// CHECK: return %{{.*}}, %[[Z]]
func.func @no_flow(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ej.floor %x : tensor<4xf32>
  %1 = ej.stop_gradient %x : tensor<4xf32>
  %2 = ej.add %0, %1 : tensor<4xf32>, tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// A float cast's cotangent is cast back.
// CHECK-LABEL: func.func @cast_grad
// CHECK: %[[ONES:.*]] = ej.fill 1.000000e+00 : tensor<4xf64>
// CHECK: %[[G:.*]] = ej.cast %[[ONES]] : tensor<4xf64> to tensor<4xf32>
// CHECK: return %{{.*}}, %[[G]] : tensor<4xf64>, tensor<4xf32>
func.func @cast(%x: tensor<4xf32>) -> tensor<4xf64> {
  %0 = ej.cast %x : tensor<4xf32> to tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Broadcasting is undone by a keepdims sum and a reshape.
// CHECK-LABEL: func.func @broadcast_add_grad
// CHECK: %[[ONE:.*]] = ej.fill 1.000000e+00 : tensor<f32>
// CHECK: %[[K:.*]] = ej.reshape %[[ONE]] : tensor<f32> to tensor<1x1xf32>
// CHECK: %[[B:.*]] = ej.broadcast_to %[[K]] : tensor<1x1xf32> to tensor<2x3xf32>
// CHECK: %[[S:.*]] = ej.reduce_sum %[[B]] axes = [0] keepdims : tensor<2x3xf32>
// CHECK: %[[R:.*]] = ej.reshape %[[S]] : tensor<1x3xf32> to tensor<3xf32>
// CHECK: return %{{.*}}, %[[B]], %[[R]]
func.func @broadcast_add(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<f32> {
  %0 = ej.add %x, %b : tensor<2x3xf32>, tensor<3xf32>
  %1 = ej.reduce_sum %0 axes = [] : tensor<2x3xf32>
  return %1 : tensor<f32>
}

// -----

// d(a/b) = g/b and -(g/b)(a/b); d(a^b) = b a^(b-1) and a^b log a.
// CHECK-LABEL: func.func @div_pow_grad
// CHECK-SAME: (%[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<f32>)
// CHECK: %[[Q:.*]] = ej.div %[[A]], %[[B]]
// CHECK: %[[P:.*]] = ej.pow %[[Q]], %[[B]]
// CHECK: %[[BM1:.*]] = ej.sub %[[B]], %{{.*}}
// CHECK: ej.pow %[[Q]], %[[BM1]]
// CHECK: %[[LOG:.*]] = ej.log %[[Q]]
// CHECK: ej.where %{{.*}}, %[[LOG]], %{{.*}}
// CHECK: %[[GA:.*]] = ej.div %{{.*}}, %[[B]]
// CHECK: ej.mul %[[GA]], %[[Q]]
// CHECK: return %[[P]], %[[GA]], %{{.*}}
func.func @div_pow(%a: tensor<3xf32>, %b: tensor<f32>) -> tensor<3xf32> {
  %0 = ej.div %a, %b : tensor<3xf32>, tensor<f32>
  %1 = ej.pow %0, %b : tensor<3xf32>, tensor<f32>
  return %1 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @maximum_where_grad
// CHECK-SAME: (%[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<3xi1>)
// CHECK: %[[L:.*]] = ej.where %[[C]], %{{.*}}, %{{.*}} : tensor<3xi1>, tensor<3xf32>, tensor<f32>
// CHECK: %[[R:.*]] = ej.where %[[C]], %{{.*}}, %{{.*}} : tensor<3xi1>, tensor<f32>, tensor<3xf32>
// CHECK: %[[GE:.*]] = ej.greater_equal %[[A]], %[[B]]
// CHECK: %[[GA:.*]] = ej.where %[[GE]], %[[L]], %{{.*}}
// CHECK: %[[GB:.*]] = ej.where %[[GE]], %{{.*}}, %[[L]]
// CHECK: %[[SUM:.*]] = ej.add %[[R]], %[[GB]]
// CHECK: return %{{.*}}, %[[GA]], %[[SUM]]
func.func @maximum_where(%a: tensor<3xf32>, %b: tensor<3xf32>, %c: tensor<3xi1>) -> tensor<3xf32> {
  %0 = ej.maximum %a, %b : tensor<3xf32>, tensor<3xf32>
  %1 = ej.where %c, %0, %b : tensor<3xi1>, tensor<3xf32>, tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// The cotangent of a mean is spread and scaled by 1/n.
// CHECK-LABEL: func.func @variable_grad
// CHECK: %[[READ:.*]] = ej.variable_read
// CHECK: ej.broadcast_to %{{.*}} : tensor<1xf32> to tensor<3xf32>
// CHECK: %[[N:.*]] = ej.fill 0.33333333333333331 : tensor<f32>
// CHECK: %[[G:.*]] = ej.mul %{{.*}}, %[[N]]
// CHECK: %[[GW:.*]] = ej.mul %[[G]], %{{.*}}
// CHECK: %[[GX:.*]] = ej.mul %[[G]], %[[READ]]
// CHECK: return %{{.*}}, %[[GW]], %[[GX]]
func.func @variable(%w: !ej.variable<tensor<3xf32>>, %x: tensor<3xf32>) -> tensor<f32> {
  %0 = ej.variable_read %w : !ej.variable<tensor<3xf32>>
  %1 = ej.mul %0, %x : tensor<3xf32>, tensor<3xf32>
  %2 = ej.reduce_mean %1 axes = [0] : tensor<3xf32>
  return %2 : tensor<f32>
}

// -----

// The maximum's cotangent is shared among the elements equal to it.
// CHECK-LABEL: func.func @reduce_max_grad
// CHECK: %[[M:.*]] = ej.reduce_max
// CHECK: %[[MK:.*]] = ej.reshape %[[M]] : tensor<2xf32> to tensor<2x1xf32>
// CHECK: %[[EQ:.*]] = ej.equal %{{.*}}, %[[MK]]
// CHECK: %[[HIT:.*]] = ej.cast %[[EQ]] : tensor<2x3xi1> to tensor<2x3xf32>
// CHECK: %[[TIES:.*]] = ej.reduce_sum %[[HIT]] axes = [1] keepdims
// CHECK: %[[SHARE:.*]] = ej.div %[[HIT]], %[[TIES]]
// CHECK: %[[G:.*]] = ej.mul %{{.*}}, %[[SHARE]]
// CHECK: return %[[M]], %[[G]]
func.func @reduce_max(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = ej.reduce_max %x axes = [1] : tensor<2x3xf32>
  return %0 : tensor<2xf32>
}

// -----

// The product's partials are exact with zeros: prod of the non-zeros,
// divided by x where there is no zero, given to the one zero otherwise.
// CHECK-LABEL: func.func @reduce_prod_grad
// CHECK: %[[ISZ:.*]] = ej.equal %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<f32>
// CHECK: %[[NZ:.*]] = ej.where %[[ISZ]], %{{.*}}, %{{.*}} : tensor<3xi1>, tensor<f32>, tensor<3xf32>
// CHECK: %[[REST:.*]] = ej.reduce_prod %[[NZ]] axes = [] keepdims
// CHECK: ej.logical_and %{{.*}}, %[[ISZ]]
// CHECK: ej.div %[[REST]], %[[NZ]]
// CHECK: return
func.func @reduce_prod(%x: tensor<3xf32>) -> tensor<f32> {
  %0 = ej.reduce_prod %x axes = [] : tensor<3xf32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @matmul_grad
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK: %[[G:.*]] = ej.fill 1.000000e+00 : tensor<2x4xf32>
// CHECK: %[[BT:.*]] = ej.transpose %[[B]] perm = [1, 0]
// CHECK: %[[GA:.*]] = ej.matmul %[[G]], %[[BT]] : tensor<2x4xf32>, tensor<4x3xf32>
// CHECK: %[[AT:.*]] = ej.transpose %[[A]] perm = [1, 0]
// CHECK: %[[GB:.*]] = ej.matmul %[[AT]], %[[G]] : tensor<3x2xf32>, tensor<2x4xf32>
// CHECK: return %{{.*}}, %[[GA]], %[[GB]]
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = ej.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Reshape back, sum the broadcast axis, inverse permutation.
// CHECK-LABEL: func.func @shapes_grad
// CHECK: %[[R:.*]] = ej.reshape %{{.*}} : tensor<6x2xf32> to tensor<2x3x2xf32>
// CHECK: %[[S:.*]] = ej.reduce_sum %[[R]] axes = [0] keepdims
// CHECK: %[[U:.*]] = ej.reshape %[[S]] : tensor<1x3x2xf32> to tensor<3x2xf32>
// CHECK: %[[T:.*]] = ej.transpose %[[U]] perm = [1, 0] : tensor<3x2xf32>
// CHECK: return %{{.*}}, %[[T]]
func.func @shapes(%x: tensor<2x3xf32>) -> tensor<6x2xf32> {
  %0 = ej.transpose %x perm = [1, 0] : tensor<2x3xf32>
  %1 = ej.broadcast_to %0 : tensor<3x2xf32> to tensor<2x3x2xf32>
  %2 = ej.reshape %1 : tensor<2x3x2xf32> to tensor<6x2xf32>
  return %2 : tensor<6x2xf32>
}

// -----

// x[5::-2] picks 5, 3, 1: reverse, spread with zeros, pad into place.
// CHECK-LABEL: func.func @slice_grad
// CHECK: %[[REV:.*]] = ej.slice %{{.*}} starts = [2] steps = [-1] : tensor<3xf32> to tensor<3xf32>
// CHECK: %[[COL:.*]] = ej.reshape %[[REV]] : tensor<3xf32> to tensor<3x1xf32>
// CHECK: %[[SPREAD:.*]] = ej.pad %[[COL]] low = [0, 0] high = [0, 1]
// CHECK: %[[FLAT:.*]] = ej.reshape %[[SPREAD]] : tensor<3x2xf32> to tensor<6xf32>
// CHECK: %[[G:.*]] = ej.pad %[[FLAT]] low = [1] high = [0]
// CHECK: return %{{.*}}, %[[G]] : tensor<3xf32>, tensor<7xf32>
func.func @slice(%x: tensor<7xf32>) -> tensor<3xf32> {
  %0 = ej.slice %x starts = [5] steps = [-2] : tensor<7xf32> to tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_pad_grad
// CHECK: %[[IN:.*]] = ej.slice %{{.*}} starts = [1] steps = [1] : tensor<5xf32> to tensor<3xf32>
// CHECK: %[[GA:.*]] = ej.slice %[[IN]] starts = [0] steps = [1] : tensor<3xf32> to tensor<2xf32>
// CHECK: %[[GB:.*]] = ej.slice %[[IN]] starts = [2] steps = [1] : tensor<3xf32> to tensor<1xf32>
// CHECK: return %{{.*}}, %[[GA]], %[[GB]]
func.func @concat_pad(%a: tensor<2xf32>, %b: tensor<1xf32>) -> tensor<5xf32> {
  %0 = ej.concat %a, %b axis = 0 : tensor<2xf32>, tensor<1xf32>
  %1 = ej.pad %0 low = [1] high = [1] value = 0.0 : tensor<3xf32>
  return %1 : tensor<5xf32>
}

// -----

// Gather's cotangent is one_hot(indices)^T times g: repeated indices add up.
// CHECK-LABEL: func.func @gather_grad
// CHECK-SAME: (%[[P:.*]]: tensor<4x2xf32>, %[[I:.*]]: tensor<3xi64>)
// CHECK: %[[NEG:.*]] = ej.less %[[I]], %{{.*}} : tensor<3xi64>, tensor<i64>
// CHECK: %[[WRAP:.*]] = ej.add %[[I]], %{{.*}} : tensor<3xi64>, tensor<i64>
// CHECK: %[[IDX:.*]] = ej.where %[[NEG]], %[[WRAP]], %[[I]]
// CHECK: %[[HOT:.*]] = ej.one_hot %[[IDX]] on = 1.000000e+00 off = 0.000000e+00 : tensor<3xi64> to tensor<3x4xf32>
// CHECK: %[[HT:.*]] = ej.transpose %[[HOT]] perm = [1, 0]
// CHECK: %[[M:.*]] = ej.matmul %[[HT]], %{{.*}} : tensor<4x3xf32>, tensor<1x3x2xf32>
// CHECK: %[[G:.*]] = ej.reshape %[[M]] : tensor<1x4x2xf32> to tensor<4x2xf32>
// CHECK: return %{{.*}}, %[[G]] : tensor<3x2xf32>, tensor<4x2xf32>
func.func @gather(%p: tensor<4x2xf32>, %i: tensor<3xi64>) -> tensor<3x2xf32> {
  %0 = ej.gather %p, %i axis = 0 : tensor<4x2xf32>, tensor<3xi64>
  return %0 : tensor<3x2xf32>
}

// -----

// An assignment passes its value's cotangent on; the variable itself gets
// nothing from it (only reads feed a variable's gradient).
// CHECK-LABEL: func.func @assign_copy_grad
// CHECK: %[[V:.*]] = ej.assign
// CHECK: %[[TWO:.*]] = ej.fill 2.000000e+00 : tensor<f32>
// CHECK: %[[D:.*]] = ej.mul %[[V]], %[[TWO]]
// CHECK: %[[G:.*]] = ej.mul %{{.*}}, %[[D]]
// CHECK: %[[Z:.*]] = ej.fill 0.000000e+00 : tensor<2xf32>
// CHECK: return %{{.*}}, %[[Z]], %[[G]]
func.func @assign_copy(%v: !ej.variable<tensor<2xf32>>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = ej.copy %x : tensor<2xf32>
  %1 = ej.assign %v, %0 : !ej.variable<tensor<2xf32>>
  %2 = ej.square %1 : tensor<2xf32>
  return %2 : tensor<2xf32>
}

// -----

// neg' = -1, square' = 2x, minimum sends ties left, ceil and sign send
// nothing, reduce_min shares among ties. The cotangent built for sign's
// side of the sub is dead and dropped.
// CHECK-LABEL: func.func @more_grad
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[N:.*]] = ej.neg %[[A]]
// CHECK: %[[M:.*]] = ej.minimum %[[N]], %[[B]]
// CHECK: ej.equal
// CHECK: %[[G:.*]] = ej.mul %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>
// CHECK-NOT: ej.neg
// CHECK: %[[TWO:.*]] = ej.fill 2.000000e+00 : tensor<f32>
// CHECK: %[[DX:.*]] = ej.mul %[[M]], %[[TWO]]
// CHECK: %[[GS:.*]] = ej.mul %[[G]], %[[DX]]
// CHECK: %[[LE:.*]] = ej.less_equal %[[N]], %[[B]]
// CHECK: %[[GL:.*]] = ej.where %[[LE]], %[[GS]], %{{.*}}
// CHECK: %[[GR:.*]] = ej.where %[[LE]], %{{.*}}, %[[GS]]
// CHECK: %[[SB:.*]] = ej.reduce_sum %[[GR]] axes = [0] keepdims
// CHECK: %[[GB:.*]] = ej.reshape %[[SB]] : tensor<1x3xf32> to tensor<3xf32>
// CHECK: %[[GA:.*]] = ej.neg %[[GL]]
// CHECK: return %{{.*}}, %[[GA]], %[[GB]]
func.func @more(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2xf32> {
  %0 = ej.neg %a : tensor<2x3xf32>
  %1 = ej.minimum %0, %b : tensor<2x3xf32>, tensor<3xf32>
  %2 = ej.square %1 : tensor<2x3xf32>
  %3 = ej.ceil %2 : tensor<2x3xf32>
  %4 = ej.sign %2 : tensor<2x3xf32>
  %5 = ej.sub %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>
  %6 = ej.add %2, %5 : tensor<2x3xf32>, tensor<2x3xf32>
  %7 = ej.reduce_min %6 axes = [1] : tensor<2x3xf32>
  return %7 : tensor<2xf32>
}
