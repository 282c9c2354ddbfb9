//===- DifferentiableOpInterface.h - Ops with a VJP rule ----------*- C++
//-*-===//
//
// The interface (from DifferentiableOpInterface.td) and the registration of
// its implementations for the ej ops (VJPRules.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_AUTODIFF_DIFFERENTIABLEOPINTERFACE_H
#define EJ_AUTODIFF_DIFFERENTIABLEOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

#include "autodiff/DifferentiableOpInterface.h.inc"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::ej {

/// Attaches the VJP rules to the ej ops when the ej dialect loads.
void registerDifferentiableOpInterfaceModels(DialectRegistry &registry);

} // namespace mlir::ej

#endif // EJ_AUTODIFF_DIFFERENTIABLEOPINTERFACE_H
