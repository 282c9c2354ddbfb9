// RUN: ej-opt %s -split-input-file --ej-linalg-to-blas | FileCheck %s

// A zero fill before the matmul is dropped: the helper overwrites (beta 0).
// CHECK-LABEL: func.func private @ej_blas_sgemm(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, f32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @overwrite
// CHECK-SAME: (%[[A:.*]]: memref<4x3xf32>, %[[B:.*]]: memref<3x2xf32>, %[[C:.*]]: memref<4x2xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[CA:.*]] = memref.cast %[[A]] : memref<4x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-NEXT: %[[CB:.*]] = memref.cast %[[B]]
// CHECK-NEXT: %[[CC:.*]] = memref.cast %[[C]]
// CHECK-NEXT: %[[BETA:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: call @ej_blas_sgemm(%[[CA]], %[[CB]], %[[CC]], %[[BETA]])
// CHECK-NOT: linalg.matmul
func.func @overwrite(%a: memref<4x3xf32>, %b: memref<3x2xf32>, %c: memref<4x2xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<4x2xf32>)
  linalg.matmul ins(%a, %b : memref<4x3xf32>, memref<3x2xf32>) outs(%c : memref<4x2xf32>)
  return
}

// -----

// Without the fill the product accumulates (beta 1); strided views pass
// as they are. Batched f64 matmuls have their own helper.
// CHECK-LABEL: func.func @accumulate
// CHECK: %[[BETA:.*]] = arith.constant 1.000000e+00 : f64
// CHECK: call @ej_blas_dgemm(%{{.*}}, %{{.*}}, %{{.*}}, %[[BETA]])
// CHECK-LABEL: func.func @batched
// CHECK: call @ej_blas_dgemm_batched
func.func @accumulate(%a: memref<4x3xf64, strided<[1, 4]>>, %b: memref<3x2xf64>, %c: memref<4x2xf64>) {
  linalg.matmul ins(%a, %b : memref<4x3xf64, strided<[1, 4]>>, memref<3x2xf64>) outs(%c : memref<4x2xf64>)
  return
}
func.func @batched(%a: memref<2x4x3xf64>, %b: memref<2x3x2xf64>, %c: memref<2x4x2xf64>) {
  linalg.batch_matmul ins(%a, %b : memref<2x4x3xf64>, memref<2x3x2xf64>) outs(%c : memref<2x4x2xf64>)
  return
}

// -----

