//===- EjOps.h - Ops of the ej dialect ----------------------------*- C++
//-*-===//
#ifndef EJ_DIALECTS_EJ_IR_EJOPS_H
#define EJ_DIALECTS_EJ_IR_EJOPS_H

#include "dialects/Ej/IR/EjDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_TYPEDEF_CLASSES
#include "dialects/Ej/IR/EjTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/Ej/IR/EjOps.h.inc"

#endif // EJ_DIALECTS_EJ_IR_EJOPS_H
