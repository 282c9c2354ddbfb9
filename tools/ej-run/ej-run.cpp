//===- ej-run.cpp - Run and time an ej program ---------------------------===//
//
//   ej-run FILE.mlir [--func NAME] [--seed N] [--input NAME=x.npy]...
//          [--mode=interp|jit|both] [--device=cpu|gpu] [--bench N]
//          [--output DIR] [--quiet]
//
// Arguments without --input get random values drawn from --seed (normal
// floats, small integers, fair bools); a variable argument's input is its
// initial value. Results, then the variables' final values, are printed
// (unless --quiet) and, with --output, saved as DIR/result<i>.npy. --bench N
// times N runs after one warm-up and prints median, min and max.
//
//===----------------------------------------------------------------------===//
#include "Npy.h"

#include <ej/ej.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sys/stat.h>

namespace {

struct Options {
  std::string file, func, mode = "interp", device = "cpu", output;
  uint64_t seed = 0;
  int bench = 0;
  bool quiet = false;
  std::map<std::string, std::string> inputs; // "arg0" or "0" -> path
};

const char *kUsage =
    "usage: ej-run FILE.mlir [--func NAME] [--seed N] [--input NAME=x.npy]...\n"
    "              [--mode=interp|jit|both] [--device=cpu|gpu] [--bench N]\n"
    "              [--output DIR] [--quiet]\n";

[[noreturn]] void usage_error(const std::string &why) {
  throw ej::Error(why + "\n" + kUsage);
}

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string &flag) -> std::string {
      if (a.rfind(flag + "=", 0) == 0)
        return a.substr(flag.size() + 1);
      if (a == flag && i + 1 < argc)
        return argv[++i];
      usage_error(flag + " needs a value");
    };
    auto is = [&](const std::string &flag) {
      return a == flag || a.rfind(flag + "=", 0) == 0;
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (is("--func")) {
      o.func = value("--func");
    } else if (is("--seed")) {
      o.seed = std::stoull(value("--seed"));
    } else if (is("--mode")) {
      o.mode = value("--mode");
    } else if (is("--device")) {
      o.device = value("--device");
    } else if (is("--bench")) {
      o.bench = std::stoi(value("--bench"));
    } else if (is("--output")) {
      o.output = value("--output");
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (is("--input")) {
      std::string v = value("--input");
      size_t eq = v.find('=');
      if (eq == std::string::npos)
        usage_error("--input expects NAME=file.npy, got " + v);
      o.inputs[v.substr(0, eq)] = v.substr(eq + 1);
    } else if (!a.empty() && a[0] == '-') {
      usage_error("unknown option " + a);
    } else if (o.file.empty()) {
      o.file = a;
    } else {
      usage_error("more than one input file");
    }
  }
  if (o.file.empty())
    usage_error("no input file");
  if (o.mode != "interp" && o.mode != "jit" && o.mode != "both")
    usage_error("--mode must be interp, jit or both");
  if (o.device != "cpu" && o.device != "gpu")
    usage_error("--device must be cpu or gpu");
  if (o.bench < 0)
    usage_error("--bench must be >= 0");
  return o;
}

ej::Tensor random_input(const ej::jit::TensorType &t) {
  switch (t.dtype) {
  case ej::DType::Float32:
  case ej::DType::Float64:
    return ej::random_normal(t.shape, t.dtype);
  case ej::DType::Bool:
    return ej::random_uniform(t.shape) < 0.5;
  default:
    return ej::cast(ej::floor(ej::random_uniform(t.shape, ej::float64, -8, 8)),
                    t.dtype);
  }
}

int run(const Options &o) {
  if (o.mode != "interp")
    throw ej::Error("--mode=" + o.mode +
                    " needs the compiled path, which this build does not have "
                    "yet; --mode=interp runs the program");
  if (o.device == "gpu")
    throw ej::Error("--device=gpu needs the GPU backend, which this build does "
                    "not have yet");
  std::ifstream f(o.file);
  if (!f)
    throw ej::Error("cannot open " + o.file);
  std::string text((std::istreambuf_iterator<char>(f)),
                   std::istreambuf_iterator<char>());

  std::vector<ej::jit::TensorType> types =
      ej::jit::mlir_arguments(text, o.func, o.file);
  ej::set_seed(o.seed);
  std::vector<ej::Tensor> inputs;
  std::map<std::string, std::string> unused = o.inputs;
  for (size_t i = 0; i < types.size(); ++i) {
    std::string names[] = {"arg" + std::to_string(i), std::to_string(i)};
    ej::Tensor t;
    for (const std::string &n : names)
      if (auto it = unused.find(n); it != unused.end()) {
        t = ejrun::read_npy(it->second);
        unused.erase(it);
      }
    inputs.push_back(t.defined() ? t : random_input(types[i]));
  }
  if (!unused.empty())
    throw ej::Error("--input " + unused.begin()->first +
                    ": the function has no such argument (use argN or N)");

  std::vector<ej::Tensor> results =
      ej::jit::run_mlir(text, inputs, o.func, o.file);
  if (o.bench > 0) {
    std::vector<double> us;
    for (int i = 0; i < o.bench; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      results = ej::jit::run_mlir(text, inputs, o.func, o.file);
      us.push_back(std::chrono::duration<double, std::micro>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    std::sort(us.begin(), us.end());
    std::cout << "ej-run: " << o.bench
              << " runs (mode=interp, device=cpu): median " << us[us.size() / 2]
              << " us, min " << us.front() << " us, max " << us.back()
              << " us (parsing included)\n";
  }
  if (!o.output.empty()) {
    mkdir(o.output.c_str(), 0755);
    for (size_t i = 0; i < results.size(); ++i)
      ejrun::write_npy(o.output + "/result" + std::to_string(i) + ".npy",
                       results[i]);
  }
  if (!o.quiet) {
    // run_mlir returns the results, then the variables' final values.
    std::vector<size_t> variables;
    for (size_t i = 0; i < types.size(); ++i)
      if (types[i].variable)
        variables.push_back(i);
    size_t n = results.size() - variables.size();
    for (size_t i = 0; i < results.size(); ++i) {
      if (i < n)
        std::cout << "result " << i << ": ";
      else
        std::cout << "variable arg" << variables[i - n] << ": ";
      std::cout << results[i] << "\n";
    }
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parse(argc, argv));
  } catch (const ej::Error &e) {
    std::cerr << "ej-run: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception &e) { // std::stoi and friends on bad numbers
    std::cerr << "ej-run: error: bad value: " << e.what() << "\n" << kUsage;
    return 1;
  }
}
