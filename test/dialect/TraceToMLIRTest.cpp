//===- TraceToMLIRTest.cpp - Recorded calls as ej programs ---------------===//
//
// Traces made by the library parse, verify and print back to the same text
// in a separate MLIR context (as ej-opt would read a dump).
//
//===----------------------------------------------------------------------===//
#include "dialects/Ej/EjRegistration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/raw_ostream.h"

#include <ej/ej.h>
#include <gtest/gtest.h>

#include <fstream>

namespace {

// Parses and verifies `text`, and prints it back the way dumps are printed.
std::string reparse(const std::string &text) {
  mlir::DialectRegistry registry;
  mlir::ej::registerAllEjDialects(registry);
  mlir::MLIRContext ctx(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  if (!module)
    return "<parse error>";
  if (mlir::failed(mlir::verify(*module)))
    return "<verify error>";
  std::string out;
  llvm::raw_string_ostream os(out);
  module->print(os, mlir::OpPrintingFlags().enableDebugInfo(true, false));
  return out;
}

// The text without the location of every argument, for matching signatures.
std::string without_arg_locs(std::string text) {
  for (size_t at; (at = text.find(" loc(unknown)")) != std::string::npos;)
    text.erase(at, 13);
  return text;
}

std::vector<ej::Tensor> mlp(const std::vector<ej::Tensor> &a) {
  ej::Tensor h = ej::relu(ej::matmul(a[0], a[1]) + 1);
  return {ej::reduce_sum(h, {1}), h};
}

// Every kind of op, on a (3, 4) float32 input.
std::vector<ej::Tensor> every_op(const std::vector<ej::Tensor> &a) {
  ej::Tensor x = a[0];
  ej::Tensor i = ej::constant({2, 0, 1});
  return {ej::where(x > 0, ej::exp(x), ej::tanh(x)) / 2 - ej::sigmoid(x),
          ej::pow(ej::abs(x) + 1, 2.f),
          ej::maximum(ej::sqrt(ej::square(x)), 0.5f),
          ej::cast(ej::floor(x) != ej::ceil(x), ej::int32),
          ej::logical_or(!(x < 1), x >= 2),
          ej::reduce_mean(x, {0}, true),
          ej::reduce_max(x),
          ej::reduce_prod(x, {1}),
          ej::reduce_sum(ej::cast(x, ej::int64), {1}),
          ej::argmax(x, 1),
          ej::argmin(x),
          ej::matmul(x, ej::transpose(x)),
          ej::reshape(x, {2, -1}),
          ej::broadcast_to(ej::reduce_min(x, {0}), {2, 4}),
          x.index({1, ej::Slice(std::nullopt, std::nullopt, -2)}),
          ej::concat({x, ej::zeros({1, 4})}, 0),
          ej::stack({x, x}, 1),
          ej::gather(x, i, 0),
          ej::one_hot(i, 4),
          ej::pad(x, {{1, 0}, {0, 2}}, 7),
          ej::identity(x),
          ej::stop_gradient(x * 2),
          ej::arange(5),
          ej::linspace(0, 1, 3),
          ej::eye(2),
          ej::random_normal({3}) * ej::random_uniform({2, 3}, ej::float64),
          ej::sign(-x) + ej::log(ej::abs(x) + 1) * ej::rsqrt(ej::abs(x) + 1) +
              ej::sin(x) * ej::cos(x) + ej::minimum(x, 0.f)};
}

} // namespace

TEST(TraceToMLIR, AnMlpBecomesAFuncThatParsesVerifiesAndPrintsTheSame) {
  ej::Tensor x = ej::random_normal({4, 3}), w = ej::random_normal({3, 2});
  std::string text = ej::jit::trace_to_mlir(mlp, {x, w}, "mlp");
  EXPECT_NE(without_arg_locs(text).find(
                "func.func @mlp(%arg0: tensor<4x3xf32>, %arg1: "
                "tensor<3x2xf32>) -> (tensor<4xf32>, tensor<4x2xf32>)"),
            std::string::npos)
      << text;
  for (const char *op :
       {"ej.matmul", "ej.add", "ej.relu", "ej.reduce_sum",
        "ej.fill 1.000000e+00 : tensor<f32>", "loc(\"trace\":"})
    EXPECT_NE(text.find(op), std::string::npos) << op << " missing in\n"
                                                << text;
  EXPECT_EQ(reparse(text), text);
}

TEST(TraceToMLIR, TheSameCallsGiveTheSameText) {
  ej::Tensor x = ej::random_normal({4, 3}), w = ej::random_normal({3, 2});
  ej::Tensor y = ej::random_normal({4, 3}), v = ej::random_normal({3, 2});
  EXPECT_EQ(ej::jit::trace_to_mlir(mlp, {x, w}),
            ej::jit::trace_to_mlir(mlp, {y, v}));
}

TEST(TraceToMLIR, TracedCallsStillReturnTheirEagerValues) {
  ej::Tensor x = ej::constant({{1.f, -2.f, 3.f}}), w = ej::ones({3, 2});
  std::vector<ej::Tensor> out;
  ej::jit::trace_to_mlir(
      [&](const std::vector<ej::Tensor> &a) {
        out = mlp(a);
        return out;
      },
      {x, w});
  EXPECT_EQ(out[1].to_vector<float>(), (std::vector<float>{3, 3}));
}

TEST(TraceToMLIR, TensorsFromOutsideAndTheGeneratorBecomeArguments) {
  ej::Tensor bias = ej::constant({0.5f, 1.5f});
  std::string text = ej::jit::trace_to_mlir(
      [&](const std::vector<ej::Tensor> &a) {
        ej::Tensor noise = ej::random_normal({2});
        ej::Tensor more = ej::random_uniform({2});
        return std::vector<ej::Tensor>{a[0] + bias + noise * more};
      },
      {ej::ones({2})});
  // x, then bias, then the seed and the base offset.
  EXPECT_NE(without_arg_locs(text).find(
                "func.func @trace(%arg0: tensor<2xf32>, %arg1: tensor<2xf32>, "
                "%arg2: tensor<i64>, %arg3: tensor<i64>)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ej.random_normal %arg2, %arg3"), std::string::npos)
      << text;
  // The second draw starts one Philox block later (2 floats take 1 block).
  EXPECT_NE(text.find("ej.constant dense<1> : tensor<i64>"), std::string::npos)
      << text;
  EXPECT_EQ(reparse(text), text);
}

TEST(TraceToMLIR, EveryKindOfOpConvertsAndVerifies) {
  std::string text =
      ej::jit::trace_to_mlir(every_op, {ej::random_normal({3, 4})});
  EXPECT_EQ(reparse(text), text);
  for (const char *op :
       {"ej.slice", "ej.concat", "ej.gather", "ej.one_hot", "ej.pad", "ej.copy",
        "ej.arange", "ej.linspace", "ej.eye", "ej.where", "ej.cast",
        "ej.argmin", "ej.broadcast_to", "ej.transpose", "ej.random_uniform",
        "ej.reduce_prod"})
    EXPECT_NE(text.find(op), std::string::npos) << op;
}

TEST(TraceToMLIR, DumpTraceWritesAFileAndReportsBadPaths) {
  std::string path = ::testing::TempDir() + "/ej_trace_dump.mlir";
  ej::jit::dump_trace(mlp, {ej::ones({2, 3}), ej::ones({3, 1})}, path);
  std::ifstream f(path);
  std::string text((std::istreambuf_iterator<char>(f)),
                   std::istreambuf_iterator<char>());
  EXPECT_EQ(reparse(text), text);
  EXPECT_THROW(ej::jit::dump_trace(mlp, {ej::ones({2, 3}), ej::ones({3, 1})},
                                   "/nonexistent/dir/x.mlir"),
               ej::Error);
}

TEST(RunMLIR, InterpretingATraceReproducesTheEagerResultsForEveryOp) {
  ej::Tensor x = ej::random_normal({3, 4});
  ej::set_seed(11);
  std::vector<ej::Tensor> eager;
  std::string text = ej::jit::trace_to_mlir(
      [&](const std::vector<ej::Tensor> &a) { return eager = every_op(a); },
      {x});
  // The program's last two arguments are the generator's seed and offset:
  // the values the eager draws used.
  std::vector<ej::jit::TensorType> args = ej::jit::mlir_arguments(text);
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1].dtype, ej::int64);
  std::vector<ej::Tensor> replay =
      ej::jit::run_mlir(text, {x, ej::constant(std::vector<int64_t>{11}, {}),
                               ej::constant(std::vector<int64_t>{0}, {})});
  ASSERT_EQ(replay.size(), eager.size());
  for (size_t k = 0; k < eager.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(replay[k].shape(), eager[k].shape());
    EXPECT_EQ(replay[k].dtype(), eager[k].dtype());
    EXPECT_EQ(replay[k].to_vector<double>(), eager[k].to_vector<double>());
  }
}

