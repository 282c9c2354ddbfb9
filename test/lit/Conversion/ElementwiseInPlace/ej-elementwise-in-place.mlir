// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-elementwise-in-place))' | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#red = affine_map<(d0, d1) -> (d0)>

// softmax's quotient: the exponentials are read by the sum before it and
// by nothing after it, so the quotient is written over them.
// CHECK-LABEL: func.func @quotient_over_exponentials
// CHECK: %[[E:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8x1024xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[E]], %{{.*}} : tensor<8x1024xf32>, tensor<8x1xf32>) outs(%[[E]] : tensor<8x1024xf32>)
// CHECK: arith.divf
func.func @quotient_over_exponentials(%x: tensor<8x1024xf32>, %m: tensor<8x1xf32>,
                                      %s: tensor<8x1xf32>) -> tensor<8x1024xf32> {
  %empty = tensor.empty() : tensor<8x1024xf32>
  %e = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %m : tensor<8x1024xf32>, tensor<8x1xf32>) outs(%empty : tensor<8x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %v = math.exp %d : f32
    linalg.yield %v : f32
  } -> tensor<8x1024xf32>
  %q = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%e, %s : tensor<8x1024xf32>, tensor<8x1xf32>) outs(%empty : tensor<8x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.divf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<8x1024xf32>
  return %q : tensor<8x1024xf32>
}

// -----

// An input read after the op keeps its buffer.
// CHECK-LABEL: func.func @read_after
// CHECK: %[[E:.*]] = tensor.empty
// CHECK: linalg.generic
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<16xf32>)
func.func @read_after(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %empty = tensor.empty() : tensor<16xf32>
  %e = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.exp %a : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  %q = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%e : tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %a : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  return %q, %e : tensor<16xf32>, tensor<16xf32>
}

// -----

// Inputs that are not temporaries of the function (its arguments), of
// another type, read transposed, or read after the op through a view made
// before it, all stay apart from the output.
// CHECK-LABEL: func.func @stays
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x4xf16>)
// CHECK: %[[S:.*]] = linalg.generic {{.*}} outs(%[[E]] : tensor<4x4xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<4x4xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<4x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<4x4xf32>) outs(%[[E]] : tensor<4x4xf32>)
// CHECK: %[[V:.*]] = linalg.generic {{.*}} outs(%[[E]] : tensor<4x4xf32>)
// CHECK: tensor.collapse_shape %[[V]]
// CHECK: linalg.generic {{.*}} ins(%[[V]] : tensor<4x4xf32>) outs(%[[E]] : tensor<4x4xf32>)
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#tr2 = affine_map<(d0, d1) -> (d1, d0)>
func.func @stays(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<16xf32>) {
  %empty = tensor.empty() : tensor<4x4xf32>
  %empty16 = tensor.empty() : tensor<4x4xf16>
  %h = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%empty16 : tensor<4x4xf16>) {
  ^bb0(%a: f32, %o: f16):
    %v = arith.truncf %a : f32 to f16
    linalg.yield %v : f16
  } -> tensor<4x4xf16>
  %s = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %a : f32
    linalg.yield %v : f32
  } -> tensor<4x4xf32>
  // Reads its argument %x only.
  %0 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<4x4xf32>
  // Reads %h, of another type.
  %1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x4xf16>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%a: f16, %o: f32):
    %v = arith.extf %a : f16 to f32
    linalg.yield %v : f32
  } -> tensor<4x4xf32>
  // Reads %s transposed.
  %2 = linalg.generic {indexing_maps = [#tr2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<4x4xf32>
  // %v is read after %3 through a view made before it.
  %v = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %w = arith.addf %a, %a : f32
    linalg.yield %w : f32
  } -> tensor<4x4xf32>
  %flat = tensor.collapse_shape %v [[0, 1]] : tensor<4x4xf32> into tensor<16xf32>
  %3 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%v : tensor<4x4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %w = arith.negf %a : f32
    linalg.yield %w : f32
  } -> tensor<4x4xf32>
  return %0, %1, %2, %3, %flat : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<16xf32>
}

// -----

// An output its body reads (an accumulation in place) stays.
// CHECK-LABEL: func.func @reads_its_output
// CHECK: %[[E:.*]] = tensor.empty
// CHECK: linalg.generic
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<16xf32>)
func.func @reads_its_output(%x: tensor<16xf32>) -> tensor<16xf32> {
  %empty = tensor.empty() : tensor<16xf32>
  %e = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.exp %a : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  %q = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%e : tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.addf %a, %o : f32
    linalg.yield %v : f32
  } -> tensor<16xf32>
  return %q : tensor<16xf32>
}
