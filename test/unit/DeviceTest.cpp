//===- DeviceTest.cpp - Device names, scopes and placement ----------------===//
//
// Without a GPU, asking for one is an ej::Error that says why, and a failed
// request changes nothing. With one, tensors move with gpu() and cpu(), ops
// run on their inputs' device, scalars follow, mixing is an error, and
// scopes, variables, tapes and optimizers keep their values on the GPU.
// (runtime/cuda's own tests check each kernel against the CPU.)
//
//===----------------------------------------------------------------------===//
#include "Reference.h"

#include <ej/ej.h>

#include <gtest/gtest.h>

#include <functional>
#include <sstream>

namespace {

TEST(Devices, GpuRequestWithoutDeviceIsAnActionableError) {
  if (ej::num_gpus() != 0)
    GTEST_SKIP() << "a CUDA device is present: this test is for machines "
                    "without one";
  const std::string expected =
      "gpu:0 requested but no CUDA device is present (num_gpus() == 0)";
  EXPECT_EQ(ref::error_of([] { ej::DeviceScope scope("gpu:0"); }), expected);
  ej::Tensor x = ej::Tensor::from_vector<float>({1.5f, -2, 3}, {3});
  EXPECT_EQ(ref::error_of([&] { x.gpu(); }), expected);
  EXPECT_EQ(ref::error_of([&] { x.gpu(1); }),
            "gpu:1 requested but no CUDA device is present (num_gpus() == 0)");
  // The failed scope left the thread on the CPU.
  EXPECT_EQ(ej::current_device(), "cpu:0");
}

TEST(Devices, GpuIndexPastTheDevicesPresentIsAnError) {
  int n = ej::num_gpus();
  if (n == 0)
    GTEST_SKIP() << "no CUDA device (num_gpus() == 0)";
  std::string name = "gpu:" + std::to_string(n);
  EXPECT_NE(ref::error_of([&] {
              ej::check_device(name);
            }).find(name + " requested but only " + std::to_string(n)),
            std::string::npos);
}

TEST(Devices, CpuTensorsStayWhereTheyAre) {
  ej::Tensor x = ej::Tensor::from_vector<double>({0.25, -4, 9.5}, {3});
  EXPECT_EQ(x.device(), "cpu:0");
  ej::Tensor y = x.cpu();
  EXPECT_EQ(y.device(), "cpu:0");
  EXPECT_EQ(y.to_vector<double>(), x.to_vector<double>());
  EXPECT_EQ(ref::error_of([] { ej::Tensor().cpu(); }).find("cpu"), 0u);
  // With no GPU work issued, synchronizing returns at once.
  EXPECT_EQ(ref::error_of([] { ej::synchronize(); }), "(no error)");
}

TEST(Devices, CpuScopesNestAndRestoreTheCurrentDevice) {
  EXPECT_EQ(ej::current_device(), "cpu:0");
  {
    ej::DeviceScope outer("/device:CPU:0");
    EXPECT_EQ(ej::current_device(), "cpu:0");
    ej::Tensor z = ej::zeros({2, 2}) + 1.0;
    EXPECT_EQ(z.device(), "cpu:0");
    EXPECT_EQ(z.to_vector<float>(), std::vector<float>(4, 1.0f));
  }
  EXPECT_EQ(ej::current_device(), "cpu:0");
}

TEST(Devices, NamesAreCheckedAndNormalized) {
  EXPECT_EQ(ej::check_device("cpu:0"), "cpu:0");
  EXPECT_EQ(ej::check_device("/cpu:0"), "cpu:0");
  EXPECT_EQ(ej::check_device("CPU"), "cpu:0");
  EXPECT_EQ(ref::error_of([] { ej::check_device("tpu:0"); }),
            "device: expected \"cpu:0\" or \"gpu:N\", got \"tpu:0\"");
  EXPECT_EQ(ref::error_of([] { ej::check_device("gpu:x"); }),
            "device: expected \"cpu:0\" or \"gpu:N\", got \"gpu:x\"");
  EXPECT_EQ(ref::error_of([] { ej::DeviceScope s("cpu:1"); }),
            "cpu:1 requested but the only CPU device is cpu:0");
}

#define NEED_GPU()                                                             \
  if (ej::num_gpus() == 0)                                                     \
  GTEST_SKIP() << "no CUDA device"

TEST(GpuDevices, TensorsMoveToTheGpuAndBackUnchanged) {
  NEED_GPU();
  ej::Tensor x = ej::random_normal({37, 5}, ej::float64);
  ej::Tensor g = x.gpu();
  EXPECT_EQ(g.device(), "gpu:0");
  EXPECT_EQ(g.shape(), x.shape());
  EXPECT_EQ(g.dtype(), ej::float64);
  EXPECT_EQ(g.gpu().device(), "gpu:0");
  ej::Tensor back = g.cpu();
  EXPECT_EQ(back.device(), "cpu:0");
  EXPECT_EQ(back.to_vector<double>(), x.to_vector<double>());
  // to_vector and item read a GPU tensor through a host copy.
  EXPECT_EQ(g.to_vector<double>(), x.to_vector<double>());
  EXPECT_EQ(g[3][2].item<double>(), x[3][2].item<double>());
  // A strided view moves as its values, row-major.
  ej::Tensor t = ej::transpose(x);
  EXPECT_EQ(t.gpu().cpu().to_vector<double>(), t.to_vector<double>());
  // Empty tensors and every dtype move too.
  EXPECT_EQ(ej::zeros({0, 3}).gpu().cpu().shape(),
            (std::vector<int64_t>{0, 3}));
  ej::Tensor b = ej::constant({true, false, true});
  EXPECT_EQ(b.gpu().cpu().to_vector<bool>(), b.to_vector<bool>());
  ej::Tensor i = ej::constant({int64_t(1) << 40, int64_t(-7)});
  EXPECT_EQ(i.gpu().to_vector<int64_t>(), i.to_vector<int64_t>());
}

TEST(GpuDevices, OpsRunOnTheirInputsDevice) {
  NEED_GPU();
  ej::Tensor a = ej::random_uniform({64, 32}), b = ej::random_uniform({32});
  ej::Tensor c = ej::exp(a.gpu() * b.gpu() + 1.5f);
  EXPECT_EQ(c.device(), "gpu:0");
  std::vector<float> want = ej::exp(a * b + 1.5f).to_vector<float>();
  std::vector<float> got = c.to_vector<float>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k)
    EXPECT_NEAR(got[k], want[k], 4e-7 * std::abs(want[k])) << k;
  EXPECT_EQ(ej::reduce_sum(a.gpu(), {1}).device(), "gpu:0");
  EXPECT_EQ(ej::matmul(a.gpu(), ej::transpose(a).gpu()).device(), "gpu:0");
}

