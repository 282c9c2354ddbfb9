//===- Trace.cpp - The per-thread trace ----------------------------------===//
#include "lib/Trace.h"

namespace ej::detail {

const char *op_name(OpCode op) {
  static constexpr const char *kNames[] = {
#define EJ_OP(Name, name) #name,
#include "lib/Ops.def"
  };
  return kNames[static_cast<int>(op)];
}

void Trace::run(Record &r) {
  ++stats_.ops_recorded;
  ++stats_.ops_cold;
  interpret(r);
}

} // namespace ej::detail
