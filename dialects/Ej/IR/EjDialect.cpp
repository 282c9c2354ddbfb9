//===- EjDialect.cpp - The ej dialect ------------------------------------===//
#include "dialects/Ej/IR/EjDialect.h"
#include "dialects/Ej/IR/EjOps.h"

using namespace mlir;
using namespace mlir::ej;

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include "dialects/Ej/IR/EjDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Ej/IR/EjTypes.cpp.inc"

void EjDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/Ej/IR/EjTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Ej/IR/EjOps.cpp.inc"
      >();
}

Operation *EjDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
