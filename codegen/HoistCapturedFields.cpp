//===- HoistCapturedFields.cpp - ej-hoist-captured-fields -----------------===//
//
// Parallel regions read the fields of the memref descriptors they use
// (Passes.td): reading them before the region makes the outlined function
// capture a pointer where it captured a whole descriptor.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

#define DEBUG_TYPE "ej-hoist-captured-fields"

namespace mlir::ej {
#define GEN_PASS_DEF_EJHOISTCAPTUREDFIELDS
#include "codegen/Passes.h.inc"
} // namespace mlir::ej

using namespace mlir;

namespace {

struct EjHoistCapturedFieldsPass
    : mlir::ej::impl::EjHoistCapturedFieldsBase<EjHoistCapturedFieldsPass> {
  void runOnOperation() override {
    // Inner regions first: a field that an inner region reads moves out of
    // it, then out of the regions around it.
    getOperation().walk([&](omp::ParallelOp region) {
      region.walk([&](LLVM::ExtractValueOp field) {
        Operation *definer =
            field.getContainer().getParentRegion()->getParentOp();
        if (region->isAncestor(definer))
          return;
        field->moveBefore(region);
        ++numHoisted;
      });
    });
  }
};

} // namespace
