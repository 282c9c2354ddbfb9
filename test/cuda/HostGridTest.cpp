//===- HostGridTest.cpp - Emitted CUDA C run on the host, checked ---------===//
//
// What NVRTC cannot show without a GPU: that the kernels ej-to-cuda emits
// compute the right values. Each fusion of the lit tests' patterns and of
// random programs runs on the host grid (HostGrid.h) as its plan says
// (kernels in order, temporaries, matmuls), on random inputs, once with
// each block's threads resumed in ascending and once in descending order
// (the two must agree bit for bit); its results are compared with the CPU
// code generator's (compileCpuKernel on the same fusion), which its own
// tests check against float64 references. The first tests check the host
// grid itself: that it finds what it claims to find.
//
//===----------------------------------------------------------------------===//
#include "HostGrid.h"
#include "Fusions.h"

#include "../codegen/Harness.h"
#include "../codegen/SuiteDiskCache.h"

#include "codegen/CpuCompiler.h"
#include "codegen/CudaReduction.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/IR/BuiltinTypes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>

namespace {

EJ_SUITE_DISK_CACHE;

using namespace ejtest;
using mlir::ej::CudaBufferType;
using mlir::ej::CudaFusionPlan;
using mlir::ej::CudaSource;

//===----------------------------------------------------------------------===//
// The host grid itself
//===----------------------------------------------------------------------===//

// A block sum over a grid-stride loop, as the emitted reductions do it.
const char *const kBlockSum = R"cuda(
extern "C" __global__ void block_sum(const double *x, double *out, int n) {
  __shared__ double scratch[32];
  double v = 0;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += gridDim.x * blockDim.x)
    v += x[i];
  v = ej_block_reduce(v, [](double a, double b) { return a + b; }, scratch);
  if (threadIdx.x == 0)
    out[blockIdx.x] = v;
}
)cuda";

TEST(HostGrid, BlockReductionsOfTheEmitterSumEveryElementOnce) {
  HostModule m(std::string(mlir::ej::cuda::blockReductionSource()) + kBlockSum);
  const int n = 3000;
  GuardedBuffer x(n * sizeof(double)), out(5 * sizeof(double));
  double *xs = static_cast<double *>(x.data());
  double want = 0;
  for (int i = 0; i < n; ++i)
    want += xs[i] = double(i % 97) - 40.0;
  void *xp = x.data(), *op = out.data();
  int count = n;
  void *args[] = {&xp, &op, &count};
  ASSERT_EQ(m.launch("block_sum", {5, 1, 1}, {128, 1, 1}, args), "");
  double got = 0;
  for (int b = 0; b < 5; ++b)
    got += static_cast<double *>(out.data())[b];
  EXPECT_EQ(got, want);
  EXPECT_TRUE(x.intact() && out.intact());
}

TEST(HostGrid, FindsABarrierThatSomeThreadsReturnBefore) {
  HostModule m(R"cuda(
extern "C" __global__ void early_exit(float *x) {
  if (threadIdx.x >= 40)
    return;
  __syncthreads();
  x[threadIdx.x] = 1;
}
)cuda");
  GuardedBuffer x(64 * sizeof(float));
  void *xp = x.data();
  void *args[] = {&xp};
  std::string error = m.launch("early_exit", {1, 1, 1}, {64, 1, 1}, args);
  EXPECT_NE(error.find("early_exit, block (0, 0, 0)"), std::string::npos)
      << error;
  EXPECT_NE(error.find("returned while 40 threads wait at __syncthreads"),
            std::string::npos)
      << error;
}

TEST(HostGrid, FindsAShuffleThatPartOfAWarpSkips) {
  HostModule m(R"cuda(
extern "C" __global__ void half_warp(float *x) {
  float v = x[threadIdx.x];
  if (threadIdx.x % 32 < 16)
    v += __shfl_down_sync(0xffffffffu, v, 1);
  x[threadIdx.x] = v;
}
)cuda");
  GuardedBuffer x(32 * sizeof(float));
  void *xp = x.data();
  void *args[] = {&xp};
  std::string error = m.launch("half_warp", {1, 1, 1}, {32, 1, 1}, args);
  EXPECT_NE(error.find("(lane 16) returned before its warp's shuffle"),
            std::string::npos)
      << error;
}

