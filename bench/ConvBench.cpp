//===- ConvBench.cpp - EagerJIT's conv2d kernels, pass by pass ------------===//
//
// The three kernels of a convolution (lib/Ops.def: conv2d,
// conv2d_backprop_input, conv2d_backprop_filter) recorded directly, on
// the interpreter, for the layers of ConvLayers.h: float32 through oneDNN
// (the kernels' default) and through im2col + OpenBLAS (their float64
// path, forced for float32 here).
//
//===----------------------------------------------------------------------===//
#include "ConvLayers.h"
#include "Sizes.h"
#include "lib/OpSupport.h"
#include "runtime/cpu/DnnlConv.h"

#include <ej/ej.h>

namespace {

using ej::Tensor;
using namespace ej::detail;

void BM_Ej_Conv2DPass(benchmark::State &state) {
  JitMode interpreter(false);
  bool dnnl = state.range(2) != 0;
  ej::runtime::dnnl_conv::set_enabled(dnnl);
  const conv_layers::Layer &l = conv_layers::kLayers[state.range(0)];
  const int64_t pad = l.k / 2;
  ej::set_seed(1);
  Tensor x = ej::random_uniform({l.n, l.h, l.w, l.c});
  Tensor f = ej::random_uniform({l.k, l.k, l.c, l.o});
  Tensor g = ej::random_uniform({l.n, l.h, l.w, l.o});
  const OpCode ops[] = {OpCode::Conv2D, OpCode::Conv2DBackpropInput,
                        OpCode::Conv2DBackpropFilter};
  const Tensor *inputs[3][2] = {{&x, &f}, {&g, &f}, {&x, &g}};
  const Tensor *shaped[] = {&g, &x, &f};
  int pass = int(state.range(1));
  for (auto _ : state) {
    Record r(ops[pass]);
    for (int64_t v : {int64_t(1), int64_t(1), pad, pad, pad, pad})
      r.attrs.push(v);
    r.add_input(inputs[pass][0]->impl());
    r.add_input(inputs[pass][1]->impl());
    std::vector<int64_t> shape = shaped[pass]->shape();
    Tensor out = run(r, ej::float32, shape);
    benchmark::DoNotOptimize(out.impl());
  }
  ej::runtime::dnnl_conv::set_enabled(true);
  state.counters["GFLOPS"] = benchmark::Counter(
      conv_layers::flops(l) * double(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}
// Arg 2: 1 oneDNN, 0 im2col + BLAS.
BENCHMARK(BM_Ej_Conv2DPass)->Apply([](benchmark::internal::Benchmark *b) {
  b->ArgNames({"layer", "pass", "dnnl"});
  for (int64_t layer : {0, 1})
    for (int64_t pass : {0, 1, 2})
      for (int64_t dnnl : {0, 1})
        b->Args({layer, pass, dnnl});
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
});

} // namespace
