//===- VariableImpl.h - What a Variable handle points to -----------*- C++
//-*-===//
#ifndef EJ_LIB_VARIABLEIMPL_H
#define EJ_LIB_VARIABLEIMPL_H

#include "ej/Variable.h"
#include "runtime/cpu/Allocator.h"

#include <memory>
#include <mutex>

namespace ej::detail {

struct VariableImpl : std::enable_shared_from_this<VariableImpl> {
  std::mutex mu; // value may be read and assigned from several threads
  Tensor value;  // immutable; an assignment swaps in another tensor
  std::string name;
  bool trainable = true;
  uint64_t id = 0;
  DType dtype = float32;
  std::vector<int64_t> shape;
  int device = runtime::kHost; // that of the first value; assigned values
                               // are copied here
};

/// Moves `v`'s value to `device` (nothing when it is there), keeping the
/// variable: state that follows the tensors it is updated with (an
/// optimizer's step counter, a metric's totals) moves to their device on
/// first use, so that a step's ops all run on one device.
void move_variable(VariableImpl *v, int device);

} // namespace ej::detail

#endif // EJ_LIB_VARIABLEIMPL_H