TEST(HostGrid, ThreadOrdersDisagreeOnAReadWithoutABarrier) {
  // Each thread reads its neighbour's slot, which the neighbour writes in
  // the same phase: a race the order of the threads decides.
  HostModule m(R"cuda(
extern "C" __global__ void racy(float *x) {
  __shared__ float s[64];
  s[threadIdx.x] = x[threadIdx.x];
  x[threadIdx.x] += s[(threadIdx.x + 1) % 64];
}
)cuda");
  std::vector<float> results[2];
  for (ThreadOrder order : {ThreadOrder::Ascending, ThreadOrder::Descending}) {
    GuardedBuffer x(64 * sizeof(float));
    float *xs = static_cast<float *>(x.data());
    for (int i = 0; i < 64; ++i)
      xs[i] = float(i + 1);
    void *xp = x.data();
    void *args[] = {&xp};
    ASSERT_EQ(m.launch("racy", {1, 1, 1}, {64, 1, 1}, args, order), "");
    results[int(order)].assign(xs, xs + 64);
  }
  EXPECT_NE(results[0], results[1]);
}

TEST(HostGrid, AWritePastABuffersEndSpoilsItsGuardBytes) {
  HostModule m(R"cuda(
extern "C" __global__ void overrun(float *x) {
  x[threadIdx.x] = 2;
}
)cuda");
  GuardedBuffer exact(8 * sizeof(float)), short_(7 * sizeof(float));
  void *xp = exact.data();
  void *args[] = {&xp};
  ASSERT_EQ(m.launch("overrun", {1, 1, 1}, {8, 1, 1}, args), "");
  EXPECT_TRUE(exact.intact());
  xp = short_.data();
  ASSERT_EQ(m.launch("overrun", {1, 1, 1}, {8, 1, 1}, args), "");
  EXPECT_FALSE(short_.intact());
}

TEST(HostGrid, CompileErrorsCarryTheHostCompilersOutput) {
  try {
    HostModule m("extern \"C\" __global__ void k(float *x) { x[0] = "
                 "undefined_name; }");
    FAIL() << "a kernel with an undefined name compiled";
  } catch (const std::runtime_error &e) {
    EXPECT_NE(std::string(e.what()).find("undefined_name"), std::string::npos)
        << e.what();
  }
}

//===----------------------------------------------------------------------===//
// Fusions: the host grid against the CPU code generator
//===----------------------------------------------------------------------===//

using mlir::ej::ElementType;

ElementType elementTypeOf(mlir::Type t) {
  if (t.isF32())
    return ElementType::Float32;
  if (t.isF64())
    return ElementType::Float64;
  if (t.isInteger(1))
    return ElementType::Bool;
  if (t.isInteger(32))
    return ElementType::Int32;
  return ElementType::Int64;
}

ElementType elementTypeOf(const std::string &name) {
  return name == "f32"   ? ElementType::Float32
         : name == "f64" ? ElementType::Float64
         : name == "i1"  ? ElementType::Bool
         : name == "i32" ? ElementType::Int32
                         : ElementType::Int64;
}

// A buffer's elements.
struct Values {
  ElementType type;
  std::vector<int64_t> shape;
  std::vector<char> bytes;

  int64_t count() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  double at(int64_t i) const {
    return loadElement(bytes.data() + size_t(i) * mlir::ej::elementSize(type),
                       type);
  }
  void set(int64_t i, double v) {
    storeElement(bytes.data() + size_t(i) * mlir::ej::elementSize(type), type,
                 v);
  }
};

Values valuesOf(ElementType type, std::vector<int64_t> shape) {
  Values v{type, std::move(shape), {}};
  v.bytes.resize(size_t(v.count()) * mlir::ej::elementSize(type));
  return v;
}

Values valuesOf(mlir::Type t) {
  auto tensor = mlir::cast<mlir::RankedTensorType>(t);
  return valuesOf(elementTypeOf(tensor.getElementType()),
                  std::vector<int64_t>(tensor.getShape()));
}

// Random values of `t`'s type and shape, never all zero (Harness.h).
Values randomValues(mlir::Type t) {
  Values v = valuesOf(t);
  Array a = random(v.shape, v.type);
  for (int64_t i = 0; i < v.count(); ++i)
    v.set(i, a.v[size_t(i)]);
  return v;
}

