//===- Passes.td - The code generation passes -------------*- tablegen -*-===//
#ifndef EJ_CODEGEN_PASSES_TD
#define EJ_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEjToLinalg : Pass<"convert-ej-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lowers the fusible ej ops to linalg, tensor, arith and math";
  let description = [{
    Elementwise ops (with NumPy broadcasting as indexing maps), casts,
    fills, constants, broadcast_to, reshape and the reductions become
    `linalg.generic` / `linalg.fill` / `tensor.reshape` on tensors, with
    scalar bodies that compute what the interpreter's kernels compute
    (NaN-propagating relu, sign, maximum and minimum; float-to-integer casts
    that truncate, saturate and send NaN to 0). An op outside that set is an
    error: the JIT leaves such a region on the interpreter.

    ```mlir
    %0 = ej.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
    // becomes
    %e = tensor.empty() : tensor<2x3xf32>
    %0 = linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d1),
        (d0, d1) -> (d0, d1)], ...} ins(%a, %b) outs(%e) { arith.addf ... }
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def EjFuse : Pass<"ej-fuse", "::mlir::func::FuncOp"> {
  let summary = "Groups runs of fusible ej ops into ej.fusion regions";
  let description = [{
    Each maximal run of consecutive ops that convert-ej-to-linalg lowers
    (elementwise ops, broadcasts, reshapes, fills and the reductions)
    becomes one `ej.fusion`: one kernel for the CPU code generator. Its
    inputs are the values the run reads from outside, its results the values
    used after it. Everything else (matmul, data movement, random draws,
    variables) stays outside, to run as a library call or an interpreter
    kernel between the fused kernels.

    ```mlir
    %0 = ej.matmul %a, %b : ...
    %1 = ej.add %0, %bias : ...
    %2 = ej.relu %1 : ...
    // becomes
    %0 = ej.matmul %a, %b : ...
    %2 = ej.fusion (%0, %bias) : (...) -> tensor<...> {
    ^bb0(%x: ..., %y: ...):
      %s = ej.add %x, %y : ...
      %r = ej.relu %s : ...
      ej.yield %r : ...
    }
    ```
  }];
  let options = [
    Option<"minOps", "min-ops", "unsigned", "1",
           "The fewest ops a run needs to become a fusion">
  ];
  let statistics = [
    Statistic<"numFusions", "fusions", "ej.fusion regions made">,
    Statistic<"numFused", "fused-ops", "ops moved into them">
  ];
  let dependentDialects = ["::mlir::ej::EjDialect"];
}

def EjApproximateMath : Pass<"ej-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Polynomial approximations of f32 transcendentals";
  let description = [{
    Rewrites f32 `math.exp`, `log`, `log1p`, `tanh`, `sin`, `cos`, `erf`
    and friends into arithmetic (MLIR's polynomial approximations, a few ulp
    from the exact values), so that loops over them vectorize instead of
    calling libm element by element. f64 ops are left to libm.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // EJ_CODEGEN_PASSES_TD
