//===- RegionFunction.cpp - A region's records as a pure function ---------===//
#include "lib/RegionFunction.h"
#include "lib/TraceToMLIR.h"

#include "dialects/Ej/IR/EjOps.h"

namespace ej::detail {

RegionFunction build_region_function(mlir::MLIRContext &ctx,
                                     const std::vector<CapturedRecord> &records,
                                     const Signature &sig,
                                     const std::vector<bool> &live,
                                     const std::string &name) {
  TraceConverter conv(ctx, name, /*leaves_as_arguments=*/true);
  conv.convert(records);
  RegionFunction f;
  std::vector<Tensor> results;
  for (size_t i = 0; i < records.size(); ++i)
    if (live[i]) {
      f.live.push_back(i);
      results.push_back(records[i].refs.back());
    }
  f.module = conv.finish(results);
  mlir::func::FuncOp func = conv.function();
  mlir::Block &body = func.getBody().front();
  auto ret = mlir::cast<mlir::func::ReturnOp>(body.getTerminator());
  llvm::SmallVector<mlir::Value> returned(ret.getOperands());

  // Variables as values, first use first.
  const auto &args = conv.arguments();
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].variable) {
      auto var = mlir::cast<mlir::ej::VariableType>(
          body.getArgument(unsigned(i)).getType());
      mlir::BlockArgument old = body.getArgument(unsigned(i));
      mlir::Value initial =
          body.insertArgument(unsigned(i), var.getValueType(), old.getLoc());
      old = body.getArgument(unsigned(i + 1));
      mlir::Value current = initial;
      for (mlir::Operation &op : llvm::make_early_inc_range(body)) {
        if (op.getNumOperands() == 0 || op.getOperand(0) != old)
          continue;
        if (auto read = mlir::dyn_cast<mlir::ej::VariableReadOp>(op)) {
          read.getResult().replaceAllUsesWith(current);
          read.erase();
        } else if (auto assign = mlir::dyn_cast<mlir::ej::AssignOp>(op)) {
          current = assign.getValue();
          assign.getResult().replaceAllUsesWith(current);
          assign.erase();
        }
      }
      body.eraseArgument(unsigned(i + 1));
      if (current != initial) {
        f.assigned.push_back(size_t(sig.find(args[i].variable)));
        returned.push_back(current);
      }
      f.inputs.push_back({Ref::Var, size_t(sig.find(args[i].variable))});
    } else {
      f.inputs.push_back(*sig.find(args[i].tensor));
    }
  }
  // A live result that is an assignment's is now the assigned value.
  for (size_t k = 0; k < f.live.size(); ++k)
    returned[k] = ret.getOperand(unsigned(k));
  ret->setOperands(returned);
  func.setType(mlir::FunctionType::get(&ctx, body.getArgumentTypes(),
                                       mlir::ValueRange(returned).getTypes()));
  return f;
}

} // namespace ej::detail