// The CPU code generator's results for `fusion` on `inputs`.
std::vector<Values> runOnCpu(mlir::ej::FusionOp fusion,
                             const std::vector<Values> &inputs) {
  auto module = mlir::ej::makeKernelModule(fusion, *fusion->getContext());
  std::string error;
  auto kernel = mlir::ej::compileCpuKernel(*module, error);
  if (!kernel) {
    ADD_FAILURE() << "the CPU compiler fails: " << error;
    return {};
  }
  std::vector<Values> outputs;
  for (mlir::Type t : fusion.getResultTypes())
    outputs.push_back(valuesOf(t));
  std::vector<mlir::ej::KernelBuffer> in, out;
  for (const Values &v : inputs)
    in.emplace_back(const_cast<char *>(v.bytes.data()), v.shape,
                    mlir::ej::elementSize(v.type));
  for (Values &v : outputs)
    out.emplace_back(v.bytes.data(), v.shape, mlir::ej::elementSize(v.type));
  kernel->run(in, out);
  return outputs;
}

const CudaBufferType &typeOf(const CudaFusionPlan &plan,
                             const std::string &name) {
  for (const auto &[n, type] : plan.types)
    if (n == name)
      return type;
  for (const auto &[n, type] : plan.temporaries)
    if (n == name)
      return type;
  throw std::runtime_error("the plan names an unknown buffer " + name);
}

// A matmul step of a plan, computed in float64 (cuBLAS's stand-in).
void matmulStep(
    const CudaFusionPlan &plan, const mlir::ej::CudaStep &step,
    std::map<std::string, std::unique_ptr<GuardedBuffer>> &buffers) {
  std::vector<Array> operands;
  for (const std::string &name : step.operands) {
    const CudaBufferType &type = typeOf(plan, name);
    Values v = valuesOf(elementTypeOf(type.element), type.shape);
    std::memcpy(v.bytes.data(), buffers.at(name)->data(), v.bytes.size());
    Array a{v.shape, {}};
    for (int64_t i = 0; i < v.count(); ++i)
      a.v.push_back(v.at(i));
    operands.push_back(std::move(a));
  }
  Array r = matmul(operands.at(0), operands.at(1));
  const CudaBufferType &type = typeOf(plan, step.result);
  Values v = valuesOf(elementTypeOf(type.element), type.shape);
  for (int64_t i = 0; i < v.count(); ++i)
    v.set(i, r.v[size_t(i)]);
  auto &buffer = buffers[step.result];
  if (!buffer)
    buffer = std::make_unique<GuardedBuffer>(v.bytes.size());
  std::memcpy(buffer->data(), v.bytes.data(), v.bytes.size());
}

// Fusion `index` of `source` run on the host grid as its plan says; empty,
// with a failure added, when a launch reports an error or a kernel writes
// past a buffer.
std::vector<Values> runOnHostGrid(HostModule &module, const CudaSource &source,
                                  size_t index,
                                  const std::vector<Values> &inputs,
                                  const std::vector<Values> &resultTypes,
                                  ThreadOrder order) {
  const CudaFusionPlan &plan = source.fusions.at(index);
  std::map<std::string, std::unique_ptr<GuardedBuffer>> buffers;
  auto make = [&](const std::string &name, size_t bytes) {
    buffers[name] = std::make_unique<GuardedBuffer>(bytes);
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string name = "in" + std::to_string(i);
    make(name, inputs[i].bytes.size());
    std::memcpy(buffers[name]->data(), inputs[i].bytes.data(),
                inputs[i].bytes.size());
  }
  for (size_t i = 0; i < resultTypes.size(); ++i)
    make("out" + std::to_string(i), resultTypes[i].bytes.size());
  for (const auto &[name, type] : plan.temporaries) {
    Values v = valuesOf(elementTypeOf(type.element), type.shape);
    make(name, v.bytes.size());
  }
  for (const mlir::ej::CudaStep &step : plan.steps) {
    if (step.kernel < 0) {
      matmulStep(plan, step, buffers);
      continue;
    }
    const mlir::ej::CudaKernelInfo &k = source.kernels.at(size_t(step.kernel));
    std::vector<void *> pointers, args;
    for (const std::string &p : k.params)
      pointers.push_back(buffers.at(p)->data());
    for (void *&p : pointers)
      args.push_back(&p);
    std::string error =
        module.launch(k.name, {unsigned(k.grid), 1, 1},
                      {unsigned(k.block), 1, 1}, args.data(), order);
    if (!error.empty()) {
      ADD_FAILURE() << error;
      return {};
    }
  }
  std::vector<Values> results = resultTypes;
  for (size_t i = 0; i < results.size(); ++i)
    std::memcpy(results[i].bytes.data(),
                buffers.at("out" + std::to_string(i))->data(),
                results[i].bytes.size());
  for (const auto &[name, buffer] : buffers)
    if (!buffer->intact()) {
      ADD_FAILURE() << "a kernel writes past the end of " << name;
      return {};
    }
  return results;
}

