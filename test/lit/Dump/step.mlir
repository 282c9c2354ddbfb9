// A trace written by ej::jit::dump_trace (the README example), read back.
// RUN: ej-opt %s --canonicalize | FileCheck %s
// RUN: ej-opt %s -mlir-print-debuginfo | FileCheck %s --check-prefix=LOCS

// CHECK-LABEL: func.func @trace
// CHECK: %[[ONE:.*]] = ej.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[M:.*]] = ej.matmul
// CHECK: ej.add %[[M]], %[[ONE]]
// LOCS: ej.matmul {{.*}} loc(#[[L:.*]])
// LOCS: #[[L]] = loc("trace":1:0)

#loc = loc(unknown)
module {
  func.func @trace(%arg0: tensor<4x3xf32> loc(unknown), %arg1: tensor<3x2xf32> loc(unknown)) -> tensor<4x2xf32> {
    %0 = ej.matmul %arg0, %arg1 : tensor<4x3xf32>, tensor<3x2xf32> loc(#loc1)
    %1 = ej.fill 1.000000e+00 : tensor<f32> loc(#loc2)
    %2 = ej.add %0, %1 : tensor<4x2xf32>, tensor<f32> loc(#loc3)
    %3 = ej.relu %2 : tensor<4x2xf32> loc(#loc4)
    return %3 : tensor<4x2xf32> loc(#loc)
  } loc(#loc)
} loc(#loc)
#loc1 = loc("trace":1:0)
#loc2 = loc("trace":2:0)
#loc3 = loc("trace":3:0)
#loc4 = loc("trace":4:0)
