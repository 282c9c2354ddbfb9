//===- Record.h - One recorded op call ----------------------------*- C++
//-*-===//
//
// Every API call builds one Record (opcode, attributes, inputs, result) and
// hands it to the thread's Trace. The record is all the interpreter needs to
// run the op, and all the trace-to-MLIR conversion needs to write it: no MLIR
// objects and no heap allocation on this path (inputs past four and nothing
// else spill to the heap).
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_RECORD_H
#define EJ_LIB_RECORD_H

#include "lib/TensorImpl.h"

#include <cstddef>
#include <cstring>
#include <vector>

namespace ej::detail {

enum class OpCode : uint16_t {
#define EJ_OP(Name, name) Name,
#include "lib/Ops.def"
};

inline constexpr int kNumOps = 0
#define EJ_OP(Name, name) +1
#include "lib/Ops.def"
    ;

/// "add", "reduce_sum", ...: the API name and the MLIR op's mnemonic.
const char *op_name(OpCode op);

struct VariableImpl;

struct Attrs {
  static constexpr int kMaxInts = 3 * kMaxRank;
  uint8_t num_ints = 0;
  bool keepdims = false;
  DType dtype = float32;
  double f[2] = {0, 0};
  uint64_t u[2] = {0, 0};
  const void *host = nullptr;  // constant: the values, in the result's dtype
  VariableImpl *var = nullptr; // variable_read, assign
  int64_t ints[kMaxInts];      // last: a copy stops after the ones in use

  Attrs() = default;
  // Records are copied on every traced op, and most use a few of the ints.
  // The fixed part is copied by its constant size (a few vector moves) and
  // the ints in use one by one: one copy of a variable size became a `rep
  // movs`, whose start-up cost made copying a record half of the time the
  // tracer spent keeping it.
  Attrs(const Attrs &o) { *this = o; }
  Attrs &operator=(const Attrs &o) {
    std::memcpy(static_cast<void *>(this), &o, offsetof(Attrs, ints));
    for (uint8_t i = 0; i < o.num_ints; ++i)
      ints[i] = o.ints[i];
    return *this;
  }

  IntList int_list() const { return IntList(ints, num_ints); }
  void push(int64_t v) { ints[num_ints++] = v; }
};
static_assert(offsetof(Attrs, ints) + sizeof(Attrs::ints) == sizeof(Attrs),
              "Attrs' copy relies on the ints being its last member");

struct Record {
  OpCode op;
  uint8_t num_inputs = 0;
  TensorImpl *inline_inputs[4];
  std::vector<TensorImpl *> more_inputs; // only past four inputs
  TensorImpl *result = nullptr;
  Attrs attrs;

  explicit Record(OpCode op) : op(op) {}
  void add_input(TensorImpl *t) {
    if (num_inputs < 4 && more_inputs.empty())
      inline_inputs[num_inputs++] = t;
    else {
      if (more_inputs.empty())
        more_inputs.assign(inline_inputs, inline_inputs + num_inputs);
      more_inputs.push_back(t);
    }
  }
  size_t size() const {
    return more_inputs.empty() ? num_inputs : more_inputs.size();
  }
  TensorImpl *input(size_t i) const {
    return more_inputs.empty() ? inline_inputs[i] : more_inputs[i];
  }
  void set_input(size_t i, TensorImpl *t) {
    (more_inputs.empty() ? inline_inputs[i] : more_inputs[i]) = t;
  }
};

} // namespace ej::detail

#endif // EJ_LIB_RECORD_H
