//===- Fusions.h - ej programs for the CUDA emitter's tests -----*- C++ -*-===//
//
// What the CUDA code generator's tests feed it: the patterns of the lit
// tests (test/lit/Target/CUDA, one program per `// -----` chunk) and random
// programs, parsed and grouped by ej-fuse as ej-translate does before it
// emits CUDA C.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_CUDA_FUSIONS_H
#define EJ_TEST_CUDA_FUSIONS_H

#include "codegen/EjToCUDA.h"
#include "codegen/Passes.h"
#include "dialects/Ej/EjRegistration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ejtest {

struct Context {
  mlir::DialectRegistry registry;
  mlir::MLIRContext ctx;
  Context() {
    mlir::ej::registerAllEjDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }
};

/// `text` parsed, with ej-fuse run over its functions; null, with `why`
/// set, when it does not parse or fuse.
inline mlir::OwningOpRef<mlir::ModuleOp>
fuse(Context &c, const std::string &text, std::string &why) {
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &c.ctx);
  if (!module) {
    why = "does not parse:\n" + text;
    return nullptr;
  }
  mlir::PassManager pm(&c.ctx);
  pm.addNestedPass<mlir::func::FuncOp>(mlir::ej::createEjFuse());
  if (mlir::failed(pm.run(*module))) {
    why = "ej-fuse failed on:\n" + text;
    return nullptr;
  }
  return module;
}

/// The emitted source of a fused module, or a failure with `why` set.
inline mlir::FailureOr<mlir::ej::CudaSource>
emit(mlir::ModuleOp module, const std::string &text, std::string &why) {
  auto source = mlir::ej::emitCudaSource(module);
  if (mlir::failed(source))
    why = "ej-to-cuda failed on:\n" + text;
  return source;
}

/// Calls `f(file, chunk)` for each `// -----` chunk of each lit test of the
/// emitter but the one of what it refuses (invalid.mlir).
inline void
forEachLitChunk(const std::function<void(const std::filesystem::path &,
                                         const std::string &)> &f) {
  for (const auto &entry :
       std::filesystem::directory_iterator(EJ_CUDA_LIT_DIR)) {
    if (entry.path().extension() != ".mlir" ||
        entry.path().filename() == "invalid.mlir")
      continue;
    std::ifstream in(entry.path());
    std::stringstream all;
    all << in.rdbuf();
    std::string text = all.str();
    size_t start = 0;
    while (start <= text.size()) {
      size_t split = text.find("// -----", start);
      f(entry.path(),
        text.substr(start, split == std::string::npos ? std::string::npos
                                                      : split - start));
      start = split == std::string::npos ? text.size() + 1 : split + 8;
    }
  }
}

// A random program of f32 ops over shapes that broadcast: elementwise ops,
// comparisons and selects, reductions (with and without keepdims), casts,
// transposes, reshapes and argmax, as MLIR text.
class RandomProgram {
public:
  explicit RandomProgram(unsigned seed) : rng(seed) {}

  std::string build() {
    std::vector<int64_t> shape;
    int rank = pick(1, 3);
    const int64_t dims[] = {1, 2, 3, 4, 5, 8, 16, 33};
    for (int d = 0; d < rank; ++d)
      shape.push_back(dims[pick(0, 7)]);
    std::vector<int64_t> narrow = ones(shape);
    std::string args = "%a: " + type(shape) + ", %b: " + type(narrow);
    values = {{"%a", shape}, {"%b", narrow}};
    int n = pick(3, 9);
    for (int i = 0; i < n; ++i)
      step();
    const Value &last = values.back();
    return "func.func @random(" + args + ") -> " + type(last.shape) + " {\n" +
           body + "  return " + last.name + " : " + type(last.shape) + "\n}\n";
  }

private:
  struct Value {
    std::string name;
    std::vector<int64_t> shape;
    std::string element = "f32";
  };

  int pick(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  }
  static std::string type(const std::vector<int64_t> &s,
                          const std::string &e = "f32") {
    std::string t = "tensor<";
    for (int64_t d : s)
      t += std::to_string(d) + "x";
    return t + e + ">";
  }
  // `s` with a random subset of its axes set to 1.
  std::vector<int64_t> ones(std::vector<int64_t> s) {
    for (int64_t &d : s)
      if (pick(0, 1))
        d = 1;
    return s;
  }
  static std::vector<int64_t> broadcast(const std::vector<int64_t> &a,
                                        const std::vector<int64_t> &b) {
    std::vector<int64_t> r(std::max(a.size(), b.size()), 1);
    for (size_t i = 0; i < r.size(); ++i) {
      int64_t x = i < r.size() - a.size() ? 1 : a[i - (r.size() - a.size())];
      int64_t y = i < r.size() - b.size() ? 1 : b[i - (r.size() - b.size())];
      r[i] = x == 1 ? y : x;
    }
    return r;
  }
  static bool broadcasts(const std::vector<int64_t> &a,
                         const std::vector<int64_t> &b) {
    for (size_t i = 1; i <= std::min(a.size(), b.size()); ++i) {
      int64_t x = a[a.size() - i], y = b[b.size() - i];
      if (x != y && x != 1 && y != 1)
        return false;
    }
    return true;
  }
  std::string fresh() { return "%v" + std::to_string(counter++); }
  void emit(const std::string &name, const std::string &op,
            std::vector<int64_t> shape, const std::string &element = "f32") {
    body += "  " + name + " = " + op + "\n";
    // Only f32 values are operands of later steps.
    if (element == "f32")
      values.push_back({name, std::move(shape), element});
  }

