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
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
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
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = "ej.mul"(%a, %b) : (tensor<*xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}
