// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-tile-rows))' | FileCheck %s
// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-tile-rows{block-bytes=1048576}))' | FileCheck %s --check-prefix=ONEBLOCK

// Softmax: one loop over blocks of 8 rows (8 x 4 KB), the input sliced,
// every op on the block's shape, the result inserted into the output.
// CHECK-LABEL: func.func @softmax
// CHECK: %[[X:.*]] = bufferization.to_tensor
// CHECK: %[[E:.*]] = tensor.empty() : tensor<256x1024xf32>
// CHECK: %[[R:.*]] = scf.forall (%[[I:.*]]) = (0) to (256) step (8) shared_outs(%[[O:.*]] = %[[E]]) -> (tensor<256x1024xf32>)
// CHECK-NEXT: %[[S:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [8, 1024] [1, 1] : tensor<256x1024xf32> to tensor<8x1024xf32>
// CHECK-NEXT: %[[M:.*]] = ej.reduce_max %[[S]] axes = [1] keepdims : tensor<8x1024xf32>
// CHECK-NEXT: %[[D:.*]] = ej.sub %[[S]], %[[M]] : tensor<8x1024xf32>, tensor<8x1xf32>
// CHECK-NEXT: %[[X2:.*]] = ej.exp %[[D]] : tensor<8x1024xf32>
// CHECK-NEXT: %[[SUM:.*]] = ej.reduce_sum %[[X2]] axes = [1] keepdims : tensor<8x1024xf32>
// CHECK-NEXT: %[[Q:.*]] = ej.div %[[X2]], %[[SUM]] : tensor<8x1024xf32>, tensor<8x1xf32>
// CHECK-NEXT: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[Q]] into %[[O]][%[[I]], 0] [8, 1024] [1, 1] : tensor<8x1024xf32> into tensor<256x1024xf32>
// CHECK: bufferization.materialize_in_destination %[[R]]
// ONEBLOCK-LABEL: func.func @softmax
// ONEBLOCK-NOT: scf.forall
func.func @softmax(%a: memref<256x1024xf32>, %o: memref<256x1024xf32>) {
  %x = bufferization.to_tensor %a restrict : memref<256x1024xf32> to tensor<256x1024xf32>
  %0 = ej.reduce_max %x axes = [1] keepdims : tensor<256x1024xf32>
  %1 = ej.sub %x, %0 : tensor<256x1024xf32>, tensor<256x1xf32>
  %2 = ej.exp %1 : tensor<256x1024xf32>
  %3 = ej.reduce_sum %2 axes = [1] keepdims : tensor<256x1024xf32>
  %4 = ej.div %2, %3 : tensor<256x1024xf32>, tensor<256x1xf32>
  bufferization.materialize_in_destination %4 in restrict writable %o : (tensor<256x1024xf32>, memref<256x1024xf32>) -> ()
  return
}

// -----

// Layernorm of 3-D rows: gamma and beta (no rows) and the epsilon fill
// stay outside and are read whole; both results (the normalized values and
// the variance) leave the loop; 3 rows of 12 KB make blocks of 2 rows.
// CHECK-LABEL: func.func @layernorm
// CHECK: %[[EPS:.*]] = ej.fill
// CHECK: scf.forall (%[[I:.*]]) = (0) to (6) step (2) shared_outs(%[[O0:.*]] = %{{.*}}, %[[O1:.*]] = %{{.*}}) -> (tensor<6x1x1xf32>, tensor<6x3x1024xf32>)
// CHECK: tensor.extract_slice %{{.*}}[%[[I]], 0, 0] [2, 3, 1024] [1, 1, 1]
// CHECK: ej.reduce_mean %{{.*}} axes = [1, 2] keepdims : tensor<2x3x1024xf32>
// CHECK: ej.add %{{.*}}, %[[EPS]] : tensor<2x1x1xf32>, tensor<f32>
// CHECK: ej.mul %{{.*}}, %arg1 : tensor<2x3x1024xf32>, tensor<1024xf32>
// CHECK: ej.add %{{.*}}, %arg2 : tensor<2x3x1024xf32>, tensor<1024xf32>
// CHECK: scf.forall.in_parallel
// CHECK-DAG: tensor.parallel_insert_slice %{{.*}} into %[[O0]][%[[I]], 0, 0] [2, 1, 1] [1, 1, 1]
// CHECK-DAG: tensor.parallel_insert_slice %{{.*}} into %[[O1]][%[[I]], 0, 0] [2, 3, 1024] [1, 1, 1]
// CHECK: return %{{.*}}, %{{.*}} : tensor<6x3x1024xf32>, tensor<6x1x1xf32>
func.func @layernorm(%x: tensor<6x3x1024xf32>, %g: tensor<1024xf32>, %b: tensor<1024xf32>) -> (tensor<6x3x1024xf32>, tensor<6x1x1xf32>) {
  %eps = ej.fill 1.0e-5 : tensor<f32>
  %0 = ej.reduce_mean %x axes = [1, 2] keepdims : tensor<6x3x1024xf32>
  %1 = ej.sub %x, %0 : tensor<6x3x1024xf32>, tensor<6x1x1xf32>
  %2 = ej.square %1 : tensor<6x3x1024xf32>
  %3 = ej.reduce_mean %2 axes = [1, 2] keepdims : tensor<6x3x1024xf32>
  %4 = ej.add %3, %eps : tensor<6x1x1xf32>, tensor<f32>
  %5 = ej.rsqrt %4 : tensor<6x1x1xf32>
  %6 = ej.mul %1, %5 : tensor<6x3x1024xf32>, tensor<6x1x1xf32>
  %7 = ej.mul %6, %g : tensor<6x3x1024xf32>, tensor<1024xf32>
  %8 = ej.add %7, %b : tensor<6x3x1024xf32>, tensor<1024xf32>
  return %8, %3 : tensor<6x3x1024xf32>, tensor<6x1x1xf32>
}

