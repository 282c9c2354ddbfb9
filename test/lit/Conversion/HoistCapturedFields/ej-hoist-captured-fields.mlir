// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(llvm.func(ej-hoist-captured-fields))' | FileCheck %s

// The region reads the aligned pointer of a descriptor from outside: the
// read moves before the region, which then captures the pointer.
// CHECK-LABEL: llvm.func @outside
// CHECK-SAME: (%[[D:.*]]: !llvm.struct
// CHECK-NEXT: %[[P:.*]] = llvm.extractvalue %[[D]][1]
// CHECK-NEXT: omp.parallel {
// CHECK-NEXT: llvm.load %[[P]]
llvm.func @outside(%d: !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>) {
  omp.parallel {
    %p = llvm.extractvalue %d[1] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
    %v = llvm.load %p : !llvm.ptr -> f32
    %w = llvm.fadd %v, %v : f32
    llvm.store %w, %p : f32, !llvm.ptr
    omp.terminator
  }
  llvm.return
}

// -----

// A descriptor the region builds itself stays there with its reads.
// CHECK-LABEL: llvm.func @inside
// CHECK-NEXT: omp.parallel {
// CHECK-NEXT: llvm.mlir.undef
// CHECK-NEXT: llvm.insertvalue
// CHECK-NEXT: llvm.extractvalue
llvm.func @inside(%p: !llvm.ptr) {
  omp.parallel {
    %u = llvm.mlir.undef : !llvm.struct<(ptr, ptr)>
    %d = llvm.insertvalue %p, %u[1] : !llvm.struct<(ptr, ptr)>
    %q = llvm.extractvalue %d[1] : !llvm.struct<(ptr, ptr)>
    %v = llvm.load %q : !llvm.ptr -> f32
    llvm.store %v, %q : f32, !llvm.ptr
    omp.terminator
  }
  llvm.return
}

// -----

// A read in a region within a region moves out of both.
// CHECK-LABEL: llvm.func @nested
// CHECK-SAME: (%[[D:.*]]: !llvm.struct
// CHECK-NEXT: %[[P:.*]] = llvm.extractvalue %[[D]][1]
// CHECK-NEXT: omp.parallel {
// CHECK-NEXT: omp.parallel {
// CHECK-NEXT: llvm.load %[[P]]
llvm.func @nested(%d: !llvm.struct<(ptr, ptr)>) {
  omp.parallel {
    omp.parallel {
      %p = llvm.extractvalue %d[1] : !llvm.struct<(ptr, ptr)>
      %v = llvm.load %p : !llvm.ptr -> f32
      llvm.store %v, %p : f32, !llvm.ptr
      omp.terminator
    }
    omp.terminator
  }
  llvm.return
}