TEST(GpuDevices, MixingDevicesIsAnErrorThatNamesThem) {
  NEED_GPU();
  ej::Tensor a = ej::ones({4}), b = ej::ones({4}).gpu();
  std::string e = ref::error_of([&] { ej::add(a, b); });
  EXPECT_EQ(e, "add: inputs are on different devices (input 0 on cpu:0, "
               "input 1 on gpu:0); move them to one device with .gpu() or "
               ".cpu() first");
  EXPECT_NE(ref::error_of([&] {
              ej::concat({b, a}, 0);
            }).find("gpu:0"),
            std::string::npos);
}

TEST(GpuDevices, ScalarsFollowTheOpToItsDevice) {
  NEED_GPU();
  ej::Tensor x = ej::arange(0, 6, 1, ej::float32).gpu();
  ej::Tensor s = ej::constant(2.5f); // a CPU scalar
  ej::Tensor y = x * s - 1;          // and a C++ literal
  EXPECT_EQ(y.device(), "gpu:0");
  EXPECT_EQ(y.to_vector<float>(),
            (std::vector<float>{-1, 1.5f, 4, 6.5f, 9, 11.5f}));
  // A GPU scalar with a CPU tensor: the op runs on the CPU.
  ej::Tensor z = ej::arange(0, 3, 1, ej::float32) + s.gpu();
  EXPECT_EQ(z.device(), "cpu:0");
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{2.5f, 3.5f, 4.5f}));
  // Only scalars: a GPU one takes the op there.
  EXPECT_EQ((s.gpu() * s).device(), "gpu:0");
  // Conditions read GPU scalars.
  EXPECT_TRUE(bool(ej::reduce_max(x) > 4));
}

TEST(GpuDevices, ScopesPlaceCreationOpsAndLiteralsStayScalars) {
  NEED_GPU();
  ej::Tensor r;
  {
    ej::DeviceScope on("gpu:0");
    EXPECT_EQ(ej::current_device(), "gpu:0");
    ej::Tensor z = ej::zeros({3, 2});
    EXPECT_EQ(z.device(), "gpu:0");
    ej::set_seed(7);
    r = ej::random_uniform({1000});
    ej::Tensor k = ej::constant({{1, 2}, {3, 4}});
    EXPECT_EQ(k.device(), "gpu:0");
    EXPECT_EQ((k + 1).to_vector<int32_t>(), (std::vector<int32_t>{2, 3, 4, 5}));
    EXPECT_EQ(ej::zeros_like(ej::ones({2}).cpu()).device(), "cpu:0");
  }
  EXPECT_EQ(ej::current_device(), "cpu:0");
  EXPECT_EQ(r.device(), "gpu:0");
  // The same seed draws the same uniform numbers on the CPU, bit for bit.
  ej::set_seed(7);
  EXPECT_EQ(r.to_vector<float>(),
            ej::random_uniform({1000}).to_vector<float>());
}

