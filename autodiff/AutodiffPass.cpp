//===- AutodiffPass.cpp - ej-autodiff: a gradient function per function ---===//
#include "autodiff/Autodiff.h"
#include "autodiff/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

#define DEBUG_TYPE "ej-autodiff"

namespace mlir::ej {
#define GEN_PASS_DEF_EJAUTODIFF
#include "autodiff/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;
using namespace mlir::ej;

namespace {

bool isFloatArgument(Type t) {
  if (auto var = dyn_cast<VariableType>(t))
    t = var.getValueType();
  auto tensor = dyn_cast<RankedTensorType>(t);
  return tensor && isa<FloatType>(tensor.getElementType());
}

struct EjAutodiffPass : mlir::ej::impl::EjAutodiffBase<EjAutodiffPass> {
  using EjAutodiffBase::EjAutodiffBase;

  LogicalResult differentiate(func::FuncOp f, SymbolTable &symbols) {
    std::string name = (f.getSymName() + "_grad").str();
    if (symbols.lookup(name))
      return f.emitError() << "cannot add @" << name
                           << ": the module already has it";
    if (f.getNumResults() == 0)
      return f.emitError() << "has no result to differentiate";
    func::FuncOp grad = f.clone();
    grad.setSymName(name);
    symbols.insert(grad, std::next(Block::iterator(f)));

    Block &body = grad.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    SmallVector<Value> sources;
    if (wrt.empty()) {
      for (BlockArgument a : body.getArguments())
        if (isFloatArgument(a.getType()))
          sources.push_back(a);
    } else {
      for (unsigned i : wrt) {
        if (i >= body.getNumArguments())
          return f.emitError()
                 << "wrt names argument " << i << ", but @" << f.getSymName()
                 << " has " << body.getNumArguments();
        sources.push_back(body.getArgument(i));
      }
    }
    OpBuilder b(ret);
    FailureOr<SmallVector<Value>> gradients =
        buildGradients(b, ret.getLoc(), ret.getOperand(0), sources);
    if (failed(gradients))
      return failure();
    SmallVector<Value> results(ret.getOperands());
    results.append(*gradients);
    ret->setOperands(results);
    grad.setType(FunctionType::get(&getContext(), body.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    return success();
  }

  void runOnOperation() override {
    SymbolTable symbols(getOperation());
    SmallVector<func::FuncOp> functions(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp f : functions)
      if (failed(differentiate(f, symbols)))
        return signalPassFailure();
  }
};

} // namespace
