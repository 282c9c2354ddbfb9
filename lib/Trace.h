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

  /// While an Untraced scope lives, records run in the interpreter at once,
  /// untraced (no region, no statistics) and uncaptured.
  void enter_untraced() { ++untraced_; }
  void exit_untraced() { --untraced_; }

private:
  Jit jit_;
  std::vector<std::vector<CapturedRecord> *> captures_;
  int untraced_ = 0;
};

/// The data pipeline's own slicing and batching run in one: they move the
/// user's data around the program, they are not part of it (TensorFlow runs
/// them outside eager execution too). Traced, each element's slice, with its
/// own start, would make a region signature of its own, filling the region
/// cache and keeping the thread's regions cold.
class Untraced {
public:
  Untraced() { Trace::current().enter_untraced(); }
  ~Untraced() { Trace::current().exit_untraced(); }
  Untraced(const Untraced &) = delete;
  Untraced &operator=(const Untraced &) = delete;
};

/// Runs a record on the CPU (the interpreter): one kernel per op.
void interpret(Record &r);

} // namespace ej::detail

#endif // EJ_LIB_TRACE_H
