// RUN: ej-opt %s -split-input-file --ej-cpu-pipeline | FileCheck %s

// Down to the llvm dialect only; f32 exp and tanh are polynomials (no libm
// call in the loop), the matmul a call of the BLAS helper.
// CHECK: llvm.func @_mlir_ciface_ej_blas_sgemm(!llvm.ptr, !llvm.ptr, !llvm.ptr, f32)
// CHECK-LABEL: llvm.func @dense_layer
// CHECK-NOT: linalg.
// CHECK-NOT: math.
// CHECK-NOT: ej.
// CHECK-NOT: llvm.call @expf
// CHECK-NOT: llvm.call @tanhf
// CHECK: llvm.call @ej_blas_sgemm
// CHECK-NOT: llvm.call @expf
// CHECK-NOT: llvm.call @tanhf
// CHECK: llvm.return
func.func @dense_layer(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %0 = ej.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32>
  %1 = ej.add %0, %b : tensor<8x4xf32>, tensor<4xf32>
  %2 = ej.exp %1 : tensor<8x4xf32>
  %3 = ej.tanh %2 : tensor<8x4xf32>
  return %3 : tensor<8x4xf32>
}

// -----

// A kernel in destination-passing form writes its result into the buffer it
// is given: no allocation for it.
// CHECK-LABEL: llvm.func @kernel
// CHECK-NOT: llvm.call @_mlir_memref_to_llvm_alloc
// CHECK: llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_kernel
func.func @kernel(%in: memref<16xf32>, %out: memref<16xf32>) attributes {llvm.emit_c_interface} {
  %x = bufferization.to_tensor %in restrict : memref<16xf32> to tensor<16xf32>
  %0 = ej.sigmoid %x : tensor<16xf32>
  bufferization.materialize_in_destination %0 in restrict writable %out : (tensor<16xf32>, memref<16xf32>) -> ()
  return
}

// -----

// Returning an argument, and one value twice: the clones that buffer
// deallocation makes become allocations and copies, so that all of it
// lowers to the llvm dialect.
// CHECK-LABEL: llvm.func @returns_twice
// CHECK-NOT: bufferization.
// CHECK: llvm.call @_mlir_memref_to_llvm_alloc
// CHECK: "llvm.intr.memcpy"
// CHECK: llvm.return
func.func @returns_twice(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = ej.add %a, %b : tensor<4xf32>, tensor<4xf32>
  return %0, %a, %0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
