//===- ReduceKernels.cpp - Reductions, argmax and argmin on CUDA ----------===//
//
// The input is seen as two groups of axes, the kept ones (the results,
// row-major) and the reduced ones, each simplified; the reduced axes are
// ordered by stride first, so that neighbouring reduced elements are
// neighbours in memory. Which loop runs follows the memory layout:
//   - inner: a block per result, its threads over the reduced elements,
//     when the reduced axes are innermost in memory (reduce over rows);
//   - outer: a thread per result, each folding its elements in order, when
//     the kept axes are innermost (reduce over columns) or few elements
//     fold into each result.
// When that gives too few threads to fill the GPU (few results, long
// reductions: a sum of 2^24 elements), the reduction is split into chunks
// over gridDim.y that write partial accumulators to scratch memory, and a
// second launch merges them. Accumulation is the CPU's (float sums and
// products in float64, integer ones in int64; runtime/cpu/ReduceKernels.cpp)
// through codegen/CudaReduction.h's table; float results may differ from
// the CPU's in the last place from the order of the sums.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/Launch.h"

#include <algorithm>
#include <limits>

namespace ej::cuda {
using detail::OpCode;
using detail::Record;
using detail::TensorImpl;

namespace {

struct Plan {
  bool inner = false;
  unsigned threads = kBlock; // per block
  unsigned blocks = 1;       // over the results
  int64_t splits = 1, chunk = 0;
};

// How `outputs` results of `length` elements each run; `split` allows
// partial results.
Plan plan(int device, const Axes &kept, const Axes &reduced, int64_t outputs,
          int64_t length, bool split) {
  const int64_t sms = properties(device).multiprocessors;
  const int64_t resident = sms * 2048; // threads the GPU runs at once
  auto innermost = [](const Axes &a) {
    return a.rank ? std::abs(a.strides[a.rank - 1])
                  : std::numeric_limits<int64_t>::max();
  };
  auto whole_warps = [](int64_t n) {
    return unsigned(std::clamp<int64_t>((n + 31) / 32 * 32, 32, kBlock));
  };
  Plan p;
  p.inner = length >= 32 && innermost(reduced) < innermost(kept);
  int64_t threads, per_split; // threads without splitting; elements a split
                              // should at least fold
  if (p.inner) {
    p.threads = whole_warps(length);
    threads = outputs * p.threads;
    per_split = int64_t(p.threads) * 16;
    p.blocks = unsigned(std::min<int64_t>(outputs, resident / p.threads));
  } else {
    p.threads = whole_warps(outputs);
    threads = outputs;
    per_split = 32;
    p.blocks = blocks_for(device, outputs, p.threads);
  }
  if (split && threads < resident / 2 && length >= 2 * per_split)
    p.splits = std::min<int64_t>(
        {(resident + threads - 1) / threads, length / per_split, 65535});
  p.chunk = std::max<int64_t>((length + p.splits - 1) / p.splits, 1);
  p.splits = std::max<int64_t>((length + p.chunk - 1) / p.chunk, 1);
  return p;
}

void launch_plan(int device, const KernelSpec &spec, const Plan &p,
                 Variant variant, ReduceArgs &a) {
  a.chunk = p.chunk;
  launch_with(device, kernel(device, spec, variant),
              {p.blocks, unsigned(p.splits)}, {p.threads}, a);
}

// Reduces the axes of `x` marked in `reduced` into the row-major `out`.
void reduce(Record &r, const bool *reduced) {
  const TensorImpl *x = r.input(0);
  TensorImpl *out = r.result;
  detail::allocate(out);
  if (out->numel == 0)
    return;
  const int device = out->device;
  const KernelSpec spec{r.op, x->dtype};

  Axes kept, folded;
  int64_t count = 1;
  for (int d = 0; d < x->rank; ++d) {
    if (reduced[d])
      count *= x->shape[d];
    (reduced[d] ? folded : kept).push(x->shape[d], x->strides[d]);
  }
  // The order of the reduced elements is free (argmax and argmin reduce one
  // axis, whose index they return): the smallest stride goes innermost.
  if (folded.rank > 1) {
    int order[kArgRank];
    for (int d = 0; d < folded.rank; ++d)
      order[d] = d;
    std::stable_sort(order, order + folded.rank, [&](int i, int j) {
      return std::abs(folded.strides[i]) > std::abs(folded.strides[j]);
    });
    Axes sorted;
    for (int d = 0; d < folded.rank; ++d)
      sorted.push(folded.shape[order[d]], folded.strides[order[d]]);
    folded = sorted;
  }
  kept = kept.simplified();
  folded = folded.simplified();
  const int64_t outputs = out->numel, length = count;

  ReduceArgs a{};
  a.in = x->data();
  a.out = out->data();
  a.outputs = outputs;
  a.length = length;
  a.scale = 1.0 / double(count);
  kept.store(a.kept_rank, a.kept_shape, a.kept_strides);
  folded.store(a.reduced_rank, a.reduced_shape, a.reduced_strides);

  Plan p = plan(device, kept, folded, outputs, length, /*split=*/true);
  const bool fits =
      outputs < kIndex32Limit && length < kIndex32Limit &&
      p.splits * outputs < kIndex32Limit &&
      max_offset(kept.rank, kept.shape, kept.strides) +
              max_offset(folded.rank, folded.shape, folded.strides) <
          kIndex32Limit;
  const Variant variant = p.inner
                              ? (fits ? Variant::Inner32 : Variant::Inner64)
                              : (fits ? Variant::Outer32 : Variant::Outer64);
  if (p.splits == 1) {
    launch_plan(device, spec, p, variant, a);
    return;
  }
  // Partial accumulators, [split, result]; the scratch block goes back to
  // the device's cache once the merge is queued (stream order keeps it
  // alive for both launches).
  runtime::Storage *scratch = allocate_storage(
      device, size_t(p.splits * outputs) * accumulator_size(spec));
  a.out = scratch->data;
  a.partial = 1;
  launch_plan(device, spec, p, variant, a);

  ReduceArgs m{};
  m.in = scratch->data;
  m.out = out->data();
  m.outputs = outputs;
  m.length = p.splits;
  m.scale = a.scale;
  Axes results, partials;
  results.push(outputs, 1);
  partials.push(p.splits, outputs);
  results = results.simplified();
  results.store(m.kept_rank, m.kept_shape, m.kept_strides);
  partials.store(m.reduced_rank, m.reduced_shape, m.reduced_strides);
  // The partials are few (about one per thread of the GPU): a block per
  // result whenever there are enough of them to keep a block busy, whatever
  // their layout, so that few results with many partials merge quickly.
  Plan q = plan(device, Axes(), partials, outputs, p.splits, /*split=*/false);
  launch_plan(device, spec, q,
              q.inner ? Variant::MergeInner : Variant::MergeOuter, m);
  runtime::release(scratch);
}

void reduce_axes(Record &r) {
  bool reduced[detail::kMaxRank] = {};
  for (int64_t a : r.attrs.int_list())
    reduced[a] = true;
  reduce(r, reduced);
}

void reduce_axis(Record &r) {
  bool reduced[detail::kMaxRank] = {};
  reduced[r.attrs.ints[0]] = true;
  reduce(r, reduced);
}

} // namespace

#define EJ_REDUCE(Name, name)                                                  \
  void kernel_##Name(Record &r) { reduce_axes(r); }
#include "lib/Ops.def"

void kernel_ArgMax(Record &r) { reduce_axis(r); }
void kernel_ArgMin(Record &r) { reduce_axis(r); }

} // namespace ej::cuda
