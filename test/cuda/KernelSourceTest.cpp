//===- KernelSourceTest.cpp - The interpreter's CUDA kernels, compiled ----===//
//
// Without a GPU, what can be checked of the interpreter's CUDA kernels is
// their source: every unit (every op with every dtype combination its
// kernels take) is generated and compiled by NVRTC for sm_90 with the
// options the runtime uses, and the cubin must define every variant's
// kernel. Units are compiled one program per op, so that NVRTC starts a
// few dozen times rather than hundreds; the programs are spread over the
// machine's cores.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/KernelSource.h"
#include "runtime/cuda/Kernels.h"
#include "runtime/cuda/Nvrtc.h"

#include "ej/Error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace {

using ej::DType;
using ej::cuda::KernelSpec;
using ej::cuda::Variant;
using ej::detail::OpCode;

const char *const kArch = "sm_90";

class Nvrtc : public ::testing::Test {
protected:
  void SetUp() override {
    // The toolkit is there wherever this test is built.
    ASSERT_TRUE(ej::cuda::nvrtc_available()) << "libnvrtc could not be loaded";
  }
};

TEST_F(Nvrtc, EveryKernelOfEveryOpAndDtypeCompilesToCubinForSm90) {
  std::map<OpCode, std::vector<KernelSpec>> by_op;
  for (const KernelSpec &s : ej::cuda::all_kernel_specs())
    by_op[s.op].push_back(s);
  std::vector<std::vector<KernelSpec>> programs;
  for (auto &[op, units] : by_op)
    programs.push_back(units);
  // The sources first: generating takes the generator's lock anyway.
  std::vector<std::string> sources;
  for (const auto &units : programs)
    sources.push_back(ej::cuda::program_source(units));

  std::mutex mu;
  std::vector<std::string> failures;
  std::atomic<size_t> next{0}, kernels{0};
  auto work = [&] {
    for (size_t i; (i = next++) < programs.size();) {
      const std::vector<KernelSpec> &units = programs[i];
      std::string name = ej::detail::op_name(units[0].op);
      std::string problem;
      try {
        std::vector<char> cubin = ej::cuda::compile_to_cubin(
            sources[i], name + ".cu", kArch, ej::cuda::kernel_options());
        std::string image(cubin.begin(), cubin.end());
        if (image.compare(0, 4,
                          "\x7f"
                          "ELF") != 0)
          problem = name + ": the cubin is not an ELF image";
        for (const KernelSpec &s : units)
          for (Variant v : ej::cuda::variants(s)) {
            std::string k = ej::cuda::kernel_name(s, v);
            ++kernels;
            if (image.find(k + '\0') == std::string::npos)
              problem += name + ": the cubin lacks kernel " + k + "\n";
          }
      } catch (const ej::Error &e) {
        problem = e.what();
      }
      if (!problem.empty()) {
        std::lock_guard<std::mutex> lock(mu);
        failures.push_back(problem);
      }
    }
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back(work);
  for (std::thread &t : pool)
    t.join();
  for (const std::string &f : failures)
    ADD_FAILURE() << f;
  // Every elementwise, reduction, creation and shape op with its dtypes:
  // far more than a few kernels.
  EXPECT_GT(kernels.load(), 500u);
}

// The dtypes the CUDA kernels take are the CPU kernels' (runtime/cpu).
TEST(KernelSource, CoversTheCpuKernelsDtypes) {
  using ej::cuda::has_kernel;
  EXPECT_TRUE(has_kernel({OpCode::Add, ej::int32}));
  EXPECT_FALSE(has_kernel({OpCode::Add, ej::bool_}));
  EXPECT_FALSE(has_kernel({OpCode::Exp, ej::int64}));
  EXPECT_TRUE(has_kernel({OpCode::Exp, ej::float64}));
  EXPECT_TRUE(has_kernel({OpCode::LogicalNot, ej::bool_}));
  EXPECT_FALSE(has_kernel({OpCode::LogicalNot, ej::float32}));
  EXPECT_TRUE(has_kernel({OpCode::Less, ej::bool_}));
  EXPECT_FALSE(has_kernel({OpCode::Div, ej::int32}));
  EXPECT_TRUE(has_kernel({OpCode::Pow, ej::int64}));
  EXPECT_TRUE(has_kernel({OpCode::ReduceMean, ej::float32}));
  EXPECT_FALSE(has_kernel({OpCode::ReduceMean, ej::int32}));
  EXPECT_TRUE(has_kernel({OpCode::ArgMin, ej::int32}));
  EXPECT_FALSE(has_kernel({OpCode::RandomNormal, ej::int32}));
  EXPECT_FALSE(has_kernel({OpCode::MatMul, ej::float32})); // cuBLAS's
  EXPECT_TRUE(has_kernel({OpCode::MatMul, ej::int64}));
  // Copies move bits: one unit per element size.
  EXPECT_TRUE(has_kernel({OpCode::Copy, ej::int32}));
  EXPECT_FALSE(has_kernel({OpCode::Copy, ej::float32}));
  EXPECT_EQ(ej::cuda::bits_dtype(ej::float64), ej::int64);
  EXPECT_EQ(ej::cuda::bits_dtype(ej::bool_), ej::bool_);
  int casts = 0;
  for (const KernelSpec &s : ej::cuda::all_kernel_specs())
    casts += s.op == OpCode::Cast;
  EXPECT_EQ(casts, ej::kNumDTypes * ej::kNumDTypes);
}

// Convolutions and pooling included: no op runs on host copies.
TEST(KernelSource, EveryOpHasACudaKernel) {
  for (int i = 0; i < ej::detail::kNumOps; ++i)
    EXPECT_NE(ej::runtime::cuda_kernel(OpCode(i)), nullptr)
        << ej::detail::op_name(OpCode(i));
  // Pooling and the convolutions' patches in both float types; the
  // filter's gradient multiplies conv2d's patches.
  for (OpCode op :
       {OpCode::Conv2D, OpCode::Conv2DBackpropInput, OpCode::MaxPool,
        OpCode::MaxPoolGrad, OpCode::AvgPool, OpCode::AvgPoolGrad})
    for (DType t : {ej::float32, ej::float64}) {
      EXPECT_TRUE(ej::cuda::has_kernel({op, t})) << ej::detail::op_name(op);
      EXPECT_FALSE(ej::cuda::has_kernel({op, ej::int32}));
    }
  EXPECT_FALSE(
      ej::cuda::has_kernel({OpCode::Conv2DBackpropFilter, ej::float32}));
}

// A unit's text depends on its op and dtypes only: the same source, and so
// the same cached cubin, whatever was generated before it.
TEST(KernelSource, UnitSourcesAreStableAndShapeFree) {
  KernelSpec sum{OpCode::ReduceSum, ej::float32};
  std::string first = ej::cuda::program_source({sum});
  ej::cuda::program_source(
      {{OpCode::Sigmoid, ej::float64}, {OpCode::Cast, ej::float64, ej::int32}});
  EXPECT_EQ(ej::cuda::program_source({sum}), first);
  EXPECT_NE(first.find("ej_reduce_sum_float32_inner32"), std::string::npos);
  EXPECT_EQ(ej::cuda::kernel_name({OpCode::Cast, ej::int32, ej::float64},
                                  Variant::Strided64),
            "ej_cast_int32_float64_strided64");
}

} // namespace
