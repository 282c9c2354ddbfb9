//===- GpuJitTest.cpp - Hot GPU regions compiled to CUDA kernels ----------===//
//
// With a CUDA device: loops whose ops run on the GPU get compiled regions
// (ej-fuse, ej-to-cuda, NVRTC) whose results match the interpreter's, C++
// literals and an optimizer's host scalars included, and a region that
// keeps a host value alive stays on the interpreter. Without a device the
// tests skip. (The CPU's region machinery has its own tests, JitTest.)
//
//===----------------------------------------------------------------------===//
#include "lib/Jit.h"
#include "runtime/cuda/Runtime.h"
#include "test/unit/JitHarness.h"

#include <ej/ej.h>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace {

#define NEED_GPU()                                                             \
  if (ej::num_gpus() == 0)                                                     \
  GTEST_SKIP() << "no CUDA device"

void expectNear(const std::vector<float> &got, const std::vector<float> &want,
                float ulps) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got[i], want[i],
                ulps * 1.2e-7f * std::max(1.0f, std::abs(want[i])))
        << i;
}

// The 8-op chain of the benchmarks, literals and all.
ej::Tensor chain(const ej::Tensor &x, const ej::Tensor &y) {
  ej::Tensor t = (x * y + 1) * x - y;
  return ej::tanh(ej::exp(t / (y + 2)));
}

// chain(x, y) in a hot loop with the JIT on, checked against the
// interpreter; the JIT's statistics of the loop go to `stats`.
ej::Tensor hotChain(const ej::Tensor &x, const ej::Tensor &y,
                    ej::jit::Stats &stats) {
  std::vector<float> want =
      ejtest::without_jit([&] { return chain(x, y).to_vector<float>(); });
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  ej::Tensor z;
  for (int i = 0; i < 6; ++i) {
    ej::Step step;
    z = chain(x, y);
  }
  stats = ej::jit::stats();
  expectNear(z.to_vector<float>(), want, 8);
  return z;
}

TEST(GpuJit, AHotElementwiseLoopRunsAsCompiledCudaKernels) {
  NEED_GPU();
  ej::Tensor x = ej::random_uniform({1 << 16}, ej::float32, -1, 1).gpu();
  ej::Tensor y = ej::random_uniform({1 << 16}, ej::float32, 0, 1).gpu();
  ej::jit::Stats s;
  ej::Tensor z = hotChain(x, y, s);
  EXPECT_EQ(s.regions_failed, 0u);
  EXPECT_GE(s.regions_compiled, 1u);
  EXPECT_GT(s.ops_compiled, 0u);
  EXPECT_EQ(z.device(), "gpu:0");
}

// A loop without ej::Step markers is cut where its first op comes again,
// which can leave a literal that the next iteration uses at the end of a
// region: a host input of the next one, not a reason to stay on the
// interpreter.
TEST(GpuJit, AHotLoopWithoutMarkersRunsCompiledOnTheGpu) {
  NEED_GPU();
  ej::Tensor x = ej::random_uniform({1 << 12}, ej::float32, -1, 1).gpu();
  ej::Tensor y = ej::random_uniform({1 << 12}, ej::float32, 0, 1).gpu();
  std::vector<float> want =
      ejtest::without_jit([&] { return chain(x, y).to_vector<float>(); });
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  ej::Tensor z;
  for (int i = 0; i < 12; ++i)
    z = chain(x, y);
  ej::jit::Stats s = ej::jit::stats();
  EXPECT_EQ(s.regions_failed, 0u);
  EXPECT_GE(s.regions_compiled, 1u);
  EXPECT_GT(s.ops_compiled, 0u);
  expectNear(z.to_vector<float>(), want, 8);
}

TEST(GpuJit, SoftmaxAndLayerNormRegionsMatchTheInterpreter) {
  NEED_GPU();
  ej::Tensor x = ej::random_normal({64, 1024}).gpu();
  ej::Tensor gamma = ej::random_normal({1024}).gpu();
  ej::Tensor beta = ej::random_normal({1024}).gpu();
  auto both = [&] {
    return std::make_pair(
        ej::nn::softmax(x).to_vector<float>(),
        ej::nn::layer_norm(x, gamma, beta).to_vector<float>());
  };
  auto want = ejtest::without_jit(both);
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  ej::Tensor s, l;
  for (int i = 0; i < 6; ++i) {
    ej::Step step;
    s = ej::nn::softmax(x);
    l = ej::nn::layer_norm(x, gamma, beta);
  }
  EXPECT_EQ(ej::jit::stats().regions_failed, 0u);
  EXPECT_GE(ej::jit::stats().regions_compiled, 1u);
  expectNear(s.to_vector<float>(), want.first, 16);
  expectNear(l.to_vector<float>(), want.second, 64);
}

