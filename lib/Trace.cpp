//===- Trace.cpp - The per-thread trace ----------------------------------===//
#include "lib/Trace.h"
#include "lib/OpSupport.h"
#include "lib/Profile.h"
#include "lib/VariableImpl.h"
#include "runtime/cuda/Kernels.h"

#include <algorithm>

namespace ej::detail {

const char *op_name(OpCode op) {
  static constexpr const char *kNames[] = {
#define EJ_OP(Name, name) #name,
#include "lib/Ops.def"
  };
  return kNames[static_cast<int>(op)];
}

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
  if (JitConfig::get().enabled) {
    jit_.record(r);
  } else {
    need_computed(r, jit_);
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

namespace {

void run_kernel(Record &r) {
  if (r.op == OpCode::Copy && r.input(0)->device != r.result->device) {
    // A copy between devices: the result views a row-major copy there.
    Tensor value = transfer(r.input(0), r.result->device);
    runtime::share_storage(r.result, value.impl());
    return;
  }
  if (r.result->device == runtime::kHost) {
    runtime::cpu_kernel(r.op)(r);
    return;
  }
  runtime::cuda_kernel(r.op)(r);
}

} // namespace

void interpret(Record &r) {
  if (profiling()) {
    // "mul float32 (64, 1024)": a line per op, dtype and shape.
    std::string label = std::string(op_name(r.op)) + " " +
                        dtype_name(r.result->dtype) + " " +
                        shape_str(r.result->dims());
    ProfileScope timed(label);
    run_kernel(r);
    return;
  }
  run_kernel(r);
}

void Trace::remove_capture(std::vector<CapturedRecord> *c) {
  captures_.erase(std::find(captures_.begin(), captures_.end(), c));
}

} // namespace ej::detail
