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
// --mode=interp runs the interpreter (one eager kernel per op, the tracing
// JIT off); --mode=jit
// compiles the function with the CPU code generator (codegen/CpuCompiler.h)
// and runs the native code -- a function it cannot compile gets one line on
// stderr and runs in the interpreter; --mode=both runs both and prints, per
// result, the largest absolute and relative difference of the compiled
// result from the interpreter's.
//
//===----------------------------------------------------------------------===//
#include "codegen/CpuCompiler.h"

#include <ej/ej.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <new>
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

// A whole non-negative decimal number, as `flag`'s value.
uint64_t number(const std::string &flag, const std::string &text,
                uint64_t max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max)
    usage_error(flag + " expects a whole number from 0 to " +
                std::to_string(max) + ", got '" + text + "'");
  return v;
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
      o.seed = number("--seed", value("--seed"), UINT64_MAX);
    } else if (is("--mode")) {
      o.mode = value("--mode");
    } else if (is("--device")) {
      o.device = value("--device");
    } else if (is("--bench")) {
      o.bench = int(number("--bench", value("--bench"), INT32_MAX));
    } else if (is("--output")) {
      o.output = value("--output");
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (is("--input")) {
      std::string v = value("--input");
      size_t eq = v.find('=');
      if (eq == std::string::npos)
        usage_error("--input expects NAME=file.npy, got " + v);
      if (!o.inputs.emplace(v.substr(0, eq), v.substr(eq + 1)).second)
        usage_error("--input " + v.substr(0, eq) + " is given twice");
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

// The compiled function, run on ej tensors.
class Compiled {
public:
  // Outputs are aligned as the tensors' allocator aligns them, so that the
  // kernel writes them in place (see CpuKernel::run).
  explicit Compiled(std::unique_ptr<mlir::ej::CpuFunction> fn)
      : fn_(std::move(fn)) {
    constexpr size_t kAlign = 64;
    for (const mlir::ej::TensorSignature &t : fn_->outputs()) {
      size_t bytes = size_t(t.numElements()) * mlir::ej::elementSize(t.element);
      bytes = std::max(kAlign, (bytes + kAlign - 1) / kAlign * kAlign);
      outputs_.emplace_back(
          static_cast<char *>(std::aligned_alloc(kAlign, bytes)));
      if (!outputs_.back())
        throw std::bad_alloc();
    }
  }

  // Binds the inputs (kept alive here) for run().
  void bind(const std::vector<ej::Tensor> &inputs) {
    inputs_.clear();
    buffers_.clear();
    for (const ej::Tensor &t : inputs) {
      inputs_.push_back(t.contiguous());
      buffers_.push_back({data_of(inputs_.back()), {}});
    }
  }

  void run() {
    std::vector<void *> outs;
    for (const Bytes &o : outputs_)
      outs.push_back(o.get());
    fn_->run(buffers_, outs);
  }

  std::vector<ej::Tensor> results() const {
    std::vector<ej::Tensor> r;
    for (size_t i = 0; i < outputs_.size(); ++i) {
      const mlir::ej::TensorSignature &t = fn_->outputs()[i];
      ej::IntList shape(t.shape);
      const char *p = outputs_[i].get();
      size_t n = size_t(t.numElements());
      switch (t.element) {
      case mlir::ej::ElementType::Bool:
        r.push_back(
            ej::Tensor::from_vector(std::vector<bool>(p, p + n), shape));
        break;
      case mlir::ej::ElementType::Int32:
        r.push_back(ej::Tensor::from_vector(as<int32_t>(p, n), shape));
        break;
      case mlir::ej::ElementType::Int64:
        r.push_back(ej::Tensor::from_vector(as<int64_t>(p, n), shape));
        break;
      case mlir::ej::ElementType::Float32:
        r.push_back(ej::Tensor::from_vector(as<float>(p, n), shape));
        break;
      case mlir::ej::ElementType::Float64:
        r.push_back(ej::Tensor::from_vector(as<double>(p, n), shape));
        break;
      }
    }
    return r;
  }

  double compile_ms() const { return fn_->compileMs(); }
  bool loaded_from_disk() const { return fn_->loadedFromDisk(); }

private:
  template <class T> static std::vector<T> as(const char *p, size_t n) {
    std::vector<T> v(n);
    std::memcpy(v.data(), p, n * sizeof(T));
    return v;
  }
  static const void *data_of(const ej::Tensor &t) {
    switch (t.dtype()) {
    case ej::DType::Bool:
      return t.data<bool>();
    case ej::DType::Int32:
      return t.data<int32_t>();
    case ej::DType::Int64:
      return t.data<int64_t>();
    case ej::DType::Float32:
      return t.data<float>();
    case ej::DType::Float64:
      return t.data<double>();
    }
    return nullptr;
  }

  std::unique_ptr<mlir::ej::CpuFunction> fn_;
  std::vector<ej::Tensor> inputs_;
  std::vector<mlir::ej::InputBuffer> buffers_;
  struct Free {
    void operator()(char *p) const { std::free(p); }
  };
  using Bytes = std::unique_ptr<char, Free>;
  std::vector<Bytes> outputs_;
};

// Median, min and max microseconds of n calls of f.
template <class F> std::vector<double> time_runs(int n, F &&f) {
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    us.push_back(std::chrono::duration<double, std::micro>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us.front(), us.back()};
}

// How the compiled function came to be, for --bench's line.
std::string compile_note(const Compiled &c) {
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f ms", c.compile_ms());
  return (c.loaded_from_disk() ? "loaded from the disk cache in "
                               : "compiled once in ") +
         std::string(ms);
}

void print_times(int n, const std::string &mode, const std::vector<double> &t,
                 const char *note) {
  std::cout << "ej-run: " << n << " runs (mode=" << mode
            << ", device=cpu): median " << t[0] << " us, min " << t[1]
            << " us, max " << t[2] << " us (" << note << ")\n";
}

// The largest |jit - interp| and |jit - interp| / |interp| over the
// elements; equal values (infinities and NaNs included) differ by 0, a NaN
// against a number by infinity.
std::pair<double, double> max_errors(const ej::Tensor &jit,
                                     const ej::Tensor &interp) {
  std::vector<double> a = jit.to_vector<double>(),
                      b = interp.to_vector<double>();
  double abs_err = 0, rel_err = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))
      continue;
    double d = std::fabs(a[i] - b[i]);
    if (std::isnan(d))
      d = INFINITY;
    abs_err = std::max(abs_err, d);
    rel_err = std::max(rel_err, b[i] != 0 ? d / std::fabs(b[i]) : INFINITY);
  }
  return {abs_err, rel_err};
}

