// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-parallelize))' | FileCheck %s
// RUN: ej-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(ej-parallelize{min-iterations=1}))' | FileCheck %s --check-prefix=ALL

// A large nest keeps its outermost dimension parallel; the inner one
// becomes a plain loop.
// CHECK-LABEL: func.func @large
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}}
// CHECK-NEXT: memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK-NOT: scf.parallel
func.func @large(%a: memref<512x256xf32>, %b: memref<512x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c512, %c256) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<512x256xf32>
    %e = math.exp %v : f32
    memref.store %e, %b[%i, %j] : memref<512x256xf32>
    scf.reduce
  }
  return
}

// -----

// A small nest runs on one thread: loops only (unless the threshold is
// lowered).
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: scf.for
// ALL-LABEL: func.func @small
// ALL: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// ALL-NEXT: scf.for
func.func @small(%a: memref<8x16xf32>, %b: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<8x16xf32>
    memref.store %v, %b[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}

// -----

// A row reduction: rows in parallel, the reduction loop (already scf.for)
// inside; its work counts towards the threshold.
// CHECK-LABEL: func.func @rows
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NEXT: scf.for
// CHECK: scf.reduce
func.func @rows(%a: memref<256x1024xf32>, %s: memref<256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%i) = (%c0) to (%c256) step (%c1) {
    scf.for %j = %c0 to %c1024 step %c1 {
      %v = memref.load %a[%i, %j] : memref<256x1024xf32>
      %acc = memref.load %s[%i] : memref<256xf32>
      %r = arith.addf %acc, %v : f32
      memref.store %r, %s[%i] : memref<256xf32>
    }
    scf.reduce
  }
  return
}