// `train(6)` with the JIT on gives what it gives with the JIT off, with
// no region left on the interpreter and at least `regions` compiled.
void expectTrainsCompiledOnTheGpu(
    const std::function<std::vector<float>(int)> &train, unsigned regions) {
  std::vector<float> want = ejtest::without_jit([&] { return train(6); });
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  std::vector<float> got = train(6);
  EXPECT_EQ(ej::jit::stats().regions_failed, 0u);
  EXPECT_GE(ej::jit::stats().regions_compiled, regions);
  EXPECT_GT(ej::jit::stats().ops_compiled, 0u);
  expectNear(got, want, 64);
}

TEST(GpuJit, AnAdamStepOnTheGpuIsOneDevicesRegion) {
  NEED_GPU();
  auto train = [](int steps) {
    ej::set_seed(3);
    ej::Variable w(ej::random_normal({32, 16}).gpu(), "w");
    ej::Variable b(ej::zeros({16}).gpu(), "b");
    ej::Tensor x = ej::random_normal({8, 32}).gpu();
    ej::optim::Adam adam(0.01);
    for (int i = 0; i < steps; ++i) {
      ej::Step step;
      adam.minimize(
          [&] {
            return ej::reduce_mean(ej::square(ej::matmul(x, w.read()) + b));
          },
          {w, b});
    }
    return w.read().to_vector<float>();
  };
  expectTrainsCompiledOnTheGpu(train, 1);
}

// The longest region a Step may be, for the test's scope.
class StepCap {
public:
  explicit StepCap(size_t ops)
      : saved_(ej::detail::JitConfig::get().max_step_ops) {
    ej::detail::JitConfig::get().max_step_ops = ops;
  }
  ~StepCap() { ej::detail::JitConfig::get().max_step_ops = saved_; }

private:
  size_t saved_;
};

// An Adam step over many variables is longer than a region may be (the
// cap lowered here to 64 ops), so the JIT cuts it in pieces; the learning
// rate, a host literal of the constant schedule, goes to the GPU before
// its cast, so no piece depends on a host value another one made.
TEST(GpuJit, AnAdamStepLongerThanARegionRunsCompiledOnTheGpu) {
  NEED_GPU();
  StepCap cap(64);
  auto train = [](int steps) {
    ej::set_seed(6);
    std::vector<ej::Variable> vars;
    ej::optim::GradsAndVars grads;
    for (int i = 0; i < 12; ++i) {
      vars.emplace_back(ej::random_normal({64}).gpu(), "p" + std::to_string(i));
      grads.emplace_back(ej::random_normal({64}).gpu(), vars.back());
    }
    ej::optim::Adam adam(0.01);
    // The set-up's loop (host draws copied to the GPU) is no GPU region.
    ej::jit::reset_stats();
    for (int i = 0; i < steps; ++i) {
      ej::Step step;
      adam.apply_gradients(grads);
    }
    return vars.back().read().to_vector<float>();
  };
  expectTrainsCompiledOnTheGpu(train, 2);
}

// Under a GPU scope an optimizer's constants (its betas, the schedule's
// rate) are host scalars, which a graph's replay uploads together: a
// replayed step launches no kernel of its own.
TEST(GpuJit, AnOptimizerStepUnderAGpuScopeReplaysWithoutKernelsOfItsOwn) {
  NEED_GPU();
  ej::DeviceScope on("gpu:0");
  ej::Variable w(ej::random_normal({16, 10}), "w");
  ej::Tensor g = ej::random_normal({16, 10});
  ej::optim::Adam adam(0.01);
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  auto step = [&] {
    ej::Step region;
    adam.apply_gradients({{g, w}});
  };
  for (int i = 0; i < 8; ++i)
    step();
  ej::synchronize();
  uint64_t before = ej::cuda::launches();
  step();
  ej::synchronize();
  EXPECT_GE(ej::jit::stats().regions_graphed, 1u);
  EXPECT_EQ(ej::cuda::launches() - before, 0u);
}

// A classifier's step: the loss compares the integer labels with the
// number of classes, a C++ int64 literal that meets int32 labels. The
// literal is re-made as an int32 constant (a leaf), not cast on the host,
// so the regions stay on the GPU even though the tape keeps every value.
TEST(GpuJit, AClassifierStepWithIntegerLabelsRunsCompiledOnTheGpu) {
  NEED_GPU();
  auto train = [](int steps) {
    ej::set_seed(4);
    ej::Variable w(ej::random_normal({32, 10}).gpu(), "w");
    ej::Tensor x = ej::random_normal({8, 32}).gpu();
    ej::Tensor labels =
        ej::constant(std::vector<int32_t>{0, 3, 9, 1, 4, 4, 7, 2}, {8}).gpu();
    ej::optim::Adam adam(0.01);
    for (int i = 0; i < steps; ++i) {
      ej::Step step;
      adam.minimize(
          [&] {
            return ej::reduce_mean(
                ej::nn::sparse_softmax_cross_entropy_with_logits(
                    labels, ej::matmul(x, w.read())));
          },
          {w});
    }
    return w.read().to_vector<float>();
  };
  expectTrainsCompiledOnTheGpu(train, 1);
}

