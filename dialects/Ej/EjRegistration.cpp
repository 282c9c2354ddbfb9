//===- EjRegistration.cpp - Registering ej with MLIR ---------------------===//
#include "dialects/Ej/EjRegistration.h"
#include "autodiff/DifferentiableOpInterface.h"
#include "autodiff/Passes.h"
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::ej::registerAllEjDialects(DialectRegistry &registry) {
  registry.insert<EjDialect, arith::ArithDialect, func::FuncDialect,
                  tensor::TensorDialect>();
  registerDifferentiableOpInterfaceModels(registry);
}

void mlir::ej::registerAllEjPasses() {
  registerCanonicalizerPass();
  registerCSEPass();
  registerEjAutodiffPasses();
  registerCodegenPasses();
}
