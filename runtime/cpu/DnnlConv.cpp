//===- DnnlConv.cpp - float32 convolutions through oneDNN -----------------===//
//
// Primitives are made once per pass and shape and kept (oneDNN primitives
// may run on several threads at once). One engine for the process, one
// stream per thread.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/DnnlConv.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace ej::runtime::dnnl_conv {

namespace {

using namespace dnnl;
using tag = memory::format_tag;

const engine &cpu_engine() {
  static const engine e(engine::kind::cpu, 0);
  return e;
}

stream &thread_stream() {
  thread_local stream s(cpu_engine());
  return s;
}

std::atomic<bool> use_dnnl{true};

} // namespace

bool enabled() { return use_dnnl.load(std::memory_order_relaxed); }
void set_enabled(bool on) { use_dnnl.store(on, std::memory_order_relaxed); }

namespace {

// The primitives made so far, by pass and shape: making one (its
// descriptor and JIT-compiled code) costs more than running a small
// convolution. Bounded: a program that makes endless new shapes starts
// over at kMaxCached.
constexpr size_t kMaxCached = 64;

struct Key {
  Pass pass;
  Shape s;
  bool operator==(const Key &o) const {
    return pass == o.pass && std::memcmp(&s, &o.s, sizeof(Shape)) == 0;
  }
};
struct KeyHash {
  size_t operator()(const Key &k) const {
    size_t h = size_t(k.pass);
    const int64_t *v = &k.s.n;
    for (size_t i = 0; i < sizeof(Shape) / sizeof(int64_t); ++i)
      h = h * 1000003u ^ size_t(v[i]);
    return h;
  }
};

primitive make(Pass pass, const Shape &s) {
  const engine &eng = cpu_engine();
  auto f32 = memory::data_type::f32;
  memory::desc x_md({s.n, s.c, s.h, s.w}, f32, tag::nhwc);
  memory::desc f_md({s.o, s.c, s.kh, s.kw}, f32, tag::hwio);
  memory::desc y_md({s.n, s.o, s.oh, s.ow}, f32, tag::nhwc);
  memory::dims strides{s.sh, s.sw}, low{s.pt, s.pl}, high{s.pb, s.pr};
  convolution_forward::primitive_desc forward(
      convolution_forward::desc(prop_kind::forward_training,
                                algorithm::convolution_direct, x_md, f_md, y_md,
                                strides, low, high),
      eng);
  switch (pass) {
  case Pass::Forward:
    return convolution_forward(forward);
  case Pass::BackwardData:
    return convolution_backward_data(convolution_backward_data::primitive_desc(
        convolution_backward_data::desc(algorithm::convolution_direct, x_md,
                                        f_md, y_md, strides, low, high),
        eng, forward));
  case Pass::BackwardWeights:
    break;
  }
  return convolution_backward_weights(
      convolution_backward_weights::primitive_desc(
          convolution_backward_weights::desc(algorithm::convolution_direct,
                                             x_md, f_md, y_md, strides, low,
                                             high),
          eng, forward));
}

primitive cached(Pass pass, const Shape &s) {
  static std::mutex mutex;
  static std::unordered_map<Key, primitive, KeyHash> cache;
  Key key{pass, s};
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end())
      return it->second;
  }
  primitive p = make(pass, s);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= kMaxCached)
    cache.clear();
  cache.emplace(key, p);
  return p;
}

} // namespace

void run(Pass pass, const Shape &s, float *x, float *f, float *y) {
  const engine &eng = cpu_engine();
  auto f32 = memory::data_type::f32;
  memory xm({{s.n, s.c, s.h, s.w}, f32, tag::nhwc}, eng, x);
  memory fm({{s.o, s.c, s.kh, s.kw}, f32, tag::hwio}, eng, f);
  memory ym({{s.n, s.o, s.oh, s.ow}, f32, tag::nhwc}, eng, y);
  std::unordered_map<int, memory> args;
  switch (pass) {
  case Pass::Forward:
    args = {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, fm}, {DNNL_ARG_DST, ym}};
    break;
  case Pass::BackwardData:
    args = {{DNNL_ARG_DIFF_SRC, xm},
            {DNNL_ARG_WEIGHTS, fm},
            {DNNL_ARG_DIFF_DST, ym}};
    break;
  case Pass::BackwardWeights:
    args = {{DNNL_ARG_SRC, xm},
            {DNNL_ARG_DIFF_WEIGHTS, fm},
            {DNNL_ARG_DIFF_DST, ym}};
    break;
  }
  stream &st = thread_stream();
  cached(pass, s).execute(st, args);
  st.wait();
}

} // namespace ej::runtime::dnnl_conv
