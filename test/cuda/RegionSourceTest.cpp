//===- RegionSourceTest.cpp - GPU regions' CUDA C, compiled without a GPU -===//
//
// The tracing JIT's GPU path made of real programs: each is traced
// (ej::jit::trace_to_mlir, the region text the JIT builds), and the
// library's cuda_region_sources (canonicalization, CSE, ej-fuse, ej-to-cuda:
// what cuda_compiler emits) must express every fusion, and NVRTC must
// compile each to a cubin for sm_90 that defines the fusion's kernels.
//
//===----------------------------------------------------------------------===//
#include "HostGrid.h"

#include "lib/Jit.h"
#include "runtime/cuda/Nvrtc.h"

#include <ej/ej.h>

#include <gtest/gtest.h>

#include <cstring>

namespace {

// The region of fn(args) compiled as the GPU would get it: the number of
// fusions; a failure names what went wrong.
size_t compileRegion(const ej::jit::TracedFn &fn,
                     const std::vector<ej::Tensor> &args) {
  std::string text = ej::jit::trace_to_mlir(fn, args, "region");
  std::vector<std::string> sources = ej::detail::cuda_region_sources(text);
  for (const std::string &code : sources) {
    std::vector<char> cubin = ej::cuda::compile_to_cubin(
        code, "region.cu", "sm_90", ej::cuda::kernel_options());
    EXPECT_GE(cubin.size(), 4u);
    EXPECT_EQ(std::memcmp(cubin.data(),
                          "\x7f"
                          "ELF",
                          4),
              0);
    // Every kernel the source defines is in the cubin's symbols.
    std::string image(cubin.begin(), cubin.end());
    for (const std::string &kernel : ejtest::kernelNames(code))
      EXPECT_NE(image.find(kernel), std::string::npos) << kernel;
  }
  return sources.size();
}

class RegionSource : public ::testing::Test {
protected:
  void SetUp() override {
    if (!ej::cuda::nvrtc_available())
      GTEST_SKIP() << "NVRTC is not installed";
  }
};

TEST_F(RegionSource, TheElementwiseChainIsOneKernel) {
  ej::Tensor x = ej::random_normal({1024}), y = ej::random_uniform({1024});
  size_t n = compileRegion(
      [](const std::vector<ej::Tensor> &a) {
        ej::Tensor t = (a[0] * a[1] + 1) * a[0] - a[1];
        return std::vector<ej::Tensor>{ej::tanh(ej::exp(t / (a[1] + 2)))};
      },
      {x, y});
  EXPECT_EQ(n, 1u);
}

TEST_F(RegionSource, SoftmaxLayerNormAndGeluCompile) {
  ej::Tensor x = ej::random_normal({64, 256});
  ej::Tensor g = ej::random_normal({256}), b = ej::random_normal({256});
  EXPECT_GE(compileRegion(
                [](const std::vector<ej::Tensor> &a) {
                  return std::vector<ej::Tensor>{
                      ej::nn::softmax(a[0]),
                      ej::nn::layer_norm(a[0], a[1], a[2]), ej::nn::gelu(a[0])};
                },
                {x, g, b}),
            1u);
}

TEST_F(RegionSource, AnMlpTrainingStepWithItsGradientsAndAdamCompiles) {
  ej::Tensor x = ej::random_normal({32, 64});
  ej::Tensor labels = ej::constant(std::vector<int64_t>(32, 3), {32});
  ej::Tensor w1 = ej::random_normal({64, 128}), b1 = ej::zeros({128});
  ej::Tensor w2 = ej::random_normal({128, 10}), b2 = ej::zeros({10});
  ej::Tensor m = ej::zeros({64, 128}), v = ej::zeros({64, 128});
  size_t n = compileRegion(
      [](const std::vector<ej::Tensor> &a) {
        ej::GradientTape tape;
        tape.watch(a[2]);
        tape.watch(a[3]);
        tape.watch(a[4]);
        tape.watch(a[5]);
        ej::Tensor h = ej::nn::relu(ej::matmul(a[0], a[2]) + a[3]);
        ej::Tensor logits = ej::matmul(h, a[4]) + a[5];
        ej::Tensor loss = ej::reduce_mean(
            ej::nn::sparse_softmax_cross_entropy_with_logits(a[1], logits));
        std::vector<ej::Tensor> g =
            tape.gradient(loss, {a[2], a[3], a[4], a[5]});
        // Adam's update of the first layer's weights, with host scalars.
        ej::Tensor m1 = 0.9f * a[6] + 0.1f * g[0];
        ej::Tensor v1 = 0.999f * a[7] + 0.001f * ej::square(g[0]);
        ej::Tensor w = a[2] - 0.001f * m1 / (ej::sqrt(v1) + 1e-7f);
        return std::vector<ej::Tensor>{loss, w, m1, v1, g[1], g[2], g[3]};
      },
      {x, labels, w1, b1, w2, b2, m, v});
  EXPECT_GE(n, 2u);
}

} // namespace
