//===- RegionFunction.h - A region's records as a pure function ---*- C++
//-*-===//
//
// What the JIT compiles: the records of a region as one `func.func` of ej
// ops on plain tensors. Leaves and outside tensors are arguments; the live
// results are the results. Variables become values: each variable the
// region touches is an argument holding its value at the region's start,
// reads see the latest value, assignments produce the next one, and the
// final value of each assigned variable is returned after the live results.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_REGIONFUNCTION_H
#define EJ_LIB_REGIONFUNCTION_H

#include "lib/Signature.h"
#include "lib/Trace.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace ej::detail {

struct RegionFunction {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<Ref> inputs;      // what each argument is
  std::vector<size_t> live;     // records whose results come first
  std::vector<size_t> assigned; // variables whose final values follow
};

/// `records` are the region's, numbered by `sig`; live[i] says whether
/// record i's result is still referenced at the region's end.
RegionFunction build_region_function(mlir::MLIRContext &ctx,
                                     const std::vector<CapturedRecord> &records,
                                     const Signature &sig,
                                     const std::vector<bool> &live,
                                     const std::string &name);

} // namespace ej::detail

#endif // EJ_LIB_REGIONFUNCTION_H
