//===- RowMajor.h - A tensor's elements as one dense row-major block -*- C++
//-*-===//
//
// Kernels that walk raw pointers (convolution, pooling) read strided
// inputs (transposed views, broadcasts) through a row-major copy.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CPU_ROWMAJOR_H
#define EJ_RUNTIME_CPU_ROWMAJOR_H

#include "runtime/cpu/Kernels.h"

namespace ej::runtime {

/// `x`'s elements row-major: its own buffer when contiguous, else a copy
/// that lives as long as this object.
class RowMajor {
public:
  explicit RowMajor(const detail::TensorImpl *x) {
    if (x->contiguous) {
      data_ = x->data();
      return;
    }
    int64_t elsize = int64_t(dtype_size(x->dtype));
    copy_ = allocate_storage(size_t(x->numel * elsize));
    int64_t strides[detail::kMaxRank], step = 1;
    for (int d = x->rank - 1; d >= 0; --d) {
      strides[d] = step;
      step *= x->shape[d];
    }
    copy_into(Operand{static_cast<char *>(copy_->data), elsize, x->rank,
                      x->shape, strides},
              operand(x), x->rank, x->shape);
    data_ = static_cast<const char *>(copy_->data);
  }
  RowMajor(const RowMajor &) = delete;
  RowMajor &operator=(const RowMajor &) = delete;
  ~RowMajor() {
    if (copy_)
      release(copy_);
  }
  template <class T> const T *as() const {
    return reinterpret_cast<const T *>(data_);
  }

private:
  Storage *copy_ = nullptr;
  const char *data_;
};

} // namespace ej::runtime

#endif // EJ_RUNTIME_CPU_ROWMAJOR_H