// Whether the host grid's `got` and the CPU's `want` agree: integers and
// bools exactly, NaNs and infinities in kind, other floats within the
// relative error that separate libraries' transcendentals and orders of
// summation leave after a few ops.
bool agree(double got, double want, ElementType type) {
  if (!isFloat(type))
    return got == want;
  if (std::isnan(want) || std::isnan(got))
    return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got))
    return got == want;
  double tolerance = type == ElementType::Float32 ? 1e-4 : 1e-10;
  return std::fabs(got - want) <= tolerance * std::max(1.0, std::fabs(want));
}

// Runs every fusion of `text` both ways and compares; returns the number
// of fusions checked.
unsigned checkFusions(Context &c, const std::string &text,
                      const std::string &label) {
  std::string why;
  auto module = fuse(c, text, why);
  if (!module) {
    ADD_FAILURE() << label << ": " << why;
    return 0;
  }
  auto source = emit(*module, text, why);
  if (mlir::failed(source)) {
    ADD_FAILURE() << label << ": " << why;
    return 0;
  }
  HostModule host(source->code);
  for (const mlir::ej::CudaKernelInfo &k : source->kernels)
    EXPECT_TRUE(host.has(k.name)) << label << ": no kernel " << k.name;
  unsigned index = 0;
  module->walk([&](mlir::ej::FusionOp fusion) {
    std::string where = label + ", fusion " + std::to_string(index);
    std::vector<Values> inputs, resultTypes;
    for (mlir::Type t : fusion.getOperandTypes())
      inputs.push_back(randomValues(t));
    for (mlir::Type t : fusion.getResultTypes())
      resultTypes.push_back(valuesOf(t));
    std::vector<Values> want = runOnCpu(fusion, inputs);
    std::vector<Values> ascending = runOnHostGrid(
        host, *source, index, inputs, resultTypes, ThreadOrder::Ascending);
    std::vector<Values> descending = runOnHostGrid(
        host, *source, index, inputs, resultTypes, ThreadOrder::Descending);
    ++index;
    if (want.empty() || ascending.empty() || descending.empty())
      return;
    for (size_t r = 0; r < want.size(); ++r) {
      EXPECT_EQ(ascending[r].bytes, descending[r].bytes)
          << where << ": result " << r
          << " depends on the order of the threads";
      unsigned wrong = 0;
      for (int64_t i = 0; i < want[r].count() && wrong < 5; ++i) {
        double g = ascending[r].at(i), w = want[r].at(i);
        if (!agree(g, w, want[r].type)) {
          ++wrong;
          ADD_FAILURE() << where << ": result " << r << " at " << i
                        << ": host grid " << g << ", CPU " << w;
        }
      }
      if (wrong)
        ADD_FAILURE() << "in:\n" << text << "\nCUDA C:\n" << source->code;
    }
  });
  EXPECT_EQ(index, source->fusions.size()) << label;
  return index;
}

struct CpuContext : Context {
  CpuContext() {
    mlir::ej::registerCpuCodegenDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }
};

TEST(HostGridFusion, EveryLitPatternComputesWhatTheCpuCompilerComputes) {
  CpuContext c;
  unsigned fusions = 0;
  forEachLitChunk(
      [&](const std::filesystem::path &path, const std::string &chunk) {
        fusions += checkFusions(c, chunk, path.filename().string());
      });
  EXPECT_GE(fusions, 20u);
}

TEST(HostGridFusion, RandomFusionsComputeWhatTheCpuCompilerComputes) {
  CpuContext c;
  unsigned fusions = 0;
  for (unsigned batch = 0; batch < 4; ++batch)
    fusions += checkFusions(c, randomModule(1000 * batch, 10),
                            "random batch " + std::to_string(batch));
  EXPECT_GE(fusions, 40u);
}

} // namespace
