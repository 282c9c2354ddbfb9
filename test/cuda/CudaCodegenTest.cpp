//===- CudaCodegenTest.cpp - Emitted CUDA C compiled by NVRTC -------------===//
//
// Without a GPU, what can be checked is that every kernel ej-to-cuda emits
// is valid CUDA C: each pattern of the lit tests (test/lit/Target/CUDA) and
// a seeded sample of random fusions is compiled by NVRTC for sm_90, and the
// cubin must be an ELF image that defines every kernel of the plan.
//
//===----------------------------------------------------------------------===//
#include "Fusions.h"

#include "runtime/cuda/Nvrtc.h"

#include "ej/Error.h"

#include <gtest/gtest.h>

#include <set>

namespace {

using namespace ejtest;

const char *const kArch = "sm_90";

// Compiles `source` and checks the cubin: an ELF image naming every kernel.
void expectCubin(const mlir::ej::CudaSource &source, const std::string &name) {
  std::vector<char> cubin;
  try {
    cubin = ej::cuda::compile_to_cubin(source.code, name + ".cu", kArch,
                                       ej::cuda::kernel_options());
  } catch (const ej::Error &e) {
    ADD_FAILURE() << e.what() << "\n" << source.code;
    return;
  }
  ASSERT_GT(cubin.size(), 4u) << name;
  EXPECT_EQ(std::string(cubin.data(), 4), "\x7f"
                                          "ELF")
      << name;
  std::string image(cubin.begin(), cubin.end());
  for (const mlir::ej::CudaKernelInfo &k : source.kernels)
    EXPECT_NE(image.find(k.name), std::string::npos)
        << name << ": the cubin lacks kernel " << k.name;
}

class Nvrtc : public ::testing::Test {
protected:
  void SetUp() override {
    // The toolkit is there wherever this test is built.
    ASSERT_TRUE(ej::cuda::nvrtc_available()) << "libnvrtc could not be loaded";
  }
};

TEST_F(Nvrtc, EveryLitPatternCompilesToCubinForSm90) {
  Context c;
  unsigned chunks = 0, kernels = 0;
  std::set<std::string> files;
  forEachLitChunk(
      [&](const std::filesystem::path &path, const std::string &chunk) {
        files.insert(path.string());
        std::string why;
        auto module = fuse(c, chunk, why);
        ASSERT_TRUE(module) << path << ": " << why;
        auto source = emit(*module, chunk, why);
        ASSERT_TRUE(mlir::succeeded(source)) << path << ": " << why;
        ++chunks;
        kernels += source->kernels.size();
        expectCubin(*source, path.stem().string());
      });
  EXPECT_GE(files.size(), 9u);
  EXPECT_GE(chunks, 15u);
  EXPECT_GE(kernels, 20u);
}

TEST_F(Nvrtc, RandomFusionsCompileToCubinForSm90) {
  Context c;
  // All of a sample's programs in one translation unit: one NVRTC call.
  for (unsigned batch = 0; batch < 4; ++batch) {
    std::string text = randomModule(1000 * batch, 10), why;
    auto module = fuse(c, text, why);
    ASSERT_TRUE(module) << why;
    auto source = emit(*module, text, why);
    ASSERT_TRUE(mlir::succeeded(source)) << why;
    EXPECT_GE(source->kernels.size(), 10u);
    expectCubin(*source, "random_batch" + std::to_string(batch));
  }
}

TEST_F(Nvrtc, CompileErrorsCarryNvrtcsLog) {
  try {
    ej::cuda::compile_to_cubin(
        "extern \"C\" __global__ void k(float *x) { x[0] = undefined_name; }",
        "broken.cu", kArch);
    FAIL() << "a kernel with an undefined name compiled";
  } catch (const ej::Error &e) {
    std::string what = e.what();
    EXPECT_NE(what.find("broken.cu"), std::string::npos) << what;
    EXPECT_NE(what.find("undefined_name"), std::string::npos) << what;
  }
}

} // namespace
