//===- DnnlBench.cpp - oneDNN's convolutions on the same layers -----------===//
//
// Built when oneDNN is installed (Debian libdnnl-dev). The layers of
// ConvLayers.h with the layouts EagerJIT's tensors have (NHWC activations,
// HWIO filters) given to oneDNN as is, so that no reorder is needed: what
// an integration of oneDNN as the conv kernel would run. Primitives are
// made once, outside the timed loop.
//
//===----------------------------------------------------------------------===//
#include "ConvLayers.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <vector>

namespace {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

void BM_Dnnl_Conv2DPass(benchmark::State &state) {
  const conv_layers::Layer &l = conv_layers::kLayers[state.range(0)];
  const memory::dim pad = l.k / 2;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  memory::desc src_md({l.n, l.c, l.h, l.w}, dt::f32, tag::nhwc);
  memory::desc wei_md({l.o, l.c, l.k, l.k}, dt::f32, tag::hwio);
  memory::desc dst_md({l.n, l.o, l.h, l.w}, dt::f32, tag::nhwc);
  memory::dims strides{1, 1}, padding{pad, pad};
  std::vector<float> x(size_t(l.n * l.h * l.w * l.c), 0.5f),
      f(size_t(l.k * l.k * l.c * l.o), 0.25f),
      g(size_t(l.n * l.h * l.w * l.o), 0.125f);
  memory src(src_md, eng, x.data()), wei(wei_md, eng, f.data()),
      dst(dst_md, eng, g.data());

  convolution_forward::primitive_desc fwd(
      convolution_forward::desc(prop_kind::forward_training,
                                algorithm::convolution_direct, src_md, wei_md,
                                dst_md, strides, padding, padding),
      eng);
  primitive p;
  std::unordered_map<int, memory> args;
  switch (state.range(1)) {
  case 0:
    p = convolution_forward(fwd);
    args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
    break;
  case 1:
    p = convolution_backward_data(convolution_backward_data::primitive_desc(
        convolution_backward_data::desc(algorithm::convolution_direct, src_md,
                                        wei_md, dst_md, strides, padding,
                                        padding),
        eng, fwd));
    args = {{DNNL_ARG_DIFF_SRC, src},
            {DNNL_ARG_WEIGHTS, wei},
            {DNNL_ARG_DIFF_DST, dst}};
    break;
  default:
    p = convolution_backward_weights(
        convolution_backward_weights::primitive_desc(
            convolution_backward_weights::desc(algorithm::convolution_direct,
                                               src_md, wei_md, dst_md, strides,
                                               padding, padding),
            eng, fwd));
    args = {{DNNL_ARG_SRC, src},
            {DNNL_ARG_DIFF_WEIGHTS, wei},
            {DNNL_ARG_DIFF_DST, dst}};
    break;
  }
  for (auto _ : state) {
    p.execute(s, args);
    s.wait();
  }
  state.counters["GFLOPS"] = benchmark::Counter(
      conv_layers::flops(l) * double(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Dnnl_Conv2DPass)->Apply(conv_layers::layer_args);

} // namespace
