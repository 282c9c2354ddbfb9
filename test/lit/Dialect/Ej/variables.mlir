// RUN: ej-opt %s -split-input-file | ej-opt -split-input-file | FileCheck %s
// RUN: ej-opt %s -split-input-file -cse -canonicalize | FileCheck %s --check-prefix=OPT

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[W:.*]]: !ej.variable<tensor<3x2xf32>>, %[[G:.*]]: tensor<3x2xf32>)
func.func @step(%w: !ej.variable<tensor<3x2xf32>>, %g: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // CHECK: %[[V:.*]] = ej.variable_read %[[W]] : !ej.variable<tensor<3x2xf32>>
  %0 = ej.variable_read %w : !ej.variable<tensor<3x2xf32>>
  %1 = ej.sub %0, %g : tensor<3x2xf32>, tensor<3x2xf32>
  // CHECK: ej.assign %[[W]], %{{.*}} : !ej.variable<tensor<3x2xf32>>
  %2 = ej.assign %w, %1 : !ej.variable<tensor<3x2xf32>>
  return %2 : tensor<3x2xf32>
}

// -----

// Reads on either side of an assignment see different values: CSE keeps
// both, and merges the two reads before it.
// OPT-LABEL: func.func @reads_around_an_assign
func.func @reads_around_an_assign(%w: !ej.variable<tensor<2xf32>>, %x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  // OPT: %[[A:.*]] = ej.variable_read
  // OPT-NEXT: ej.assign
  // OPT-NEXT: %[[B:.*]] = ej.variable_read
  // OPT-NEXT: return %[[A]], %[[A]], %[[B]]
  %0 = ej.variable_read %w : !ej.variable<tensor<2xf32>>
  %1 = ej.variable_read %w : !ej.variable<tensor<2xf32>>
  %2 = ej.assign %w, %x : !ej.variable<tensor<2xf32>>
  %3 = ej.variable_read %w : !ej.variable<tensor<2xf32>>
  return %0, %1, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// An assignment whose result nobody uses still happens; an unused read goes.
// OPT-LABEL: func.func @unused_results
func.func @unused_results(%w: !ej.variable<tensor<2xf32>>, %x: tensor<2xf32>) {
  // OPT-NOT: ej.variable_read
  // OPT: ej.assign
  %0 = ej.variable_read %w : !ej.variable<tensor<2xf32>>
  %1 = ej.assign %w, %x : !ej.variable<tensor<2xf32>>
  return
}