// A training step of 350 ops (a 3-layer MLP's forward pass, its gradient
// program and Adam) is one region, however long: a replay is one graph
// launch and no kernel of its own, the gradient program's scalar
// constants included (they are computed on the host), and it copies no
// variable: the graph is rebound to their buffers.
TEST(GpuJit, AnMlpTrainingStepReplaysAsOneGraphLaunch) {
  NEED_GPU();
  auto train = [](int steps) {
    ej::set_seed(5);
    ej::DeviceScope on("gpu:0");
    ej::nn::Sequential model(ej::nn::Dense(32, ej::nn::relu),
                             ej::nn::Dense(32, ej::nn::relu),
                             ej::nn::Dense(10));
    ej::Tensor x = ej::random_uniform({16, 24});
    ej::Tensor labels =
        ej::cast(ej::random_uniform({16}, ej::float32, 0, 10), ej::int32);
    ej::optim::Adam adam(0.01);
    auto loss_and_grads = ej::implicit_value_and_gradients(
        [&](const ej::Tensor &images, const ej::Tensor &targets) {
          return ej::reduce_mean(
              ej::nn::sparse_softmax_cross_entropy_with_logits(
                  targets, model(images, /*training=*/true)));
        });
    auto step = [&] {
      ej::Step region;
      auto [loss, grads] = loss_and_grads(x, labels);
      adam.apply_gradients(grads);
      return loss;
    };
    std::vector<float> losses;
    for (int i = 0; i < steps; ++i)
      losses.push_back(step().item<float>());
    if (ej::jit::enabled()) {
      ej::synchronize();
      uint64_t kernels = ej::cuda::launches(),
               graphs = ej::cuda::graph_launches(), copies = ej::cuda::copies();
      ej::Tensor loss = step();
      ej::synchronize();
      EXPECT_EQ(ej::cuda::launches() - kernels, 0u);
      EXPECT_EQ(ej::cuda::graph_launches() - graphs, 1u);
      // The host scalars' one upload: the variables are bound in place.
      EXPECT_EQ(ej::cuda::copies() - copies, 1u);
      losses.push_back(loss.item<float>());
    }
    return losses;
  };
  std::vector<float> want = ejtest::without_jit([&] { return train(8); });
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  std::vector<float> got = train(7);
  EXPECT_EQ(ej::jit::stats().regions_failed, 0u);
  EXPECT_GE(ej::jit::stats().regions_graphed, 1u);
  expectNear(got, want, 64);
}

// A GPU scalar that a deferred region makes is computed on the host; one
// that something holds past the region gets its value on the GPU, and one
// whose region falls back (the stream left it) too.
TEST(GpuJit, ScalarLeavesOfADeferredGpuRegionKeepTheirValues) {
  NEED_GPU();
  ej::DeviceScope on("gpu:0");
  ej::Tensor x = ej::random_uniform({1 << 10});
  std::vector<float> xs = x.to_vector<float>();
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  ej::Tensor y, kept;
  auto step = [&](float c, bool diverge) {
    ej::Step region;
    ej::Tensor s = ej::fill({}, double(c));
    kept = ej::constant(c + 1);
    y = diverge ? x * s - kept : x * s + kept;
  };
  for (int i = 0; i < 6; ++i)
    step(float(i), false);
  for (bool diverge : {false, true}) {
    step(7.f, diverge);
    EXPECT_EQ(kept.device(), "gpu:0");
    EXPECT_EQ(kept.item<float>(), 8.f);
    std::vector<float> got = y.to_vector<float>();
    for (size_t i = 0; i < xs.size(); i += 97)
      EXPECT_FLOAT_EQ(got[i], diverge ? xs[i] * 7 - 8 : xs[i] * 7 + 8) << i;
  }
  EXPECT_GE(ej::jit::stats().fallbacks, 1u);
}

