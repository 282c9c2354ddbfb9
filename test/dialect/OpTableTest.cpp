//===- OpTableTest.cpp - The dialect and the op table agree --------------===//
//
// lib/Ops.def is the one list of ops: the dialect defines exactly its ops,
// under the same names, plus the structural ops that passes make (fusion
// regions); and the dialect's broadcast results are the API's for the same
// shapes.
//
//===----------------------------------------------------------------------===//
#include "dialects/Ej/IR/EjDialect.h"
#include "dialects/Ej/IR/EjOps.h"
#include "dialects/Ej/EjRegistration.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

const std::set<std::string> &table_names() {
  static const std::set<std::string> names = {
#define EJ_OP(Name, name) #name,
#include "lib/Ops.def"
  };
  return names;
}

} // namespace

TEST(OpTable, TheDialectDefinesExactlyTheTablesOps) {
  mlir::DialectRegistry registry;
  mlir::ej::registerAllEjDialects(registry);
  mlir::MLIRContext ctx(registry);
  auto *dialect = ctx.getOrLoadDialect<mlir::ej::EjDialect>();
  ASSERT_NE(dialect, nullptr);
  std::set<std::string> defined;
  for (mlir::RegisteredOperationName op : ctx.getRegisteredOperations())
    if (&op.getDialect() == dialect)
      defined.insert(op.getStringRef().drop_front(3).str()); // "ej."
  const std::set<std::string> structural = {"fusion", "yield"};
  for (const std::string &name : defined)
    EXPECT_TRUE(table_names().count(name) || structural.count(name))
        << "ej." << name << " is not in lib/Ops.def";
  for (const std::string &name : table_names())
    EXPECT_TRUE(defined.count(name)) << name << " of lib/Ops.def has no ej op";
}

TEST(OpTable, BroadcastResultTypesFollowTheApiRule) {
  mlir::DialectRegistry registry;
  mlir::ej::registerAllEjDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  mlir::OpBuilder b(&ctx);
  auto loc = b.getUnknownLoc();
  auto f32 = b.getF32Type();
  auto lhs = mlir::RankedTensorType::get({2, 1, 3}, f32);
  auto rhs = mlir::RankedTensorType::get({4, 1}, f32);
  llvm::SmallVector<mlir::Type> inferred;
  // Values of the two types come from a block's arguments.
  mlir::Block block;
  mlir::Value a = block.addArgument(lhs, loc), c = block.addArgument(rhs, loc);
  ASSERT_TRUE(mlir::succeeded(mlir::ej::LessOp::inferReturnTypes(
      &ctx, loc, mlir::ValueRange{a, c}, nullptr, nullptr, {}, inferred)));
  EXPECT_EQ(inferred.front(),
            mlir::RankedTensorType::get({2, 4, 3}, b.getI1Type()));
}
