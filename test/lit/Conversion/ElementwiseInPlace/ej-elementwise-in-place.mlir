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

// Inputs that are not temporaries of the function (its arguments), that
// are read broadcast or have another type all stay apart from the output.
// CHECK-LABEL: func.func @stays
// CHECK: %[[E:.*]] = tensor.empty() : tensor<8x4xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<8x4xf16>)
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<8x4xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<8x4xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<8xf32>) outs(%[[E]] : tensor<8x4xf32>)
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
func.func @stays(%x: tensor<8x4xf32>, %y: tensor<8xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>) {
  %empty = tensor.empty() : tensor<8x4xf32>
  %empty16 = tensor.empty() : tensor<8x4xf16>
  %h = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x4xf32>) outs(%empty16 : tensor<8x4xf16>) {
  ^bb0(%a: f32, %o: f16):
    %v = arith.truncf %a : f32 to f16
    linalg.yield %v : f16
  } -> tensor<8x4xf16>
  // Reads its argument %x only.
  %0 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x4xf32>) outs(%empty : tensor<8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<8x4xf32>
  // Reads %h, of another type.
  %1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<8x4xf16>) outs(%empty : tensor<8x4xf32>) {
  ^bb0(%a: f16, %o: f32):
    %v = arith.extf %a : f16 to f32
    linalg.yield %v : f32
  } -> tensor<8x4xf32>
  %r = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x4xf32>) outs(%y : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.addf %a, %o : f32
    linalg.yield %v : f32
  } -> tensor<8xf32>
  // Reads %r broadcast.
  %2 = linalg.generic {indexing_maps = [#row2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<8xf32>) outs(%empty : tensor<8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<8x4xf32>
  return %0, %1, %2 : tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>
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
