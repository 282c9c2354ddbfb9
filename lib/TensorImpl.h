//===- TensorImpl.h - What a Tensor handle points to --------------*- C++
//-*-===//
//
// Shape, strides (in elements), offset and a reference to the Storage that
// holds the elements. Strides may be zero (broadcast views) or describe any
// permutation (transpose views); `contiguous` caches whether the elements are
// row-major and dense.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_TENSORIMPL_H
#define EJ_LIB_TENSORIMPL_H

#include "ej/Tensor.h"
#include "runtime/cpu/Allocator.h"

#include <atomic>

namespace ej::detail {

inline constexpr int kMaxRank = 8;

struct TensorImpl {
  std::atomic<int32_t> refs{1};
  DType dtype = float32;
  uint8_t rank = 0;
  bool weak = false;
  // A C++ literal itself (weak too): a leaf, whose value is always there.
  // Ops on weak values give weak values that are not literals: inside a
  // compiled region those may be deferred, without storage.
  bool literal = false;
  bool contiguous = true;
  // runtime::kHost, or the CUDA device holding the elements (the storage's
  // device once there is storage).
  int8_t device = runtime::kHost;
  int64_t numel = 1;
  int64_t offset = 0;
  runtime::Storage *storage = nullptr;
  int64_t shape[kMaxRank];
  int64_t strides[kMaxRank];

  char *data() const {
    return static_cast<char *>(storage->data) +
           offset * static_cast<int64_t>(dtype_size(dtype));
  }
  template <class T> T *data_as() const {
    return reinterpret_cast<T *>(data());
  }
  IntList dims() const { return IntList(shape, rank); }
};

/// A new impl of the given shape, with row-major strides and no storage yet.
TensorImpl *new_impl(DType dtype, IntList shape);
/// Sets row-major strides and `numel` from `shape`.
void set_contiguous_strides(TensorImpl *t);
/// Recomputes `contiguous` from shape and strides.
void update_contiguous(TensorImpl *t);
/// Gives `t` a fresh buffer for its elements, on its device.
void allocate(TensorImpl *t);

} // namespace ej::detail

#endif // EJ_LIB_TENSORIMPL_H
