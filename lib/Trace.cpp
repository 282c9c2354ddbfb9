//===- Trace.cpp - The per-thread trace ----------------------------------===//
#include "lib/Trace.h"
#include "lib/VariableImpl.h"

#include <algorithm>

namespace ej::detail {

const char *op_name(OpCode op) {
  static constexpr const char *kNames[] = {
#define EJ_OP(Name, name) #name,
#include "lib/Ops.def"
  };
  return kNames[static_cast<int>(op)];
}

namespace {

// A value without storage that this thread's region does not defer is
// another thread's, whose compiled region has not reached its end (the
// handle was passed on too early).
void need_computed(const Record &r, const Jit &jit) {
  for (size_t i = 0; i < r.size(); ++i)
    if (!r.input(i)->storage && !jit.defers(r.input(i)))
      throw Error(std::string(op_name(r.op)) + ": input " + std::to_string(i) +
                  " is a value that another thread's compiled region has "
                  "not computed yet; observe it, or end an ej::Step, in "
                  "that thread before passing it on");
}

} // namespace

void Trace::run(Record &r) {
  if (untraced_) {
    // An input the thread's compiled region has deferred is computed first.
    for (size_t i = 0; i < r.size(); ++i)
      if (!r.input(i)->storage) {
        boundary();
        break;
      }
    need_computed(r, jit_);
    interpret(r);
    return;
  }
  need_computed(r, jit_);
  if (JitConfig::get().enabled) {
    jit_.record(r);
  } else {
    interpret(r);
    counters().ops_cold++;
  }
  if (captures_.empty())
    return;
  CapturedRecord c{r, {}, nullptr};
  c.record.attrs.host = nullptr; // staged constants live in the result
  for (size_t i = 0; i < r.size(); ++i) {
    retain(r.input(i));
    c.refs.emplace_back(r.input(i));
  }
  retain(r.result);
  c.refs.emplace_back(r.result);
  if (r.attrs.var)
    c.var = r.attrs.var->shared_from_this();
  for (size_t i = 1; i < captures_.size(); ++i)
    captures_[i]->push_back(c);
  captures_.front()->push_back(std::move(c));
}

void Trace::remove_capture(std::vector<CapturedRecord> *c) {
  captures_.erase(std::find(captures_.begin(), captures_.end(), c));
}

} // namespace ej::detail
