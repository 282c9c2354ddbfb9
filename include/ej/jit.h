//===- jit.h - Seeing what the tracer records ----------------------*- C++
//-*-===//
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
// read but did not make and every Variable they read or assigned (as
// `!ej.variable<...>`, in order of first use), then, when random ops ran,
// the generator's seed and base offset (0-d i64). Its results are the
// tensors `fn` returns. Constants made inside appear as ej.constant with
// their values. Locations give each op's position in the trace. The text is
// deterministic: the same calls on the same shapes give the same text.
//
// `run_mlir` goes the other way: it runs such a program op by op through the
// same interpreter kernels (`ej-run` is a command line around it).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_JIT_H
#define EJ_JIT_H

#include "ej/Tensor.h"

#include <functional>
#include <string>
#include <vector>

namespace ej::jit {

using TracedFn =
    std::function<std::vector<Tensor>(const std::vector<Tensor> &)>;

/// Runs fn(args) and returns its trace as MLIR text (see above).
std::string trace_to_mlir(const TracedFn &fn, const std::vector<Tensor> &args,
                          const std::string &name = "trace");

/// Writes trace_to_mlir(fn, args, name) to `path`; throws ej::Error when the
/// file cannot be written.
void dump_trace(const TracedFn &fn, const std::vector<Tensor> &args,
                const std::string &path, const std::string &name = "trace");

/// The type of a function argument: a tensor, or a variable holding one.
struct TensorType {
  std::vector<int64_t> shape;
  DType dtype;
  bool variable = false;
};

/// The argument types of function `name` (the first function when empty)
/// of an ej program. `source` names the text in diagnostics (a file name).
std::vector<TensorType> mlir_arguments(const std::string &text,
                                       const std::string &name = "",
                                       const std::string &source = "program");

/// Runs function `name` (the first when empty) of an ej program -- a dump,
/// or any ej func.func that verifies -- on `inputs` with the interpreter,
/// one eager kernel per op, and returns its results followed by the final
/// values of its variable arguments (whose initial values are the inputs
/// in their places). Throws ej::Error when
/// the text does not parse or verify, names no such function, or the inputs
/// do not match its arguments.
std::vector<Tensor> run_mlir(const std::string &text,
                             const std::vector<Tensor> &inputs,
                             const std::string &name = "",
                             const std::string &source = "program");

/// What the tracing JIT did, over all threads since the start (or the last
/// reset_stats()).
struct Stats {
  uint64_t ops_cold = 0;          // ops the interpreter ran one by one
  uint64_t ops_compiled = 0;      // ops run inside compiled regions
  uint64_t regions_compiled = 0;  // hot regions compiled
  uint64_t regions_failed = 0;    // hot regions left on the interpreter
  uint64_t regions_graphed = 0;   // GPU regions replayed as CUDA graphs
  double compile_ms = 0;          // time spent compiling
  double compile_ms_max = 0;      // the slowest region's compile
  uint64_t cache_hits_memory = 0; // compiled regions run from memory
  uint64_t cache_hits_disk = 0;   // kernels loaded from the disk cache
  uint64_t fallbacks = 0;         // deferred regions the interpreter ran
};
Stats stats();
void reset_stats();

/// Turns the tracing JIT on or off for the whole process (the default comes
/// from EJ_JIT). Off, every call runs at once in the interpreter. What was
/// deferred so far on this thread is computed first.
void set_enabled(bool enabled);
bool enabled();

/// Blocks until the background compiler has compiled (or refused) every
/// hot region handed to it so far.
void wait_for_compiles();

/// Forgets every region the JIT has seen or compiled: the next hot region
/// is compiled again (a compile-latency benchmark, or memory back). The
/// disk cache stays.
void clear_cache();

/// Compiled kernels are kept on disk, keyed by their IR, the CPU and the
/// compiler, so that another process (or this one, after clear_cache())
/// loads them instead of compiling. The cache's directory, empty when it is
/// off: EJ_JIT_DISK_CACHE (`0`: off), else $XDG_CACHE_HOME/eagerjit, else
/// ~/.cache/eagerjit. set_disk_cache moves it for kernels compiled from now
/// on; an empty `dir` turns it off. A directory that cannot be written only
/// means no disk cache (one line under EJ_LOG=jit).
void set_disk_cache(const std::string &dir);
std::string disk_cache();

} // namespace ej::jit

namespace ej {

/// The seeds' `new_step`: a scope whose start and end are region
/// boundaries, so that one training step is one region. Inside it a region
/// is not cut where an op recurs (the rule for loops with no markers): a
/// step that applies a layer twice is still one region, up to the length
/// cap.
///
///   for (...) { ej::Step step; train_step(); }
class Step {
public:
  Step();
  ~Step();
  Step(const Step &) = delete;
  Step &operator=(const Step &) = delete;
};

} // namespace ej

#endif // EJ_JIT_H
