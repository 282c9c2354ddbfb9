// RUN: ej-opt %s -split-input-file -verify-diagnostics

func.func @shapes_do_not_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'ej.add' operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' cannot be broadcast together}}
  %0 = ej.add %a, %b : tensor<2x3xf32>, tensor<4xf32>
  return
}

// -----

func.func @element_types_differ(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'ej.mul' operand element types differ: 'f32' and 'f64'}}
  %0 = ej.mul %a, %b : tensor<3xf32>, tensor<3xf64>
  return
}

// -----

func.func @unsupported_element_type(%a: tensor<3xi8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of}}
  %0 = "ej.add"(%a, %b) : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return
}

// -----

func.func @wrong_result_type(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'ej.add' op result type 'tensor<3x3xf32>' differs from the inferred type 'tensor<2x3xf32>'}}
  %0 = "ej.add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @unranked(%a: tensor<*xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of}}
  %0 = "ej.mul"(%a, %b) : (tensor<*xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @float_only_op_on_integers(%a: tensor<3xi32>) {
  // expected-error @+1 {{'ej.exp' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values}}
  %0 = ej.exp %a : tensor<3xi32>
  return
}

// -----

func.func @number_op_on_bools(%a: tensor<3xi1>) {
  // expected-error @+1 {{'ej.neg' op operand #0 must be statically shaped tensor of}}
  %0 = ej.neg %a : tensor<3xi1>
  return
}

// -----

func.func @logical_op_on_floats(%a: tensor<3xf32>) {
  // expected-error @+1 {{'ej.logical_and' op operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = ej.logical_and %a, %a : tensor<3xf32>, tensor<3xf32>
  return
}

// -----

func.func @div_of_integers(%a: tensor<3xi32>) {
  // expected-error @+1 {{'ej.div' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values}}
  %0 = ej.div %a, %a : tensor<3xi32>, tensor<3xi32>
  return
}

// -----

func.func @dynamic_shape(%a: tensor<?xf32>) {
  // expected-error @+1 {{'ej.sqrt' op operand #0 must be statically shaped tensor}}
  %0 = ej.sqrt %a : tensor<?xf32>
  return
}

// -----

func.func @compare_shapes(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'ej.less' operand shapes 'tensor<2xf32>' and 'tensor<3xf32>' cannot be broadcast together}}
  %0 = ej.less %a, %b : tensor<2xf32>, tensor<3xf32>
  return
}

// -----

func.func @compare_result_not_bool(%a: tensor<2xf32>) {
  // expected-error @+1 {{'ej.equal' op result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = "ej.equal"(%a, %a) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @where_condition_not_bool(%c: tensor<2xf32>, %a: tensor<2xf32>) {
  // expected-error @+1 {{'ej.where' op operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = "ej.where"(%c, %a, %a) : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @where_branches_differ(%c: tensor<2xi1>, %a: tensor<2xf32>, %b: tensor<2xf64>) {
  // expected-error @+1 {{'ej.where' operand element types differ: 'f32' and 'f64'}}
  %0 = ej.where %c, %a, %b : tensor<2xi1>, tensor<2xf32>, tensor<2xf64>
  return
}

// -----

func.func @where_condition_shape(%c: tensor<3xi1>, %a: tensor<2xf32>) {
  // expected-error @+1 {{'ej.where' operand shapes 'tensor<3xi1>' and 'tensor<2xf32>' cannot be broadcast together}}
  %0 = ej.where %c, %a, %a : tensor<3xi1>, tensor<2xf32>, tensor<2xf32>
  return
}

// -----

func.func @where_wrong_result(%c: tensor<2xi1>, %a: tensor<2xf32>) {
  // expected-error @+1 {{'ej.where' op result type 'tensor<2xf64>' differs from the inferred type 'tensor<2xf32>'}}
  %0 = "ej.where"(%c, %a, %a) : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf64>
  return
}

// -----

func.func @cast_changes_shape(%a: tensor<2xf32>) {
  // expected-error @+1 {{'ej.cast' op requires the same shape for all operands and results}}
  %0 = ej.cast %a : tensor<2xf32> to tensor<3xi32>
  return
}

// -----

func.func @unary_result_type_differs(%a: tensor<2xf32>) {
  // expected-error @+1 {{'ej.tanh' op requires the same type for all operands and results}}
  %0 = "ej.tanh"(%a) : (tensor<2xf32>) -> tensor<2xf64>
  return
}

// -----

func.func @reduce_axis_out_of_range(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'ej.reduce_sum' axis 2 is out of range for rank 2}}
  %0 = ej.reduce_sum %x axes = [2] : tensor<3x4xf32>
  return
}

// -----

func.func @reduce_axis_twice(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'ej.reduce_max' axis 1 is given twice}}
  %0 = ej.reduce_max %x axes = [1, 1] : tensor<3x4xf32>
  return
}

// -----

func.func @reduce_negative_axis(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'ej.reduce_min' axes [-1] must be non-negative}}
  %0 = ej.reduce_min %x axes = [-1] : tensor<3x4xf32>
  return
}

// -----