TEST(RunMLIR, BadProgramsAndInputsAreErrors) {
  std::string text =
      ej::jit::trace_to_mlir(mlp, {ej::ones({2, 3}), ej::ones({3, 1})});
  EXPECT_THROW(ej::jit::run_mlir(text, {ej::ones({2, 3})}), ej::Error);
  EXPECT_THROW(ej::jit::run_mlir(text, {ej::ones({2, 3}), ej::ones({3, 2})}),
               ej::Error);
  EXPECT_THROW(
      ej::jit::run_mlir(text, {ej::ones({2, 3}), ej::ones({3, 1})}, "nope"),
      ej::Error);
  EXPECT_THROW(ej::jit::run_mlir("func.func @f() { %0 = ej.bogus }", {}),
               ej::Error);
  EXPECT_THROW(
      ej::jit::run_mlir("func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {\n"
                        "  %0 = arith.addf %a, %a : tensor<2xf32>\n"
                        "  return %0 : tensor<2xf32>\n}",
                        {ej::ones({2})}),
      ej::Error);
}

TEST(RunMLIR, VariablesAreArgumentsAndTheirFinalValuesComeBack) {
  ej::Variable w(ej::constant({1.f, 2.f}), "w");
  auto step = [&](const std::vector<ej::Tensor> &a) {
    ej::Tensor before = w.read();
    w.assign_sub(a[0] * before);
    return std::vector<ej::Tensor>{ej::reduce_sum(w.read())};
  };
  ej::Tensor lr = ej::constant(0.5f);
  std::string text = ej::jit::trace_to_mlir(step, {lr});
  EXPECT_NE(without_arg_locs(text).find("func.func @trace(%arg0: tensor<f32>, "
                                        "%arg1: !ej.variable<tensor<2xf32>>)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ej.variable_read %arg1 : !ej.variable<tensor<2xf32>>"),
            std::string::npos);
  EXPECT_NE(text.find("ej.assign %arg1"), std::string::npos);
  EXPECT_EQ(reparse(text), text);
  std::vector<ej::jit::TensorType> args = ej::jit::mlir_arguments(text);
  ASSERT_EQ(args.size(), 2u);
  EXPECT_TRUE(args[1].variable);
  // w went 1, 2 -> 0.5, 1 eagerly; replaying from 0.5, 1 gives 0.25, 0.5.
  std::vector<ej::Tensor> out =
      ej::jit::run_mlir(text, {lr, ej::constant({0.5f, 1.f})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].item<float>(), 0.75f);
  EXPECT_EQ(out[1].to_vector<float>(), (std::vector<float>{0.25f, 0.5f}));
  EXPECT_EQ(w.read().to_vector<float>(), (std::vector<float>{0.5f, 1.f}));
}
