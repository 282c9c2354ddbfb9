//===- Passes.h - The autodiff passes ------------------------------*- C++
//-*-===//
#ifndef EJ_AUTODIFF_PASSES_H
#define EJ_AUTODIFF_PASSES_H

#include "dialects/Ej/IR/EjDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::ej {

#define GEN_PASS_DECL
#include "autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "autodiff/Passes.h.inc"

} // namespace mlir::ej

#endif // EJ_AUTODIFF_PASSES_H
