//===- MatMulKernel.cpp - matmul on CUDA ----------------------------------===//
//
// float32/float64: one strided-batched cuBLAS call. A matrix view that BLAS
// reads in place (runtime/cpu/BlasLayout.h) and batch axes that step by
// one stride (or broadcast one matrix, stride 0) are passed as they are;
// other inputs are first copied row-major, with their batch axes broadcast,
// by the copy kernel. Integer matmul is a tiled kernel that reads any
// strides.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/BlasLayout.h"
#include "runtime/cuda/Cublas.h"
#include "runtime/cuda/Launch.h"

#include <climits>

namespace ej::cuda {
using detail::OpCode;
using detail::Record;
using detail::TensorImpl;
using runtime::Operand;
using runtime::operand;

namespace {

// One input as the batched call sees it: rows x cols matrices over the
// result's batch axes.
struct Input {
  const TensorImpl *t;
  int64_t rows, cols;
  Axes batch; // the result's batch axes, with t's strides (0: broadcast)
};

Input input_of(const TensorImpl *t, const TensorImpl *out) {
  Input in{t, t->shape[t->rank - 2], t->shape[t->rank - 1], {}};
  const int batch_rank = out->rank - 2, lead = batch_rank - (t->rank - 2);
  for (int d = 0; d < batch_rank; ++d) {
    int td = d - lead;
    in.batch.push(out->shape[d],
                  td < 0 || t->shape[td] == 1 ? 0 : t->strides[td]);
  }
  return in;
}

int as_int(int64_t v) {
  if (v > INT_MAX)
    throw Error("matmul: a dimension of " + std::to_string(v) +
                " is past what cuBLAS takes (" + std::to_string(INT_MAX) + ")");
  return int(v);
}

// The operand cuBLAS reads for `in`; `copy` holds a row-major copy when
// the input's layout needs one.
GemmOperand gemm_operand(int device, const Input &in, int64_t batch,
                         runtime::Storage *&copy) {
  const TensorImpl *t = in.t;
  const int r = t->rank;
  runtime::BlasMatrix layout = runtime::blas_layout(
      in.rows, in.cols, t->strides[r - 2], t->strides[r - 1]);
  Axes steps = in.batch.simplified();
  if (layout.ok && steps.rank <= 1)
    return {t->data(), layout.trans, as_int(layout.ld),
            steps.rank ? steps.strides[0] : 0};
  // [batch..., rows, cols] row-major, t broadcast over the batch axes.
  const int64_t elsize = int64_t(dtype_size(t->dtype));
  copy = allocate_storage(device, size_t(batch * in.rows * in.cols * elsize));
  int64_t shape[detail::kMaxRank], strides[detail::kMaxRank];
  const int rank = in.batch.rank + 2;
  for (int d = 0; d < in.batch.rank; ++d)
    shape[d] = in.batch.shape[d];
  shape[rank - 2] = in.rows;
  shape[rank - 1] = in.cols;
  row_major_strides(rank, shape, strides);
  cuda::copy(
      device, t->dtype,
      Operand{static_cast<char *>(copy->data), elsize, rank, shape, strides},
      operand(t), rank, shape);
  return {copy->data, false, as_int(std::max<int64_t>(in.cols, 1)),
          in.rows * in.cols};
}

void float_matmul(int device, const Input &a, const Input &b, TensorImpl *out,
                  int64_t batch) {
  runtime::Storage *copy_a = nullptr, *copy_b = nullptr;
  struct Release {
    runtime::Storage *&a, *&b;
    ~Release() {
      if (a)
        runtime::release(a);
      if (b)
        runtime::release(b);
    }
  } release{copy_a, copy_b};
  GemmOperand ga = gemm_operand(device, a, batch, copy_a);
  GemmOperand gb = gemm_operand(device, b, batch, copy_b);
  // Row-major c = a b is column-major c^T = b^T a^T: cuBLAS reads each
  // row-major matrix as its transpose, so b comes first.
  const int64_t n = a.rows, k = a.cols, m = b.cols;
  gemm_strided_batched(device, out->dtype, as_int(m), as_int(n), as_int(k), gb,
                       ga, out->data(), as_int(std::max<int64_t>(m, 1)), n * m,
                       as_int(batch));
}

void integer_matmul(int device, const Input &a, const Input &b, TensorImpl *out,
                    int64_t batch) {
  MatMulArgs p{};
  p.a = a.t->data();
  p.b = b.t->data();
  p.c = out->data();
  p.batch = batch;
  p.n = a.rows;
  p.k = a.cols;
  p.m = b.cols;
  p.a_rows = a.t->strides[a.t->rank - 2];
  p.a_cols = a.t->strides[a.t->rank - 1];
  p.b_rows = b.t->strides[b.t->rank - 2];
  p.b_cols = b.t->strides[b.t->rank - 1];
  p.batch_rank = a.batch.rank;
  for (int d = 0; d < a.batch.rank; ++d) {
    p.batch_shape[d] = a.batch.shape[d];
    p.a_batch[d] = a.batch.strides[d];
    p.b_batch[d] = b.batch.strides[d];
  }
  // The kernel's loops take what is past gridDim.y and z's limit.
  constexpr int64_t most = 65535;
  constexpr int64_t tile = MatMulArgs::kTile;
  auto tiles = [](int64_t n) { return (n + tile - 1) / tile; };
  Dim3 grid{unsigned(std::min(tiles(p.m), most)),
            unsigned(std::min(tiles(p.n), most)),
            unsigned(std::min(batch, most))};
  launch_with(device,
              kernel(device, {OpCode::MatMul, a.t->dtype}, Variant::Single),
              grid, {unsigned(tile), unsigned(tile)}, p);
}

} // namespace

void kernel_MatMul(Record &r) {
  TensorImpl *out = r.result;
  detail::allocate(out);
  if (out->numel == 0)
    return;
  const int device = out->device;
  Input a = input_of(r.input(0), out), b = input_of(r.input(1), out);
  const int64_t batch = a.batch.numel();
  if (a.cols == 0) { // no products: zeros
    fill_bits(device, out->dtype, out->data(), out->numel, 0);
    return;
  }
  if (is_floating(out->dtype))
    float_matmul(device, a, b, out, batch);
  else
    integer_matmul(device, a, b, out, batch);
}

} // namespace ej::cuda
