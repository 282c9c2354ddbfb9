//===- DeviceTest.cpp - Device names, scopes and placement errors ---------===//
//
// Tensors live on the CPU; asking for a GPU is an ej::Error that says why,
// and a failed request changes nothing.
//
//===----------------------------------------------------------------------===//
#include <ej/ej.h>

#include <gtest/gtest.h>

#include <functional>

namespace {

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const ej::Error &e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Devices, GpuRequestWithoutDeviceIsAnActionableError) {
  if (ej::num_gpus() != 0)
    GTEST_SKIP() << "a CUDA device is present: this test is for machines "
                    "without one";
  const std::string expected =
      "gpu:0 requested but no CUDA device is present (num_gpus() == 0)";
  EXPECT_EQ(errorOf([] { ej::DeviceScope scope("gpu:0"); }), expected);
  ej::Tensor x = ej::Tensor::from_vector<float>({1.5f, -2, 3}, {3});
  EXPECT_EQ(errorOf([&] { x.gpu(); }), expected);
  EXPECT_EQ(errorOf([&] { x.gpu(1); }),
            "gpu:1 requested but no CUDA device is present (num_gpus() == 0)");
  // The failed scope left the thread on the CPU.
  EXPECT_EQ(ej::current_device(), "cpu:0");
}

TEST(Devices, GpuIndexPastTheDevicesPresentIsAnError) {
  int n = ej::num_gpus();
  if (n == 0)
    GTEST_SKIP() << "no CUDA device (num_gpus() == 0)";
  std::string name = "gpu:" + std::to_string(n);
  EXPECT_NE(errorOf([&] {
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
  EXPECT_EQ(errorOf([] { ej::Tensor().cpu(); }).find("cpu"), 0u);
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
  EXPECT_EQ(errorOf([] { ej::check_device("tpu:0"); }),
            "device: expected \"cpu:0\" or \"gpu:N\", got \"tpu:0\"");
  EXPECT_EQ(errorOf([] { ej::check_device("gpu:x"); }),
            "device: expected \"cpu:0\" or \"gpu:N\", got \"gpu:x\"");
  EXPECT_EQ(errorOf([] { ej::DeviceScope s("cpu:1"); }),
            "cpu:1 requested but the only CPU device is cpu:0");
}

} // namespace