// A graph whose rebinding misses an address fails its check and copies
// its arguments and results instead: the results stay right. (The
// emulated cuBLAS hides its operands' addresses from the scan on request,
// as a kernel that read them from memory would.)
TEST(GpuJit, AGraphWhoseRebindingMissesAnAddressCopiesInstead) {
  NEED_GPU();
  if (ej::cuda::properties(0).name.find("host grid") == std::string::npos)
    GTEST_SKIP() << "needs the emulated device";
  struct Hidden {
    Hidden() { setenv("EJ_HOST_DEVICE_HIDDEN_GEMM_OPERANDS", "1", 1); }
    ~Hidden() { unsetenv("EJ_HOST_DEVICE_HIDDEN_GEMM_OPERANDS"); }
  } hidden;
  ej::set_seed(8);
  ej::Tensor w = ej::random_normal({24, 16}).gpu();
  std::vector<ej::Tensor> xs;
  for (int i = 0; i < 8; ++i)
    xs.push_back(ej::random_normal({8, 24}).gpu());
  auto steps = [&] {
    std::vector<std::vector<float>> seen;
    for (const ej::Tensor &x : xs) {
      ej::Step step;
      ej::Tensor y = ej::nn::relu(ej::matmul(x, w)) * 0.5f;
      seen.push_back(y.to_vector<float>());
    }
    return seen;
  };
  std::vector<std::vector<float>> want = ejtest::without_jit(steps);
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  std::vector<std::vector<float>> got = steps();
  EXPECT_GE(ej::jit::stats().regions_graphed, 1u);
  for (size_t i = 0; i < want.size(); ++i)
    expectNear(got[i], want[i], 8);
  uint64_t copies = ej::cuda::copies();
  {
    ej::Step step;
    ej::Tensor y = ej::nn::relu(ej::matmul(xs[0], w)) * 0.5f;
    expectNear(y.to_vector<float>(), want[0], 8);
  }
  EXPECT_GT(ej::cuda::copies() - copies, 1u);
}

TEST(GpuJit, AHotRegionReplaysAsOneCudaGraph) {
  NEED_GPU();
  ej::Tensor x = ej::random_uniform({1 << 14}, ej::float32, -1, 1).gpu();
  ej::Tensor y0 = ej::random_uniform({1 << 14}, ej::float32, 0, 1).gpu();
  // Each step feeds its result back: the graph's inputs change every time.
  // The results are read at the end: no replay may write over one that is
  // still held (the graph's results go to fresh buffers each time).
  auto steps = [&](int n) {
    ej::Tensor y = y0;
    std::vector<ej::Tensor> kept;
    for (int i = 0; i < n; ++i) {
      ej::Step step;
      y = ej::abs(chain(x, y)) + 0.5f;
      kept.push_back(y);
    }
    std::vector<std::vector<float>> seen;
    for (const ej::Tensor &t : kept)
      seen.push_back(t.to_vector<float>());
    return seen;
  };
  std::vector<std::vector<float>> want =
      ejtest::without_jit([&] { return steps(8); });
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  std::vector<std::vector<float>> got = steps(8);
  EXPECT_GE(ej::jit::stats().regions_graphed, 1u);
  for (size_t i = 0; i < want.size(); ++i)
    expectNear(got[i], want[i], 16 * float(i + 1));
  // A replay launches no kernel of its own: the graph holds them all.
  ej::Tensor y = y0;
  {
    ej::Step step;
    y = ej::abs(chain(x, y)) + 0.5f;
  }
  uint64_t before = ej::cuda::launches();
  {
    ej::Step step;
    y = ej::abs(chain(x, y)) + 0.5f;
  }
  ej::synchronize();
  EXPECT_EQ(ej::cuda::launches(), before);
}

TEST(GpuJit, AnInputViewAtAnUnalignedOffsetIsReadCorrectly) {
  NEED_GPU();
  ej::Tensor big = ej::random_uniform({(1 << 12) + 1}).gpu();
  ej::Tensor x = big.index({ej::Slice(1, (1 << 12) + 1)}); // offset 4 bytes
  ej::Tensor y = ej::random_uniform({1 << 12}).gpu();
  ej::jit::Stats s;
  hotChain(x, y, s);
  EXPECT_GE(s.regions_compiled, 1u);
}

TEST(GpuJit, ARegionThatKeepsAHostValueStaysOnTheInterpreter) {
  NEED_GPU();
  ej::Tensor x = ej::random_uniform({256}).gpu();
  ejtest::JitScope jit(ej::detail::cpu_compiler());
  std::vector<ej::Tensor> hosts;
  for (int i = 0; i < 6; ++i) {
    ej::Step step;
    ej::Tensor h = ej::arange(0, 4, 1, ej::float32) * 2; // a host vector
    hosts.push_back(h);
    ej::Tensor g = x * 3;
    (void)g;
  }
  EXPECT_GE(ej::jit::stats().regions_failed, 1u);
  EXPECT_EQ(hosts.back().to_vector<float>(), (std::vector<float>{0, 2, 4, 6}));
}

} // namespace