// -----

// A reduction over the rows' own axis mixes rows: nothing changes.
// CHECK-LABEL: func.func @over_rows
// CHECK-NOT: scf.forall
func.func @over_rows(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %0 = ej.reduce_max %x axes = [1] keepdims : tensor<64x1024xf32>
  %1 = ej.sub %x, %0 : tensor<64x1024xf32>, tensor<64x1xf32>
  %2 = ej.reduce_sum %1 axes = [0] keepdims : tensor<64x1024xf32>
  %3 = ej.div %1, %2 : tensor<64x1024xf32>, tensor<1x1024xf32>
  return %3 : tensor<64x1024xf32>
}

// -----

// A reduction that drops its axis gives a result that no longer lines up
// with the rows: nothing changes.
// CHECK-LABEL: func.func @dropped_axis
// CHECK-NOT: scf.forall
func.func @dropped_axis(%x: tensor<64x1024xf32>) -> tensor<64xf32> {
  %0 = ej.reduce_max %x axes = [1] keepdims : tensor<64x1024xf32>
  %1 = ej.sub %x, %0 : tensor<64x1024xf32>, tensor<64x1xf32>
  %2 = ej.reduce_sum %1 axes = [1] : tensor<64x1024xf32>
  return %2 : tensor<64xf32>
}

// -----

// A shape op on the rows (a transpose) is not row-wise: nothing changes.
// CHECK-LABEL: func.func @transposed
// CHECK-NOT: scf.forall
func.func @transposed(%x: tensor<64x1024xf32>) -> tensor<1024x64xf32> {
  %0 = ej.reduce_max %x axes = [1] keepdims : tensor<64x1024xf32>
  %1 = ej.sub %x, %0 : tensor<64x1024xf32>, tensor<64x1xf32>
  %2 = ej.transpose %1 perm = [1, 0] : tensor<64x1024xf32>
  return %2 : tensor<1024x64xf32>
}

// -----

// Without a row reduction, elementwise fusion makes one nest already:
// nothing changes.
// CHECK-LABEL: func.func @elementwise
// CHECK-NOT: scf.forall
func.func @elementwise(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %0 = ej.exp %x : tensor<64x1024xf32>
  %1 = ej.mul %0, %x : tensor<64x1024xf32>, tensor<64x1024xf32>
  return %1 : tensor<64x1024xf32>
}

// -----

// 100 rows in blocks of 8: 12 whole blocks, then the last 4 rows as one
// block of a second loop that continues the first one's results.
// CHECK-LABEL: func.func @remainder
// CHECK: %[[A:.*]] = scf.forall (%[[I:.*]]) = (0) to (96) step (8) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<100x1024xf32>)
// CHECK: ej.reduce_max %{{.*}} axes = [1] keepdims : tensor<8x1024xf32>
// CHECK: %[[B:.*]] = scf.forall (%[[J:.*]]) = (96) to (100) step (4) shared_outs(%[[O:.*]] = %[[A]]) -> (tensor<100x1024xf32>)
// CHECK: tensor.extract_slice %{{.*}}[%[[J]], 0] [4, 1024] [1, 1]
// CHECK: ej.reduce_max %{{.*}} axes = [1] keepdims : tensor<4x1024xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[J]], 0] [4, 1024] [1, 1]
// CHECK: return %[[B]]
func.func @remainder(%x: tensor<100x1024xf32>) -> tensor<100x1024xf32> {
  %0 = ej.reduce_max %x axes = [1] keepdims : tensor<100x1024xf32>
  %1 = ej.sub %x, %0 : tensor<100x1024xf32>, tensor<100x1xf32>
  return %1 : tensor<100x1024xf32>
}

// -----

// Rows without elements have no blocks to slice: nothing changes.
// CHECK-LABEL: func.func @no_elements
// CHECK-NOT: scf.forall
func.func @no_elements(%x: tensor<100000x0xf32>) -> tensor<100000x0xf32> {
  %0 = ej.reduce_sum %x axes = [1] keepdims : tensor<100000x0xf32>
  %1 = ej.sub %x, %0 : tensor<100000x0xf32>, tensor<100000x1xf32>
  return %1 : tensor<100000x0xf32>
}