// Integer matmuls and matmuls on tensors are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x3xi32>, memref<3x2xi32>)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x2xf32>)
// CHECK-NOT: call
func.func @left_alone(%a: memref<4x3xi32>, %b: memref<3x2xi32>, %c: memref<4x2xi32>,
                      %d: tensor<4x3xf32>, %e: tensor<3x2xf32>, %f: tensor<4x2xf32>) -> tensor<4x2xf32> {
  linalg.matmul ins(%a, %b : memref<4x3xi32>, memref<3x2xi32>) outs(%c : memref<4x2xi32>)
  %0 = linalg.matmul ins(%d, %e : tensor<4x3xf32>, tensor<3x2xf32>) outs(%f : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// An operand copied from a transpose (the x^T of a weight gradient) is read
// in place through a transposed view: the copy, its buffer and the buffer's
// deallocation go.
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @transposed_operand
// CHECK-SAME: (%[[X:.*]]: memref<3x4xf32>, %[[B:.*]]: memref<3x2xf32>, %[[C:.*]]: memref<4x2xf32>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.generic
// CHECK: %[[XT:.*]] = memref.transpose %[[X]] (d0, d1) -> (d1, d0) : memref<3x4xf32> to memref<4x3xf32, strided<[1, 4]>>
// CHECK: %[[CA:.*]] = memref.cast %[[XT]]
// CHECK: call @ej_blas_sgemm(%[[CA]],
// CHECK-NOT: memref.dealloc
func.func @transposed_operand(%x: memref<3x4xf32>, %b: memref<3x2xf32>, %c: memref<4x2xf32>) {
  %xt = memref.alloc() {alignment = 64 : i64} : memref<4x3xf32>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<3x4xf32>) outs(%xt : memref<4x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.matmul ins(%xt, %b : memref<4x3xf32>, memref<3x2xf32>) outs(%c : memref<4x2xf32>)
  memref.dealloc %xt : memref<4x3xf32>
  return
}

// -----

// The copy stays when its source is written before the matmul reads it.
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @source_written_in_between
// CHECK: linalg.generic
// CHECK: linalg.fill
// CHECK-NOT: memref.transpose
// CHECK: call @ej_blas_sgemm
func.func @source_written_in_between(%x: memref<3x4xf32>, %b: memref<3x2xf32>, %c: memref<4x2xf32>) {
  %xt = memref.alloc() {alignment = 64 : i64} : memref<4x3xf32>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<3x4xf32>) outs(%xt : memref<4x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%x : memref<3x4xf32>)
  linalg.matmul ins(%xt, %b : memref<4x3xf32>, memref<3x2xf32>) outs(%c : memref<4x2xf32>)
  memref.dealloc %xt : memref<4x3xf32>
  return
}

// -----

// A source that was freed right after the copy (its last use) is now freed
// after the matmul, which reads it.
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @source_freed_in_between
// CHECK: %[[X:.*]] = memref.alloc() : memref<3x4xf32>
// CHECK: linalg.fill
// CHECK-NOT: linalg.generic
// CHECK-NOT: memref.dealloc
// CHECK: memref.transpose %[[X]]
// CHECK: call @ej_blas_sgemm
// CHECK-NEXT: memref.dealloc %[[X]]
// CHECK-NOT: memref.dealloc
func.func @source_freed_in_between(%b: memref<3x2xf32>, %c: memref<4x2xf32>) {
  %x = memref.alloc() : memref<3x4xf32>
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%x : memref<3x4xf32>)
  %xt = memref.alloc() {alignment = 64 : i64} : memref<4x3xf32>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<3x4xf32>) outs(%xt : memref<4x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  memref.dealloc %x : memref<3x4xf32>
  linalg.matmul ins(%xt, %b : memref<4x3xf32>, memref<3x2xf32>) outs(%c : memref<4x2xf32>)
  memref.dealloc %xt : memref<4x3xf32>
  return
}

// -----

// Both operands the same transposed copy: one view serves both.
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @same_operand_twice
// CHECK-NOT: linalg.generic
// CHECK: %[[XT:.*]] = memref.transpose
// CHECK: %[[A:.*]] = memref.cast %[[XT]]
// CHECK: %[[B:.*]] = memref.cast %[[XT]]
// CHECK: call @ej_blas_sgemm(%[[A]], %[[B]],
func.func @same_operand_twice(%x: memref<3x3xf32>, %c: memref<3x3xf32>) {
  %xt = memref.alloc() {alignment = 64 : i64} : memref<3x3xf32>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<3x3xf32>) outs(%xt : memref<3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.matmul ins(%xt, %xt : memref<3x3xf32>, memref<3x3xf32>) outs(%c : memref<3x3xf32>)
  memref.dealloc %xt : memref<3x3xf32>
  return
}

// -----

// The copy stays when the product is written over its source.
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @output_is_the_source
// CHECK: linalg.generic
// CHECK-NOT: memref.transpose
// CHECK: call @ej_blas_sgemm
func.func @output_is_the_source(%x: memref<3x3xf32>, %b: memref<3x3xf32>) {
  %xt = memref.alloc() {alignment = 64 : i64} : memref<3x3xf32>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<3x3xf32>) outs(%xt : memref<3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.matmul ins(%xt, %b : memref<3x3xf32>, memref<3x3xf32>) outs(%x : memref<3x3xf32>)
  memref.dealloc %xt : memref<3x3xf32>
  return
}
