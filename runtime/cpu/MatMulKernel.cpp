//===- MatMulKernel.cpp - matmul through BLAS ----------------------------===//
//
// float32/float64 go to cblas_sgemm/dgemm once per batch element; a
// transposed view is passed as a transpose flag instead of being copied.
// Integer matmul is a plain i-k-j loop.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/BlasLayout.h"
#include "runtime/cpu/Kernels.h"

#include <cblas.h>

namespace ej::runtime {
using detail::Record;
using detail::TensorImpl;

void kernel_MatMul(Record &r) {
  const TensorImpl *a = r.input(0), *b = r.input(1);
  TensorImpl *out = r.result;
  detail::allocate(out);
  const int ra = a->rank, rb = b->rank, ro = out->rank;
  const int64_t n = a->shape[ra - 2], k = a->shape[ra - 1],
                m = b->shape[rb - 1];
  // Batch axes of the result, with each input's (broadcast) batch strides.
  const int batch_rank = ro - 2;
  int64_t batch = 1;
  int64_t bshape[detail::kMaxRank], sa[detail::kMaxRank], sb[detail::kMaxRank];
  for (int d = 0; d < batch_rank; ++d) {
    bshape[d] = out->shape[d];
    batch *= bshape[d];
    int da = d - (batch_rank - (ra - 2)), db = d - (batch_rank - (rb - 2));
    sa[d] = (da < 0 || a->shape[da] == 1) ? 0 : a->strides[da];
    sb[d] = (db < 0 || b->shape[db] == 1) ? 0 : b->strides[db];
  }
  BlasMatrix la = blas_layout(n, k, a->strides[ra - 2], a->strides[ra - 1]);
  BlasMatrix lb = blas_layout(k, m, b->strides[rb - 2], b->strides[rb - 1]);

  dispatch<math::kNumbers>(a->dtype, "matmul", [&](auto tag) {
    using T = decltype(tag);
    const T *pa = a->data_as<T>(), *pb = b->data_as<T>();
    T *po = out->data_as<T>();
    // Matrices BLAS cannot read in place are copied row-major once per
    // batch element into scratch.
    Storage *scratch_a = nullptr, *scratch_b = nullptr;
    if (!la.ok)
      scratch_a = allocate_storage(size_t(n * k) * sizeof(T));
    if (!lb.ok)
      scratch_b = allocate_storage(size_t(k * m) * sizeof(T));
    auto pack = [](const T *src, int64_t rows, int64_t cols, int64_t s0,
                   int64_t s1, T *dst) {
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          dst[i * cols + j] = src[i * s0 + j * s1];
    };
    int64_t idx[detail::kMaxRank] = {};
    for (int64_t bi = 0; bi < batch; ++bi) {
      const T *ma = pa, *mb = pb;
      for (int d = 0; d < batch_rank; ++d) {
        ma += idx[d] * sa[d];
        mb += idx[d] * sb[d];
      }
      T *mo = po + bi * n * m;
      BlasMatrix ua = la, ub = lb;
      if (!la.ok) {
        pack(ma, n, k, a->strides[ra - 2], a->strides[ra - 1],
             static_cast<T *>(scratch_a->data));
        ma = static_cast<T *>(scratch_a->data);
        ua = {true, false, std::max<int64_t>(k, 1)};
      }
      if (!lb.ok) {
        pack(mb, k, m, b->strides[rb - 2], b->strides[rb - 1],
             static_cast<T *>(scratch_b->data));
        mb = static_cast<T *>(scratch_b->data);
        ub = {true, false, std::max<int64_t>(m, 1)};
      }
      if constexpr (std::is_floating_point_v<T>) {
        auto ta = ua.trans ? CblasTrans : CblasNoTrans;
        auto tb = ub.trans ? CblasTrans : CblasNoTrans;
        if (n > 0 && m > 0) {
          if constexpr (std::is_same_v<T, float>)
            cblas_sgemm(CblasRowMajor, ta, tb, int(n), int(m), int(k), 1.0f, ma,
                        int(ua.ld), mb, int(ub.ld), 0.0f, mo,
                        int(std::max<int64_t>(m, 1)));
          else
            cblas_dgemm(CblasRowMajor, ta, tb, int(n), int(m), int(k), 1.0, ma,
                        int(ua.ld), mb, int(ub.ld), 0.0, mo,
                        int(std::max<int64_t>(m, 1)));
        }
      } else {
        auto at = [&](const T *p, const BlasMatrix &l, int64_t i, int64_t j) {
          return l.trans ? p[j * l.ld + i] : p[i * l.ld + j];
        };
        for (int64_t i = 0; i < n * m; ++i)
          mo[i] = 0;
        for (int64_t i = 0; i < n; ++i)
          for (int64_t p = 0; p < k; ++p) {
            T av = at(ma, ua, i, p);
            for (int64_t j = 0; j < m; ++j)
              mo[i * m + j] += av * at(mb, ub, p, j);
          }
      }
      for (int d = batch_rank - 1; d >= 0; --d) {
        if (++idx[d] < bshape[d])
          break;
        idx[d] = 0;
      }
    }
    if (scratch_a)
      release(scratch_a);
    if (scratch_b)
      release(scratch_b);
  });
}

} // namespace ej::runtime
