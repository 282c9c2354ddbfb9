//===- Trace.h - The per-thread trace of recorded calls ------------*- C++
//-*-===//
//
// Each thread has its own trace. An API call passes its record here; the
// trace decides how it runs. With no compiled region to match, a record is
// cold: the interpreter runs it at once with the op's CPU kernel.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_TRACE_H
#define EJ_LIB_TRACE_H

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

struct TraceStats {
  uint64_t ops_recorded = 0;
  uint64_t ops_cold = 0;
};

class Trace {
public:
  static Trace &current() {
    thread_local Trace trace;
    return trace;
  }
  /// Runs `r`: afterwards `r.result` holds the value.
  void run(Record &r);
  const TraceStats &stats() const { return stats_; }

  /// While a capture is active, every record run is also appended to it.
  /// Several can be active at once (nested tapes, a trace inside a tape):
  /// each gets every record.
  void add_capture(std::vector<CapturedRecord> *c) { captures_.push_back(c); }
  void remove_capture(std::vector<CapturedRecord> *c);

private:
  TraceStats stats_;
  std::vector<std::vector<CapturedRecord> *> captures_;
};

/// Runs a record on the CPU (the interpreter): one kernel per op.
void interpret(Record &r);

} // namespace ej::detail

#endif // EJ_LIB_TRACE_H
