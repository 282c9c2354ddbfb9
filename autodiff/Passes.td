//===- Passes.td - The autodiff passes --------------------*- tablegen -*-===//
#ifndef EJ_AUTODIFF_PASSES_TD
#define EJ_AUTODIFF_PASSES_TD

include "mlir/Pass/PassBase.td"

def EjAutodiff : Pass<"ej-autodiff", "::mlir::ModuleOp"> {
  let summary = "Adds the reverse-mode gradient function of each function";
  let description = [{
    For every `func.func @f` of the module, adds `@f_grad`: the same
    arguments, returning f's results followed by the gradient of f's first
    result -- summed over its elements when it is not a scalar -- with
    respect to each f32/f64 argument (variables included: a variable's
    gradient collects the cotangents of its reads), or only the arguments
    listed in `wrt`. The gradient is written in ej ops, one VJP rule per op
    (DifferentiableOpInterface), so `@f_grad` can be differentiated again.

    ```mlir
    func.func @f(%x: tensor<f32>) -> tensor<f32> {
      %0 = ej.mul %x, %x : tensor<f32>, tensor<f32>
      return %0 : tensor<f32>
    }
    // gains
    func.func @f_grad(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
      %0 = ej.mul %x, %x : tensor<f32>, tensor<f32>
      %1 = ej.fill 1.0 : tensor<f32>
      %2 = ej.mul %1, %x : tensor<f32>, tensor<f32>
      %3 = ej.mul %1, %x : tensor<f32>, tensor<f32>
      %4 = ej.add %2, %3 : tensor<f32>, tensor<f32>
      return %0, %4 : tensor<f32>, tensor<f32>
    }
    ```
  }];
  let options = [
    ListOption<"wrt", "wrt", "unsigned",
               "Argument indices to differentiate with respect to "
               "(default: every f32/f64 tensor or variable argument)">
  ];
  let dependentDialects = ["::mlir::ej::EjDialect"];
}

#endif // EJ_AUTODIFF_PASSES_TD
