//===- EjDialect.h - The ej dialect -------------------------------*- C++
//-*-===//
#ifndef EJ_DIALECTS_EJ_IR_EJDIALECT_H
#define EJ_DIALECTS_EJ_IR_EJDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Ej/IR/EjDialect.h.inc"

#endif // EJ_DIALECTS_EJ_IR_EJDIALECT_H