func.func @reduce_mean_of_integers(%x: tensor<3xi32>) {
  // expected-error @+1 {{'ej.reduce_mean' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values}}
  %0 = ej.reduce_mean %x axes = [0] : tensor<3xi32>
  return
}

// -----

func.func @reduce_wrong_result(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'ej.reduce_sum' op result type 'tensor<4xf32>' differs from the inferred type 'tensor<3xf32>'}}
  %0 = "ej.reduce_sum"(%x) <{axes = array<i64: 1>}> : (tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @argmax_axis(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'ej.argmax' axis 2 is out of range for rank 2}}
  %0 = ej.argmax %x axis = 2 : tensor<3x4xf32>
  return
}

// -----

func.func @argmin_empty_axis(%x: tensor<0x4xf32>) {
  // expected-error @+1 {{'ej.argmin' axis 0 of 'tensor<0x4xf32>' is empty}}
  %0 = ej.argmin %x axis = 0 : tensor<0x4xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'ej.matmul' inner dimensions differ: 'tensor<2x3xf32>' x 'tensor<4x5xf32>'}}
  %0 = ej.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{'ej.matmul' expects operands of rank >= 2}}
  %0 = ej.matmul %a, %b : tensor<3xf32>, tensor<3x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{'ej.matmul' batch dimensions of 'tensor<2x3x4xf32>' and 'tensor<3x4x5xf32>' cannot be broadcast together}}
  %0 = ej.matmul %a, %b : tensor<2x3x4xf32>, tensor<3x4x5xf32>
  return
}

// -----

func.func @matmul_types(%a: tensor<2x3xf32>, %b: tensor<3x5xf64>) {
  // expected-error @+1 {{'ej.matmul' operand element types differ: 'f32' and 'f64'}}
  %0 = ej.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf64>
  return
}

// -----

func.func @transpose_not_a_permutation(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ej.transpose' perm [0, 0] is not a permutation of [0, 2)}}
  %0 = ej.transpose %x perm = [0, 0] : tensor<2x3xf32>
  return
}

// -----

func.func @transpose_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ej.transpose' perm [-1, 0] is not a permutation of [0, 2)}}
  %0 = ej.transpose %x perm = [-1, 0] : tensor<2x3xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ej.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) into 'tensor<5xf32>' (5 elements)}}
  %0 = ej.reshape %x : tensor<2x3xf32> to tensor<5xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ej.reshape' op changes the element type from 'f32' to 'f64'}}
  %0 = ej.reshape %x : tensor<2x3xf32> to tensor<6xf64>
  return
}

// -----

func.func @broadcast_incompatible(%x: tensor<2xf32>) {
  // expected-error @+1 {{'ej.broadcast_to' op cannot broadcast 'tensor<2xf32>' to 'tensor<3xf32>'}}
  %0 = ej.broadcast_to %x : tensor<2xf32> to tensor<3xf32>
  return
}

// -----

func.func @broadcast_to_smaller(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ej.broadcast_to' op cannot broadcast 'tensor<2x3xf32>' to 'tensor<3xf32>'}}
  %0 = ej.broadcast_to %x : tensor<2x3xf32> to tensor<3xf32>
  return
}

// -----

func.func @slice_out_of_range(%x: tensor<6xf32>) {
  // expected-error @+1 {{'ej.slice' op axis 0 picks indices 4 to 8 of an axis of size 6}}
  %0 = ej.slice %x starts = [4] steps = [2] : tensor<6xf32> to tensor<3xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<6xf32>) {
  // expected-error @+1 {{'ej.slice' op step of axis 0 is zero}}
  %0 = ej.slice %x starts = [0] steps = [0] : tensor<6xf32> to tensor<3xf32>
  return
}

// -----

func.func @slice_rank(%x: tensor<6xf32>) {
  // expected-error @+1 {{'ej.slice' op result type 'tensor<3x1xf32>' must have the operand's rank and element type}}
  %0 = ej.slice %x starts = [0] steps = [1] : tensor<6xf32> to tensor<3x1xf32>
  return
}

// -----

func.func @concat_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x1xf32>) {
  // expected-error @+1 {{'ej.concat' operand 1 of type 'tensor<3x1xf32>' differs from operand 0 ('tensor<2x3xf32>') on an axis other than 1}}
  %0 = ej.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<3x1xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'ej.concat' axis 2 is out of range for rank 2}}
  %0 = ej.concat %a, %a axis = 2 : tensor<2x3xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @concat_types(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{'ej.concat' operand 1 has element type 'i32' but operand 0 has 'f32'}}
  %0 = ej.concat %a, %b axis = 0 : tensor<2xf32>, tensor<2xi32>
  return
}

// -----

func.func @gather_axis(%p: tensor<5x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'ej.gather' axis 2 is out of range for rank 2}}
  %0 = ej.gather %p, %i axis = 2 : tensor<5x3xf32>, tensor<2xi64>
  return
}

// -----

