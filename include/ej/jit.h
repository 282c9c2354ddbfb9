//===- jit.h - Seeing what the tracer records ----------------------*- C++ -*-===//
//
// Every eager call is recorded. `trace_to_mlir` runs a function once (for
// real: its results are the ordinary eager results) and returns the calls it
// made as an MLIR program in the ej dialect, the form that `ej-opt` reads:
//
//   module {
//     func.func @trace(%arg0: tensor<2x3xf32>) -> tensor<2x3xf32> {
//       %0 = ej.exp %arg0 : tensor<2x3xf32> loc("trace":0:0)
//       ...
//
// The function's arguments are `args`, then every other tensor the calls
// read but did not make (in order of first use), then, when random ops ran,
// the generator's seed and base offset (0-d i64). Its results are the
// tensors `fn` returns. Constants made inside appear as ej.constant with
// their values. Locations give each op's position in the trace. The text is
// deterministic: the same calls on the same shapes give the same text.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_JIT_H
#define EJ_JIT_H

#include "ej/Tensor.h"

#include <functional>
#include <string>
#include <vector>

namespace ej::jit {

using TracedFn = std::function<std::vector<Tensor>(const std::vector<Tensor> &)>;

/// Runs fn(args) and returns its trace as MLIR text (see above).
std::string trace_to_mlir(const TracedFn &fn, const std::vector<Tensor> &args,
                          const std::string &name = "trace");

/// Writes trace_to_mlir(fn, args, name) to `path`; throws ej::Error when the
/// file cannot be written.
void dump_trace(const TracedFn &fn, const std::vector<Tensor> &args,
                const std::string &path, const std::string &name = "trace");

} // namespace ej::jit

#endif // EJ_JIT_H
