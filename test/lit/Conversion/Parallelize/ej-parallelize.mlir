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

// -----

// A large parallel loop that is the innermost runs in blocks of 4096, each
// a loop counted from zero (its trip count a constant).
// CHECK-LABEL: func.func @flat
// CHECK: %[[B:.*]] = arith.constant 4096 : index
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%{{.*}}) step (%[[B]])
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[B2:.*]] step
// CHECK-NEXT: %[[K:.*]] = arith.addi %[[I]], %[[J]] overflow<nsw, nuw> : index
// CHECK-NEXT: memref.load %{{.*}}[%[[K]]]
// CHECK-NOT: scf.for
func.func @flat(%a: memref<1048576xf32>, %b: memref<1048576xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 1048576 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %a[%i] : memref<1048576xf32>
    %e = arith.mulf %v, %v : f32
    memref.store %e, %b[%i] : memref<1048576xf32>
    scf.reduce
  }
  return
}

// -----

// A transcendental's loop stays one parallel loop: its polynomial's
// constants would be hoisted out of a block's loop and spill.
// CHECK-LABEL: func.func @transcendental
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// CHECK-NEXT: memref.load %{{.*}}[%[[I]]]
// CHECK-NOT: scf.for
func.func @transcendental(%a: memref<1048576xf32>, %b: memref<1048576xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 1048576 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %a[%i] : memref<1048576xf32>
    %e = math.exp %v : f32
    memref.store %e, %b[%i] : memref<1048576xf32>
    scf.reduce
  }
  return
}

// -----

// 131172 = 32 * 4096 + 100, and no power of two from 1024 to 4096 divides
// it: 32 blocks of 4096 in parallel, then a loop over the last 100.
// CHECK-LABEL: func.func @tail
// CHECK-DAG: %[[WHOLE:.*]] = arith.constant 131072 : index
// CHECK-DAG: %[[B:.*]] = arith.constant 4096 : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[WHOLE]]) step (%[[B]])
// CHECK: scf.for
// CHECK: scf.reduce
// CHECK: %[[REST:.*]] = arith.constant 100 : index
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[REST]] step
// CHECK-NEXT: arith.addi %[[WHOLE]], %[[J]]
func.func @tail(%a: memref<131172xf32>, %b: memref<131172xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 131172 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %a[%i] : memref<131172xf32>
    memref.store %v, %b[%i] : memref<131172xf32>
    scf.reduce
  }
  return
}

// -----

// 134144 = 131 * 1024: blocks of 1024 leave nothing over.
// CHECK-LABEL: func.func @smaller_blocks
// CHECK: %[[B:.*]] = arith.constant 1024 : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[B]])
// CHECK: scf.reduce
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @smaller_blocks(%a: memref<134144xf32>, %b: memref<134144xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 134144 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %a[%i] : memref<134144xf32>
    memref.store %v, %b[%i] : memref<134144xf32>
    scf.reduce
  }
  return
}
