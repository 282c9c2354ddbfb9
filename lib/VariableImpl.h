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

} // namespace ej::detail

#endif // EJ_LIB_VARIABLEIMPL_H