TEST(GpuDevices, PrintingShowsTheValuesAndTheDevice) {
  NEED_GPU();
  ej::Tensor x = ej::constant({{16, 19}, {36, 43}}).gpu();
  std::ostringstream os;
  os << x;
  EXPECT_EQ(os.str(), "ej.Tensor(\n[[16 19]\n [36 43]], shape=(2, 2), "
                      "dtype=int32, device=gpu:0)");
}

TEST(GpuDevices, DataPointersAreForHostTensorsOnly) {
  NEED_GPU();
  ej::Tensor x = ej::ones({3}).gpu();
  EXPECT_EQ(ref::error_of([&] { x.data<float>(); }),
            "data: the tensor is on gpu:0, not in host memory; call cpu() "
            "first");
  EXPECT_EQ(x.cpu().data<float>()[2], 1.0f);
}

TEST(GpuDevices, VariablesTapesAndOptimizersStayOnTheGpu) {
  NEED_GPU();
  ej::Variable w(ej::random_normal({8, 4}, ej::float64).gpu(), "w");
  ej::Tensor x = ej::random_normal({16, 8}, ej::float64).gpu();
  EXPECT_EQ(w.read().device(), "gpu:0");
  // An assigned CPU value is copied to the variable's device.
  ej::Tensor host = ej::random_normal({8, 4}, ej::float64);
  w.assign(host);
  EXPECT_EQ(w.read().device(), "gpu:0");
  EXPECT_EQ(w.read().to_vector<double>(), host.to_vector<double>());

  ej::Tensor grad;
  {
    ej::GradientTape tape;
    ej::Tensor loss = ej::reduce_sum(ej::square(ej::matmul(x, w)));
    grad = tape.gradient(loss, std::vector<ej::Variable>{w})[0];
  }
  EXPECT_EQ(grad.device(), "gpu:0");
  // d/dw sum((x w)^2) = 2 x^T x w, against the CPU.
  ej::Tensor xc = x.cpu(), wc = w.read().cpu();
  std::vector<double> want =
      (2.0 * ej::matmul(ej::transpose(xc), ej::matmul(xc, wc)))
          .to_vector<double>();
  std::vector<double> got = grad.to_vector<double>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k)
    EXPECT_NEAR(got[k], want[k], 1e-9 * (1 + std::abs(want[k]))) << k;

  ej::optim::Adam adam(0.1);
  adam.apply_gradients({{grad, w}});
  EXPECT_EQ(w.read().device(), "gpu:0");
  EXPECT_NE(w.read().to_vector<double>(), host.to_vector<double>());
}

TEST(GpuDevices, GradientsComeBackToTheirSourcesDevice) {
  NEED_GPU();
  ej::Variable w(ej::random_normal({4, 3}, ej::float64), "host_w");
  ej::Tensor x = ej::random_normal({5, 4}, ej::float64).gpu();
  ej::Tensor g;
  {
    ej::GradientTape tape;
    ej::Tensor loss = ej::reduce_sum(ej::matmul(x, w.read().gpu()));
    g = tape.gradient(loss, std::vector<ej::Variable>{w})[0];
  }
  EXPECT_EQ(g.device(), "cpu:0");
  // d/dw sum(x w) = x^T 1.
  std::vector<double> want =
      ej::matmul(ej::transpose(x.cpu()), ej::ones({5, 3}, ej::float64))
          .to_vector<double>();
  std::vector<double> got = g.to_vector<double>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k)
    EXPECT_NEAR(got[k], want[k], 1e-12) << k;
}

TEST(GpuDevices, ModelsBuildTheirWeightsWhereTheirFirstInputIs) {
  NEED_GPU();
  ej::nn::Sequential model(ej::nn::Dense(8, ej::nn::relu), ej::nn::Dropout(0.5),
                           ej::nn::Dense(2));
  ej::Tensor y = model(ej::random_normal({3, 5}).gpu(), /*training=*/true);
  EXPECT_EQ(y.device(), "gpu:0");
  for (const ej::Variable &v : model.trainable_variables())
    EXPECT_EQ(v.read().device(), "gpu:0") << v.name();
}

TEST(GpuDevices, MetricsKeepTheirTotalsWhereTheirValuesAre) {
  NEED_GPU();
  ej::metrics::Mean mean("loss");
  mean.update_state(ej::constant({1.0f, 2.0f, 6.0f}).gpu());
  mean.update_state(ej::constant(3.0f).gpu());
  for (const ej::Variable &v : mean.variables())
    EXPECT_EQ(v.read().device(), "gpu:0") << v.name();
  EXPECT_EQ(mean.result().item<double>(), 3.0);
}

} // namespace