int run(const Options &o) {
  if (o.device == "gpu")
    throw ej::Error("--device=gpu needs the GPU backend, which this build does "
                    "not have yet");
  struct stat info;
  if (stat(o.file.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
    throw ej::Error("cannot open " + o.file + ": it is a directory");
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
        t = ej::read_npy(it->second);
        unused.erase(it);
      }
    inputs.push_back(t.defined() ? t : random_input(types[i]));
  }
  if (!unused.empty())
    throw ej::Error("--input " + unused.begin()->first +
                    ": the function has no such argument (use argN or N)");

  // The compiled function, unless the interpreter was asked for or the
  // code generator cannot compile it.
  std::unique_ptr<Compiled> compiled;
  if (o.mode != "interp") {
    std::string error;
    std::unique_ptr<mlir::ej::CpuFunction> fn =
        mlir::ej::compileCpuFunction(text, o.func, o.file, error);
    if (fn) {
      compiled = std::make_unique<Compiled>(std::move(fn));
      compiled->bind(inputs);
    } else {
      std::cerr << "ej-run: jit: cannot compile, running the interpreter: "
                << error << "\n";
    }
  }
  bool run_interp = !compiled || o.mode == "both";

  std::vector<ej::Tensor> results, interp_results;
  if (run_interp)
    interp_results = ej::jit::run_mlir(text, inputs, o.func, o.file);
  if (compiled) {
    compiled->run();
    results = compiled->results();
  } else {
    results = interp_results;
  }

  if (o.bench > 0) {
    if (run_interp)
      print_times(
          o.bench, "interp",
          time_runs(o.bench,
                    [&] { ej::jit::run_mlir(text, inputs, o.func, o.file); }),
          "parsing included");
    if (compiled)
      print_times(o.bench, "jit", time_runs(o.bench, [&] { compiled->run(); }),
                  compile_note(*compiled).c_str());
  }
  if (!o.output.empty()) {
    mkdir(o.output.c_str(), 0755);
    for (size_t i = 0; i < results.size(); ++i)
      ej::write_npy(o.output + "/result" + std::to_string(i) + ".npy",
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
  if (compiled && o.mode == "both")
    for (size_t i = 0; i < results.size(); ++i) {
      auto [abs_err, rel_err] = max_errors(results[i], interp_results[i]);
      std::cout << "result " << i << ": jit vs interp: max abs error "
                << abs_err << ", max rel error " << rel_err << "\n";
    }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    // The interpreter runs op by op: with the tracing JIT on, repeated runs
    // would become a hot region whose unobserved results are never computed,
    // and --bench would time nothing.
    ej::jit::set_enabled(false);
    return run(parse(argc, argv));
  } catch (const ej::Error &e) {
    std::cerr << "ej-run: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception &e) { // from the C++ library (I/O, memory)
    std::cerr << "ej-run: error: " << e.what() << "\n";
    return 1;
  }
}
