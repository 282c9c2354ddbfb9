//===- CudaReduction.cpp - How ej reductions accumulate, in CUDA C --------===//
#include "codegen/CudaReduction.h"
#include "codegen/ScalarMath.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringSwitch.h"

#include <limits>

using namespace mlir;
using namespace mlir::ej;

std::optional<cuda::Reduction> cuda::reductionOf(StringRef mnemonic) {
  return llvm::StringSwitch<std::optional<Reduction>>(mnemonic)
      .Case("reduce_sum", Reduction{"add", true})
      .Case("reduce_mean", Reduction{"add", true, true})
      .Case("reduce_prod", Reduction{"mul", true})
      .Case("reduce_max", Reduction{"maximum", false, false, false, true, true})
      .Case("reduce_min",
            Reduction{"minimum", false, false, false, false, true})
      .Case("argmax", Reduction{"", false, false, true, true})
      .Case("argmin", Reduction{"", false, false, true, false})
      .Default(std::nullopt);
}

Type cuda::accumulatorType(const Reduction &r, Type element) {
  if (!r.wide)
    return element;
  Builder b(element.getContext());
  return isFloatElement(element) ? Type(b.getF64Type()) : Type(b.getI64Type());
}

TypedAttr cuda::initialValue(const Reduction &r, Type acc) {
  if (r.extreme) {
    if (isFloatElement(acc))
      return FloatAttr::get(acc, r.max
                                     ? -std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::infinity());
    unsigned bits = acc.getIntOrFloatBitWidth();
    return IntegerAttr::get(acc, r.max ? APInt::getSignedMinValue(bits)
                                       : APInt::getSignedMaxValue(bits));
  }
  return scalarAttr(acc, r.combine == "mul" ? 1 : 0);
}

// A tree of warp shuffles, then one value per warp through shared memory,
// read back by every thread (the same order in every block, so results do
// not depend on timing).
const char *cuda::blockReductionSource() {
  return R"cuda(template <class T, class F>
__device__ __forceinline__ T ej_warp_reduce(T v, F fold) {
  for (int offset = 16; offset > 0; offset /= 2)
    v = fold(v, __shfl_down_sync(0xffffffffu, v, offset));
  return v;
}

template <class T, class F>
__device__ __forceinline__ T ej_block_reduce(T v, F fold, T *scratch) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = ej_warp_reduce(v, fold);
  __syncthreads();
  if (lane == 0)
    scratch[warp] = v;
  __syncthreads();
  v = scratch[0];
  for (int w = 1; w < int(blockDim.x / 32); ++w)
    v = fold(v, scratch[w]);
  return v;
}

// (value, index) pairs: NaN first, then the larger (smaller) value, then
// the smaller index; index -1 is empty. Order-free, so any tree gives the
// first extreme.
template <bool Max, class T>
__device__ __forceinline__ void ej_arg_combine(T &v, long long &i, T ov,
                                               long long oi) {
  bool take;
  if (oi < 0)
    take = false;
  else if (i < 0)
    take = true;
  else if (ov != ov)
    take = v == v || oi < i;
  else if (v != v)
    take = false;
  else if (Max ? ov > v : ov < v)
    take = true;
  else
    take = ov == v && oi < i;
  if (take) {
    v = ov;
    i = oi;
  }
}

template <bool Max, class T>
__device__ __forceinline__ void ej_block_arg_reduce(T &v, long long &i,
                                                    T *sv, long long *si) {
  for (int offset = 16; offset > 0; offset /= 2)
    ej_arg_combine<Max>(v, i, __shfl_down_sync(0xffffffffu, v, offset),
                        __shfl_down_sync(0xffffffffu, i, offset));
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0) {
    sv[warp] = v;
    si[warp] = i;
  }
  __syncthreads();
  v = sv[0];
  i = si[0];
  for (int w = 1; w < int(blockDim.x / 32); ++w)
    ej_arg_combine<Max>(v, i, sv[w], si[w]);
}
)cuda";
}