  void step() {
    const Value a = values[pick(0, int(values.size()) - 1)];
    std::string r = fresh();
    switch (pick(0, 7)) {
    case 0:
    case 1: {
      static const char *unary[] = {"exp",     "tanh",   "neg",   "abs", "relu",
                                    "sigmoid", "square", "log",   "sin", "cos",
                                    "erf",     "floor",  "rsqrt", "sqrt"};
      emit(r,
           std::string("ej.") + unary[pick(0, int(std::size(unary)) - 1)] +
               " " + a.name + " : " + type(a.shape),
           a.shape);
      return;
    }
    case 2:
    case 3: {
      std::vector<const Value *> partners;
      for (const Value &v : values)
        if (broadcasts(a.shape, v.shape))
          partners.push_back(&v);
      const Value &b = *partners[pick(0, int(partners.size()) - 1)];
      static const char *binary[] = {"add",     "sub",     "mul", "div",
                                     "maximum", "minimum", "pow"};
      emit(r,
           std::string("ej.") + binary[pick(0, 6)] + " " + a.name + ", " +
               b.name + " : " + type(a.shape) + ", " + type(b.shape),
           broadcast(a.shape, b.shape));
      return;
    }
    case 4: {
      // A fill of a's shape with ones: where(a < fill, a, fill).
      std::vector<int64_t> s = ones(a.shape);
      std::string f = fresh(), c = fresh();
      emit(f, "ej.fill 0.5 : " + type(s), s);
      auto out = broadcast(a.shape, s);
      emit(c,
           "ej.less " + a.name + ", " + f + " : " + type(a.shape) + ", " +
               type(s),
           out, "i1");
      emit(r,
           "ej.where " + c + ", " + a.name + ", " + f + " : " +
               type(out, "i1") + ", " + type(a.shape) + ", " + type(s),
           out);
      return;
    }
    case 5: {
      static const char *reductions[] = {"reduce_sum", "reduce_mean",
                                         "reduce_max", "reduce_min"};
      std::vector<int64_t> axes, kept, keptOnes;
      for (size_t d = 0; d < a.shape.size(); ++d) {
        bool reduced = pick(0, 1);
        if (reduced)
          axes.push_back(int64_t(d));
        else
          kept.push_back(a.shape[d]);
        keptOnes.push_back(reduced ? 1 : a.shape[d]);
      }
      if (axes.empty())
        kept.clear(), keptOnes.assign(a.shape.size(), 1);
      bool keep = pick(0, 1);
      std::string list;
      for (int64_t x : axes)
        list += (list.empty() ? "" : ", ") + std::to_string(x);
      emit(r,
           std::string("ej.") + reductions[pick(0, 3)] + " " + a.name +
               " axes = [" + list + "]" + (keep ? " keepdims" : "") + " : " +
               type(a.shape),
           keep ? keptOnes : kept);
      return;
    }
    case 6: {
      std::string i = fresh();
      emit(i,
           "ej.cast " + a.name + " : " + type(a.shape) + " to " +
               type(a.shape, "i32"),
           a.shape, "i32");
      emit(r,
           "ej.cast " + i + " : " + type(a.shape, "i32") + " to " +
               type(a.shape),
           a.shape);
      return;
    }
    default: {
      if (a.shape.size() >= 2 && pick(0, 1)) {
        std::vector<int64_t> t(a.shape.rbegin(), a.shape.rend());
        std::string perm;
        for (size_t d = 0; d < a.shape.size(); ++d)
          perm += (d ? ", " : "") + std::to_string(a.shape.size() - 1 - d);
        emit(r,
             "ej.transpose " + a.name + " perm = [" + perm +
                 "] : " + type(a.shape),
             t);
        return;
      }
      if (!a.shape.empty() && pick(0, 1)) {
        std::vector<int64_t> rest(a.shape.begin(), a.shape.end() - 1);
        std::string i = fresh();
        emit(i,
             "ej.argmax " + a.name + " axis = " +
                 std::to_string(a.shape.size() - 1) + " : " + type(a.shape),
             rest, "i64");
        emit(r,
             "ej.cast " + i + " : " + type(rest, "i64") + " to " + type(rest),
             rest);
        return;
      }
      int64_t n = 1;
      for (int64_t d : a.shape)
        n *= d;
      emit(r,
           "ej.reshape " + a.name + " : " + type(a.shape) + " to " + type({n}),
           {n});
      return;
    }
    }
  }

  std::mt19937 rng;
  std::vector<Value> values;
  std::string body;
  unsigned counter = 0;
};

/// `count` random programs from seed `first` on, as one module (their
/// functions named @random_<seed>).
inline std::string randomModule(unsigned first, unsigned count) {
  std::string module;
  for (unsigned seed = first; seed < first + count; ++seed) {
    std::string f = RandomProgram(seed).build();
    module +=
        f.replace(f.find("@random"), 7, "@random_" + std::to_string(seed));
  }
  return module;
}

} // namespace ejtest

#endif // EJ_TEST_CUDA_FUSIONS_H
