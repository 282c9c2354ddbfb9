//===- ShapeKernels.cpp - Views and data-movement kernels -----------------===//
//
// reshape, transpose, broadcast_to, slice and stop_gradient make views: the
// result shares the input's storage with new strides and offset (reshape copies
// first when the input's layout cannot be viewed row-major). The others copy.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Kernels.h"

namespace ej::runtime {
using detail::Record;
using detail::TensorImpl;

void kernel_Reshape(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result; // row-major strides already set
  if (x->contiguous) {
    share_storage(out, x);
    return;
  }
  detail::allocate(out);
  int64_t strides[detail::kMaxRank];
  int64_t step = 1;
  for (int d = x->rank - 1; d >= 0; --d) {
    strides[d] = step;
    step *= x->shape[d];
  }
  Operand dst{out->data(), operand(x).elsize, x->rank, x->shape, strides};
  copy_into(dst, operand(x), x->rank, x->shape);
}

void kernel_Transpose(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  share_storage(out, x);
  for (int d = 0; d < out->rank; ++d)
    out->strides[d] = x->strides[r.attrs.ints[d]];
  detail::update_contiguous(out);
}

void kernel_BroadcastTo(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  share_storage(out, x);
  int lead = out->rank - x->rank;
  for (int d = 0; d < out->rank; ++d) {
    int xd = d - lead;
    out->strides[d] = (xd < 0 || (x->shape[xd] == 1 && out->shape[d] != 1))
                          ? 0
                          : x->strides[xd];
  }
  detail::update_contiguous(out);
}

void kernel_Slice(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  share_storage(out, x);
  // Per input axis: start, then step; step 0 marks an integer index,
  // which drops the axis.
  int rank = x->rank, k = 0;
  for (int d = 0; d < rank; ++d) {
    out->offset += r.attrs.ints[d] * x->strides[d];
    if (int64_t step = r.attrs.ints[rank + d])
      out->strides[k++] = x->strides[d] * step;
  }
  detail::update_contiguous(out);
}

void kernel_StopGradient(Record &r) { alias(r.result, r.input(0)); }

void kernel_Copy(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  copy_into(operand(out), operand(x), out->rank, out->shape);
}

void kernel_Concat(Record &r) {
  detail::allocate(r.result);
  concat_into(r,
              [](const Operand &dst, const Operand &src, const TensorImpl *x) {
                copy_into(dst, src, x->rank, x->shape);
              });
}

void kernel_Gather(Record &r) {
  const TensorImpl *params = r.input(0), *indices = r.input(1);
  TensorImpl *out = r.result;
  detail::allocate(out);
  int axis = int(r.attrs.ints[0]);
  int64_t outer = 1, inner = 1, len = params->shape[axis];
  for (int d = 0; d < axis; ++d)
    outer *= params->shape[d];
  for (int d = axis + 1; d < params->rank; ++d)
    inner *= params->shape[d];
  int64_t nidx = indices->numel;
  // Indices, read through any strides, as int64.
  std::vector<int64_t> idx(size_t(nidx), 0);
  {
    Operand dst{reinterpret_cast<char *>(idx.data()), 8, indices->rank,
                indices->shape, nullptr};
    int64_t strides[detail::kMaxRank], step = 1;
    for (int d = indices->rank - 1; d >= 0; --d) {
      strides[d] = step;
      step *= indices->shape[d];
    }
    dst.strides = strides;
    dispatch<math::kInts>(indices->dtype, "gather", [&](auto tag) {
      using I = decltype(tag);
      Loop<2> loop(indices->rank, indices->shape, {dst, operand(indices)});
      loop.run_range(0, loop.numel, [](char **p, const int64_t *s, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<int64_t *>(p[0] + i * s[0]) =
              *reinterpret_cast<const I *>(p[1] + i * s[1]);
      });
    });
  }
  check_gather_indices(idx, len, axis);
  // Each picked slice params[o, idx[j], ...] is a block of `inner` elements;
  // a memcpy when params' trailing axes are row-major.
  int rest = params->rank - axis - 1;
  bool dense_rows = true;
  for (int64_t d = params->rank - 1, step = 1; d > axis; --d) {
    dense_rows &= params->shape[d] == 1 || params->strides[d] == step;
    step *= params->shape[d];
  }
  int64_t elsize = int64_t(dtype_size(params->dtype));
  Operand src = operand(params);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < nidx; ++j) {
      // The slice params[o, idx[j], :] with params' own strides.
      char *from = src.data;
      int64_t rem = o;
      for (int d = axis - 1; d >= 0; --d) {
        from += (rem % params->shape[d]) * params->strides[d] * elsize;
        rem /= params->shape[d];
      }
      from += idx[size_t(j)] * params->strides[axis] * elsize;
      char *to = out->data() + ((o * nidx + j) * inner) * elsize;
      if (dense_rows) {
        std::memcpy(to, from, size_t(inner * elsize));
        continue;
      }
      int64_t dst_strides[detail::kMaxRank], step = 1;
      for (int d = rest - 1; d >= 0; --d) {
        dst_strides[d] = step;
        step *= params->shape[axis + 1 + d];
      }
      Operand d{to, elsize, rest, params->shape + axis + 1, dst_strides};
      Operand s{from, elsize, rest, params->shape + axis + 1,
                params->strides + axis + 1};
      copy_into(d, s, rest, params->shape + axis + 1);
    }
  }
}

void kernel_OneHot(Record &r) {
  const TensorImpl *indices = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  int64_t depth = r.attrs.ints[0];
  double on = r.attrs.f[0], off = r.attrs.f[1];
  dispatch<math::kInts>(indices->dtype, "one_hot", [&](auto itag) {
    using I = decltype(itag);
    dispatch<math::kAll>(out->dtype, "one_hot", [&](auto tag) {
      using T = decltype(tag);
      T *o = out->data_as<T>();
      T onv = static_cast<T>(on), offv = static_cast<T>(off);
      for (int64_t i = 0; i < out->numel; ++i)
        o[i] = offv;
      // Walk the indices in row-major order; out-of-range ones stay off.
      Loop<1> loop(indices->rank, indices->shape, {operand(indices)});
      int64_t row = 0;
      loop.run_range(0, loop.numel, [&](char **p, const int64_t *s, int64_t n) {
        for (int64_t i = 0; i < n; ++i, ++row) {
          int64_t v = *reinterpret_cast<const I *>(p[0] + i * s[0]);
          if (v >= 0 && v < depth)
            o[row * depth + v] = onv;
        }
      });
    });
  });
}

void kernel_Pad(Record &r) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  double value = r.attrs.f[0];
  dispatch<math::kAll>(out->dtype, "pad", [&](auto tag) {
    using T = decltype(tag);
    T *o = out->data_as<T>();
    T v = static_cast<T>(value);
    for (int64_t i = 0; i < out->numel; ++i)
      o[i] = v;
  });
  int64_t elsize = int64_t(dtype_size(out->dtype));
  Operand dst = operand(out);
  for (int d = 0; d < out->rank; ++d)
    dst.data += r.attrs.ints[d] * out->strides[d] * elsize;
  dst.shape = x->shape;
  copy_into(dst, operand(x), x->rank, x->shape);
}

} // namespace ej::runtime
