//===- Trace.h - The per-thread trace of recorded calls ------------*- C++
//-*-===//
//
// Each thread has its own trace. An API call passes its record here; the
// trace decides how it runs. With no compiled region to match, a record is
// cold: the interpreter runs it at once with the op's CPU kernel; inside a
// compiled region it is deferred (lib/Jit.h).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_TRACE_H
#define EJ_LIB_TRACE_H

#include "lib/Jit.h"
#include "lib/Record.h"

#include <memory>
#include <vector>

namespace ej::detail {

/// A record kept after it ran, holding references to its inputs and result
/// (and to its variable, if any).
struct CapturedRecord {
  Record record;
  std::vector<Tensor> refs; // inputs, then the result
  std::shared_ptr<VariableImpl> var;
};

class Trace {
public:
  static Trace &current() {
    thread_local Trace trace;
    return trace;
  }
  ~Trace() { jit_.shutdown(); }
  /// Runs `r` now, or defers it inside a compiled region (lib/Jit.h): its
  /// result then has no storage until the region ends.
  void run(Record &r);
  /// Ends the current region: values deferred so far are computed.
  void boundary() { jit_.boundary(); }
  /// An ej::Step scope begins or ends.
  void enter_step() { jit_.enter_step(); }
  void exit_step() { jit_.exit_step(); }

  /// While a capture is active, every record run is also appended to it.
  /// Several can be active at once (nested tapes, a trace inside a tape):
  /// each gets every record.
  void add_capture(std::vector<CapturedRecord> *c) { captures_.push_back(c); }
  void remove_capture(std::vector<CapturedRecord> *c);

private:
  Jit jit_;
  std::vector<std::vector<CapturedRecord> *> captures_;
};

/// Runs a record on the CPU (the interpreter): one kernel per op.
void interpret(Record &r);

} // namespace ej::detail

#endif // EJ_LIB_TRACE_H
