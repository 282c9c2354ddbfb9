//===- EjRegistration.h - Registering ej with MLIR ----------------*- C++
//-*-===//
//
// One place that the tools, the library and the tests use to register the
// ej dialect, the upstream dialects its programs use, and the ej passes.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_DIALECTS_EJ_EJREGISTRATION_H
#define EJ_DIALECTS_EJ_EJREGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::ej {

/// ej plus the upstream dialects that ej programs are written in (func,
/// arith, tensor), and the models of ej's interfaces (the VJP rules).
void registerAllEjDialects(DialectRegistry &registry);

/// The ej passes and the upstream passes the ej pipelines use.
void registerAllEjPasses();

} // namespace mlir::ej

#endif // EJ_DIALECTS_EJ_EJREGISTRATION_H