func.func @gather_float_indices(%p: tensor<5x3xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{'ej.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = ej.gather %p, %i axis = 0 : tensor<5x3xf32>, tensor<2xf32>
  return
}

// -----

func.func @one_hot_shape(%i: tensor<4xi32>) {
  // expected-error @+1 {{'ej.one_hot' op result type 'tensor<3x4xf32>' must be the indices' shape 'tensor<4xi32>' with one more axis (the depth)}}
  %0 = ej.one_hot %i on = 1.0 off = 0.0 : tensor<4xi32> to tensor<3x4xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ej.pad' expects 2 low and high paddings, got 1 and 2}}
  %0 = ej.pad %x low = [1] high = [0, 2] value = 0.0 : tensor<2x3xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<2xf32>) {
  // expected-error @+1 {{'ej.pad' paddings must be >= 0}}
  %0 = ej.pad %x low = [-1] high = [0] value = 0.0 : tensor<2xf32>
  return
}

// -----

func.func @arange_rank() {
  // expected-error @+1 {{'ej.arange' op result must be 1-d, got 'tensor<2x2xi32>'}}
  %0 = ej.arange start = 0.0 step = 1.0 : tensor<2x2xi32>
  return
}

// -----

func.func @linspace_rank() {
  // expected-error @+1 {{'ej.linspace' op result must be 1-d, got 'tensor<f32>'}}
  %0 = ej.linspace start = 0.0 stop = 1.0 : tensor<f32>
  return
}

// -----

func.func @eye_rank() {
  // expected-error @+1 {{'ej.eye' op result must be 2-d, got 'tensor<3xf32>'}}
  %0 = ej.eye : tensor<3xf32>
  return
}

// -----

func.func @uniform_bounds(%s: tensor<i64>) {
  // expected-error @+1 {{'ej.random_uniform' op minval must be < maxval}}
  %0 = ej.random_uniform %s, %s minval = 1.0 maxval = 1.0 : tensor<3xf32>
  return
}

// -----

func.func @normal_stddev(%s: tensor<i64>) {
  // expected-error @+1 {{'ej.random_normal' op stddev must be >= 0}}
  %0 = ej.random_normal %s, %s mean = 0.0 stddev = -1.0 : tensor<3xf32>
  return
}

// -----

func.func @random_integers(%s: tensor<i64>) {
  // expected-error @+1 {{'ej.random_normal' op result #0 must be statically shaped tensor of 32-bit float or 64-bit float values}}
  %0 = ej.random_normal %s, %s mean = 0.0 stddev = 1.0 : tensor<3xi32>
  return
}

// -----

func.func @random_seed_shape(%s: tensor<2xi64>, %o: tensor<i64>) {
  // expected-error @+1 {{'ej.random_uniform' op operand #0 must be 0D tensor of 64-bit signless integer values}}
  %0 = "ej.random_uniform"(%s, %o) <{minval = 0.0 : f64, maxval = 1.0 : f64}> : (tensor<2xi64>, tensor<i64>) -> tensor<3xf32>
  return
}

// -----

func.func @fusion_argument_types(%a: tensor<8xf32>) {
  // expected-error @+1 {{'ej.fusion' op block arguments must have the inputs' types}}
  %r = ej.fusion (%a) : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<4xf32>):
    ej.yield %x : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_yield_types(%a: tensor<8xf32>) {
  // expected-error @+1 {{'ej.fusion' op yields 1 values of types 'tensor<8xf32>' for results of types 'tensor<8xf64>'}}
  %r = ej.fusion (%a) : (tensor<8xf32>) -> tensor<8xf64> {
  ^bb0(%x: tensor<8xf32>):
    ej.yield %x : tensor<8xf32>
  }
  return
}

// -----

func.func @fusion_is_isolated(%a: tensor<8xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  %r = ej.fusion (%a) : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %s = ej.add %x, %a : tensor<8xf32>, tensor<8xf32>
    ej.yield %s : tensor<8xf32>
  }
  return
}

// -----

func.func @yield_outside_fusion(%a: tensor<8xf32>) {
  // expected-error @+1 {{'ej.yield' op expects parent op 'ej.fusion'}}
  ej.yield %a : tensor<8xf32>
}

// -----

func.func @assign_wrong_type(%w: !ej.variable<tensor<2xf32>>, %x: tensor<3xf32>) {
  // expected-error @+1 {{'ej.assign' op failed to verify that the value has the variable's value type}}
  %0 = "ej.assign"(%w, %x) : (!ej.variable<tensor<2xf32>>, tensor<3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @read_result_type(%w: !ej.variable<tensor<2xf32>>) {
  // expected-error @+2 {{'ej.variable_read' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2xf64>'}}
  // expected-error @+1 {{'ej.variable_read' op failed to infer returned types}}
  %0 = "ej.variable_read"(%w) : (!ej.variable<tensor<2xf32>>) -> tensor<2xf64>
  return
}

// -----

// expected-error @+2 {{invalid kind of type specified: expected builtin.tensor, but found 'f32'}}
// expected-error @+1 {{failed to parse Ej_VariableType parameter 'valueType' which is to be a `::mlir::RankedTensorType`}}
func.func @variable_of_a_non_tensor(%w: !ej.variable<f32>) {
  return
}
