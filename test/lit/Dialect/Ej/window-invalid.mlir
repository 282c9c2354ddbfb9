// RUN: ej-opt %s -split-input-file -verify-diagnostics

func.func @conv2d_channels_differ(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x4x5xf32>) {
  // expected-error @+1 {{'ej.conv2d' input channels differ: 'tensor<1x8x8x3xf32>' and filter 'tensor<3x3x4x5xf32>'}}
  %0 = ej.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] : tensor<1x8x8x3xf32>, tensor<3x3x4x5xf32>
  return
}

// -----

func.func @conv2d_not_4d(%x: tensor<8x8x3xf32>, %w: tensor<3x3x3x5xf32>) {
  // expected-error @+1 {{'ej.conv2d' expects 4-d operands, got 'tensor<8x8x3xf32>' and 'tensor<3x3x3x5xf32>'}}
  %0 = ej.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] : tensor<8x8x3xf32>, tensor<3x3x3x5xf32>
  return
}

// -----

func.func @conv2d_zero_stride(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x5xf32>) {
  // expected-error @+1 {{'ej.conv2d' strides must be >= 1}}
  %0 = ej.conv2d %x, %w strides = [0, 1] padding = [0, 0, 0, 0] : tensor<1x8x8x3xf32>, tensor<3x3x3x5xf32>
  return
}

// -----

func.func @conv2d_three_paddings(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x5xf32>) {
  // expected-error @+1 {{'ej.conv2d' expects 2 strides and 4 paddings (top, bottom, left, right), got 2 strides and 3 paddings}}
  %0 = ej.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0] : tensor<1x8x8x3xf32>, tensor<3x3x3x5xf32>
  return
}

// -----

func.func @conv2d_filter_too_large(%x: tensor<1x4x4x3xf32>, %w: tensor<5x5x3x5xf32>) {
  // expected-error @+1 {{'ej.conv2d' window does not fit in 'tensor<1x4x4x3xf32>' with this padding}}
  %0 = ej.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] : tensor<1x4x4x3xf32>, tensor<5x5x3x5xf32>
  return
}

// -----

func.func @conv2d_element_types_differ(%x: tensor<1x4x4x3xf32>, %w: tensor<1x1x3x5xf64>) {
  // expected-error @+1 {{'ej.conv2d' operand element types differ: 'f32' and 'f64'}}
  %0 = ej.conv2d %x, %w strides = [1, 1] padding = [0, 0, 0, 0] : tensor<1x4x4x3xf32>, tensor<1x1x3x5xf64>
  return
}

// -----

func.func @conv2d_wrong_result(%x: tensor<1x4x4x3xf32>, %w: tensor<1x1x3x5xf32>) {
  // expected-error @+1 {{'ej.conv2d' op result type 'tensor<1x4x4x4xf32>' differs from the inferred type 'tensor<1x4x4x5xf32>'}}
  %0 = "ej.conv2d"(%x, %w) {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x3xf32>, tensor<1x1x3x5xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @backprop_input_grad_mismatch(%g: tensor<1x4x4x5xf32>, %w: tensor<3x3x3x5xf32>) {
  // expected-error @+1 {{'ej.conv2d_backprop_input' op grad type 'tensor<1x4x4x5xf32>' differs from the forward result type 'tensor<1x6x6x5xf32>'}}
  %0 = ej.conv2d_backprop_input %g, %w strides = [1, 1] padding = [0, 0, 0, 0] : tensor<1x4x4x5xf32>, tensor<3x3x3x5xf32> to tensor<1x8x8x3xf32>
  return
}

// -----

func.func @backprop_filter_channels(%x: tensor<1x8x8x2xf32>, %g: tensor<1x6x6x5xf32>) {
  // expected-error @+1 {{'ej.conv2d_backprop_filter' input channels differ: 'tensor<1x8x8x2xf32>' and filter 'tensor<3x3x3x5xf32>'}}
  %0 = ej.conv2d_backprop_filter %x, %g strides = [1, 1] padding = [0, 0, 0, 0] : tensor<1x8x8x2xf32>, tensor<1x6x6x5xf32> to tensor<3x3x3x5xf32>
  return
}

// -----

func.func @pool_padding_not_smaller_than_window(%x: tensor<1x8x8x3xf32>) {
  // expected-error @+1 {{'ej.max_pool' paddings must be >= 0 (and, for pooling, smaller than the window)}}
  %0 = ej.max_pool %x window = [2, 2] strides = [2, 2] padding = [2, 0, 0, 0] : tensor<1x8x8x3xf32>
  return
}

// -----

func.func @pool_one_window_extent(%x: tensor<1x8x8x3xf32>) {
  // expected-error @+1 {{'ej.avg_pool' expects 2 window extents, 2 strides and 4 paddings (top, bottom, left, right), got 1 window extents, 2 strides and 4 paddings}}
  %0 = ej.avg_pool %x window = [2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x8x8x3xf32>
  return
}

// -----

func.func @max_pool_grad_mismatch(%x: tensor<1x8x8x3xf32>, %g: tensor<1x3x3x3xf32>) {
  // expected-error @+1 {{'ej.max_pool_grad' op grad type 'tensor<1x3x3x3xf32>' differs from the forward result type 'tensor<1x4x4x3xf32>'}}
  %0 = ej.max_pool_grad %x, %g window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x8x8x3xf32>, tensor<1x3x3x3xf32>
  return
}

// -----

func.func @avg_pool_grad_mismatch(%g: tensor<1x3x3x3xf32>) {
  // expected-error @+1 {{'ej.avg_pool_grad' op grad type 'tensor<1x3x3x3xf32>' differs from the forward result type 'tensor<1x4x4x3xf32>'}}
  %0 = ej.avg_pool_grad %g window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x3x3x3xf32> to tensor<1x8x8x3xf32>
  return
}
