//===- GradFuzzTest.cpp - Gradients of random programs -------------------===//
//
// Random compositions of differentiable ops -- elementwise with
// broadcasting, reductions over random axes, shape ops, matmul, softmax,
// layer_norm, gather, pad -- in float64. Each program's tape gradient is
// checked against central finite differences (gradcheck) with the JIT off;
// then the same gradient taken again and again, so that the JIT compiles
// the forward and gradient programs, must give the interpreter's values.
// The per-op tests check each VJP rule alone; these check how the rules
// compose: broadcasts undone through reductions, keepdims, permutations,
// values that reach the target along several paths.
//
// A fixed set of seeds runs by default; EJ_FUZZ_PROGRAMS=n runs n programs
// and EJ_FUZZ_SEED=s starts from seed s (a failure prints its program;
// EJ_FUZZ_PRINT=1 prints every program).
//
//===----------------------------------------------------------------------===//
#include "test/unit/GradCheck.h"
#include "test/unit/JitHarness.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using T = ej::Tensor;
using V = std::vector<ej::Tensor>;
using Shape = std::vector<int64_t>;

int env_int(const char *name, int fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string str(const Shape &s) {
  std::ostringstream o;
  o << "(";
  for (size_t i = 0; i < s.size(); ++i)
    o << (i ? ", " : "") << s[i];
  o << (s.size() == 1 ? ",)" : ")");
  return o.str();
}

std::vector<int64_t> axes_of(int rank) {
  std::vector<int64_t> axes(static_cast<size_t>(rank));
  std::iota(axes.begin(), axes.end(), 0);
  return axes;
}

bool broadcastable(const Shape &a, const Shape &b) {
  for (size_t i = 1; i <= std::min(a.size(), b.size()); ++i) {
    int64_t x = a[a.size() - i], y = b[b.size() - i];
    if (x != y && x != 1 && y != 1)
      return false;
  }
  return true;
}

/// A program: each step makes one value from the inputs and the values
/// before it. Built by running every step once on sample inputs, so that
/// the generator picks only ops that apply to the shapes it has.
struct GradProgram {
  using Step = std::function<T(const V &)>;
  std::vector<Shape> inputs;
  std::vector<Step> steps;
  std::vector<std::string> text;

  /// The values of every step; the target sums the values no later step
  /// reads, each with its own weight.
  T operator()(const V &xs) const {
    V values = xs;
    for (const Step &s : steps)
      values.push_back(s(values));
    T target = ej::reduce_sum(values.back());
    for (size_t i = 0; i + 1 < values.size(); ++i)
      if (!used[i])
        target = target + ej::reduce_sum(values[i]) * (0.25 * double(i + 1));
    return target;
  }
  std::string describe(unsigned seed) const {
    std::ostringstream o;
    o << "gradient program, seed " << seed << ":\n";
    for (size_t i = 0; i < inputs.size(); ++i)
      o << "  v" << i << " = input " << str(inputs[i]) << "\n";
    for (size_t i = 0; i < text.size(); ++i)
      o << "  v" << inputs.size() + i << " = " << text[i] << "\n";
    return o.str();
  }
  std::vector<bool> used;
};

class Generator {
public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  GradProgram make(unsigned seed) {
    GradProgram p;
    Shape base;
    for (int r = pick(1, 3); r > 0; --r)
      base.push_back(pick(1, 4));
    for (int i = pick(1, 3); i > 0; --i) {
      Shape s(base.begin() + pick(0, int(base.size()) - 1), base.end());
      for (int64_t &d : s)
        if (chance(0.3))
          d = 1;
      p.inputs.push_back(s);
      values_.push_back(gradcheck::input(s, seed * 31 + unsigned(i)));
    }
    p.used.assign(p.inputs.size(), false);
    for (int n = pick(4, 10); n > 0;) {
      if (!add_step(p))
        continue;
      --n;
    }
    p.used.resize(values_.size(), false);
    return p;
  }

private:
  int pick(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  size_t any_value() {
    // Recent values more often: programs get deep, not only wide.
    size_t n = values_.size();
    return chance(0.6)
               ? n - 1 - size_t(pick(0, int(std::min<size_t>(n, 3)) - 1))
               : size_t(pick(0, int(n) - 1));
  }
  Shape shape(size_t i) const { return values_[i].shape(); }

  /// Adds a step if the op drawn applies; false to draw again.
  bool add_step(GradProgram &p) {
    size_t a = any_value(), b = any_value();
    Shape sa = shape(a), sb = shape(b);
    int rank = int(sa.size());
    std::string va = "v" + std::to_string(a), vb = "v" + std::to_string(b);
    GradProgram::Step step;
    std::string text;
    bool reads_b = false;
    switch (pick(0, 13)) {
    case 0:
    case 1: { // unary, bounded on any input
      static const std::vector<
          std::pair<const char *, std::function<T(const T &)>>>
          ops{{"tanh", [](const T &x) { return ej::tanh(x); }},
              {"sigmoid", [](const T &x) { return ej::sigmoid(x); }},
              {"sin", [](const T &x) { return ej::sin(x); }},
              {"cos", [](const T &x) { return ej::cos(x); }},
              {"exp(tanh)", [](const T &x) { return ej::exp(ej::tanh(x)); }},
              {"0.5*square", [](const T &x) { return ej::square(x) * 0.5; }},
              {"log(square+1)",
               [](const T &x) { return ej::log(ej::square(x) + 1.0); }},
              {"sqrt(square+1)",
               [](const T &x) { return ej::sqrt(ej::square(x) + 1.0); }},
              {"rsqrt(square+1)",
               [](const T &x) { return ej::rsqrt(ej::square(x) + 1.0); }},
              {"erf", [](const T &x) { return ej::erf(x); }},
              {"abs", [](const T &x) { return ej::abs(x); }},
              {"relu", [](const T &x) { return ej::relu(x); }},
              {"neg", [](const T &x) { return -x; }},
              {"2x-1", [](const T &x) { return x * 2.0 - 1.0; }}};
      const auto &[name, f] = ops[size_t(pick(0, int(ops.size()) - 1))];
      auto fn = f;
      step = [a, fn](const V &v) { return fn(v[a]); };
      text = std::string(name) + "(" + va + ")";
      break;
    }
    case 2:
    case 3: { // binary with broadcasting
      if (!broadcastable(sa, sb))
        return false;
      static const std::vector<
          std::pair<const char *, std::function<T(const T &, const T &)>>>
          ops{{"add", [](const T &x, const T &y) { return x + y; }},
              {"sub", [](const T &x, const T &y) { return x - y; }},
              {"mul", [](const T &x, const T &y) { return x * y; }},
              {"div(x, y*y+1)",
               [](const T &x, const T &y) { return x / (y * y + 1.0); }},
              {"maximum",
               [](const T &x, const T &y) { return ej::maximum(x, y); }},
              {"minimum",
               [](const T &x, const T &y) { return ej::minimum(x, y); }},
              {"pow(x*x+1, tanh(y))",
               [](const T &x, const T &y) {
                 return ej::pow(x * x + 1.0, ej::tanh(y));
               }},
              {"where(x > y, x, 2y)", [](const T &x, const T &y) {
                 return ej::where(x > y, x, y * 2.0);
               }}};
      const auto &[name, f] = ops[size_t(pick(0, int(ops.size()) - 1))];
      auto fn = f;
      step = [a, b, fn](const V &v) { return fn(v[a], v[b]); };
      reads_b = true;
      text = std::string(name) + "(" + va + ", " + vb + ")";
      break;
    }
    case 4: { // a reduction over some axes (none listed: all of them)
      std::vector<int64_t> axes;
      for (int d = 0; d < rank; ++d)
        if (chance(0.5))
          axes.push_back(chance(0.3) ? d - rank : d);
      bool keep = chance(0.5);
      static const std::vector<std::pair<
          const char *, std::function<T(const T &, ej::IntList, bool)>>>
          ops{{"reduce_sum", [](const T &x, ej::IntList ax,
                                bool k) { return ej::reduce_sum(x, ax, k); }},
              {"reduce_mean", [](const T &x, ej::IntList ax,
                                 bool k) { return ej::reduce_mean(x, ax, k); }},
              {"reduce_max", [](const T &x, ej::IntList ax,
                                bool k) { return ej::reduce_max(x, ax, k); }},
              {"reduce_min", [](const T &x, ej::IntList ax,
                                bool k) { return ej::reduce_min(x, ax, k); }},
              {"reduce_prod(tanh)", [](const T &x, ej::IntList ax, bool k) {
                 return ej::reduce_prod(ej::tanh(x), ax, k);
               }}};
      const auto &[name, f] = ops[size_t(pick(0, int(ops.size()) - 1))];
      auto fn = f;
      step = [a, fn, axes, keep](const V &v) { return fn(v[a], axes, keep); };
      text = std::string(name) + "(" + va + ", axes " + str(axes) +
             (keep ? ", keepdims)" : ")");
      break;
    }
    case 5: { // transpose
      if (rank < 2)
        return false;
      std::vector<int64_t> perm = axes_of(rank);
      std::shuffle(perm.begin(), perm.end(), rng_);
      step = [a, perm](const V &v) { return ej::transpose(v[a], perm); };
      text = "transpose(" + va + ", " + str(perm) + ")";
      break;
    }
    case 6: { // reshape: flattened, or the first axis split in two
      Shape to{-1};
      if (rank >= 1 && sa[0] % 2 == 0 && sa[0] > 2 && chance(0.5)) {
        to = sa;
        to[0] = 2;
        to.insert(to.begin() + 1, sa[0] / 2);
      }
      step = [a, to](const V &v) { return ej::reshape(v[a], to); };
      text = "reshape(" + va + ", " + str(to) + ")";
      break;
    }
    case 7: { // matmul of two values whose shapes fit, or of one with itself
      if (rank < 2)
        return false;
      Shape tb = sb;
      bool fits = tb.size() >= 2 && tb[tb.size() - 2] == sa.back() &&
                  sa.size() == tb.size();
      for (size_t d = 0; fits && d + 2 < sa.size(); ++d)
        fits = sa[d] == tb[d] || sa[d] == 1 || tb[d] == 1;
      if (fits) {
        step = [a, b](const V &v) { return ej::matmul(v[a], v[b]); };
        reads_b = true;
        text = "matmul(" + va + ", " + vb + ")";
      } else {
        std::vector<int64_t> perm = axes_of(rank);
        std::swap(perm[size_t(rank - 1)], perm[size_t(rank - 2)]);
        step = [a, perm](const V &v) {
          return ej::matmul(v[a], ej::transpose(v[a], perm));
        };
        text = "matmul(" + va + ", " + va + "^T)";
      }
      break;
    }
    case 8: { // softmax or log_softmax over an axis
      if (rank < 1)
        return false;
      int64_t axis = pick(-rank, rank - 1);
      bool log = chance(0.5);
      step = [a, axis, log](const V &v) {
        return log ? ej::nn::log_softmax(v[a], axis)
                   : ej::nn::softmax(v[a], axis);
      };
      text = std::string(log ? "log_softmax(" : "softmax(") + va + ", axis " +
             std::to_string(axis) + ")";
      break;
    }
    case 9: { // strided or reversed slices of the first axis
      if (rank < 1 || sa[0] < 2)
        return false;
      bool reverse = chance(0.5);
      step = [a, reverse](const V &v) {
        return reverse ? ej::slice(v[a],
                                   {ej::Slice(std::nullopt, std::nullopt, -1)})
                       : ej::slice(v[a], {ej::Slice(1, std::nullopt, 2)});
      };
      text = va + (reverse ? "[::-1]" : "[1::2]");
      break;
    }
    case 10: { // concat along an axis where the other dims agree
      if (rank < 1 || sb.size() != sa.size())
        return false;
      int64_t axis = pick(0, rank - 1);
      for (int d = 0; d < rank; ++d)
        if (d != axis && sa[size_t(d)] != sb[size_t(d)])
          return false;
      step = [a, b, axis](const V &v) {
        return ej::concat({v[a], v[b]}, axis);
      };
      reads_b = true;
      text =
          "concat(" + va + ", " + vb + ", axis " + std::to_string(axis) + ")";
      break;
    }
    case 11: { // a new axis, then broadcast along it
      if (rank >= 4)
        return false;
      int64_t axis = pick(0, rank);
      Shape to = sa;
      to.insert(to.begin() + axis, 3);
      step = [a, axis, to](const V &v) {
        return ej::broadcast_to(ej::expand_dims(v[a], axis), to);
      };
      text = "broadcast_to(expand_dims(" + va + ", " + std::to_string(axis) +
             "), " + str(to) + ")";
      break;
    }
    case 12: { // layer_norm over the last axis, or gather along the first
      if (rank < 1 || sa.back() < 2)
        return false;
      if (chance(0.5)) {
        int64_t n = sa.back();
        T gamma = gradcheck::input({n}, unsigned(values_.size()), 0.5, 1.5);
        T beta = gradcheck::input({n}, unsigned(values_.size()) + 7);
        step = [a, gamma, beta](const V &v) {
          return ej::nn::layer_norm(v[a], gamma, beta);
        };
        text = "layer_norm(" + va + ")";
      } else {
        // Repeated and negative indices: their cotangents add up.
        int64_t n = sa[0];
        T idx = ej::constant(std::vector<int32_t>{0, int32_t(n - 1), -1, 0},
                             {4}, ej::int32);
        step = [a, idx](const V &v) { return ej::gather(v[a], idx, 0); };
        text = "gather(" + va + ", [0, " + std::to_string(n - 1) + ", -1, 0])";
      }
      break;
    }
    default: { // pad with a constant
      if (rank < 1)
        return false;
      std::vector<std::pair<int64_t, int64_t>> pads(size_t(rank), {0, 0});
      pads[size_t(pick(0, rank - 1))] = {pick(0, 2), pick(1, 2)};
      step = [a, pads](const V &v) { return ej::pad(v[a], pads, 0.5); };
      text = "pad(" + va + ", 0.5)";
      break;
    }
    }
    T value;
    try {
      value = step(values_);
    } catch (const ej::Error &e) {
      ADD_FAILURE() << "the generator made an invalid step " << text << ": "
                    << e.what();
      return false;
    }
    if (value.size() > 96) // keeps finite differences cheap
      return false;
    values_.push_back(value);
    p.steps.push_back(std::move(step));
    p.text.push_back(text);
    p.used.resize(values_.size() - 1, false);
    p.used[a] = true;
    if (reads_b)
      p.used[b] = true;
    return true;
  }

  std::mt19937 rng_;
  V values_;
};

/// Program `seed` and its inputs (made with the JIT off: the generator
/// runs every op once).
GradProgram make_program(unsigned seed, std::vector<T> &inputs) {
  return ejtest::without_jit([&] {
    GradProgram p = Generator(seed).make(seed);
    for (size_t i = 0; i < p.inputs.size(); ++i)
      inputs.push_back(
          gradcheck::input(p.inputs[i], seed * 31 + unsigned(i + 1)));
    if (std::getenv("EJ_FUZZ_PRINT"))
      std::cerr << p.describe(seed);
    return p;
  });
}

TEST(GradFuzz,
     RandomProgramsMatchFiniteDifferencesAndCompileToTheSameGradient) {
  int programs = env_int("EJ_FUZZ_PROGRAMS", 40);
  unsigned first = unsigned(env_int("EJ_FUZZ_SEED", 1));
  uint64_t compiled = 0;
  for (unsigned seed = first; seed < first + unsigned(programs); ++seed) {
    std::vector<T> inputs;
    GradProgram p = make_program(seed, inputs);
    SCOPED_TRACE(p.describe(seed));
    auto grads = [&] {
      ej::GradientTape tape;
      for (const T &x : inputs)
        tape.watch(x);
      return tape.gradient(p(inputs), inputs);
    };
    std::vector<T> want = ejtest::without_jit([&] {
      gradcheck::check([&](const V &xs) { return p(xs); }, inputs, 1e-5);
      return grads();
    });
    if (::testing::Test::HasFailure())
      break; // the first program that fails is the one to read
    // Hot: the forward and gradient programs compile; the third replay and
    // later run compiled.
    std::vector<T> got;
    ej::jit::Stats s;
    {
      ejtest::JitScope jit(ej::detail::cpu_compiler());
      for (int i = 0; i < 4; ++i) {
        ej::Step step;
        got = grads();
      }
      s = ej::jit::stats();
    }
    EXPECT_EQ(s.regions_failed, 0u);
    compiled += s.ops_compiled;
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE("gradient " + std::to_string(i));
      ref::expect_close(ref::values(got[i]), ref::values(want[i]), 1e-9, 1e-9);
    }
    if (::testing::Test::HasFailure())
      break;
  }
  // Most gradient programs ran compiled at least once.
  EXPECT_GT(compiled, 0u);
}

// Gradient programs are differentiable again: the gradient of
// sum(grad f(x) * w) is a Hessian-vector product, checked against central
// differences of the first gradient.
TEST(GradFuzz, SecondDerivativesMatchFiniteDifferencesOfTheGradient) {
  int programs = env_int("EJ_FUZZ_PROGRAMS", 20);
  unsigned first = unsigned(env_int("EJ_FUZZ_SEED", 1));
  for (unsigned seed = first; seed < first + unsigned(programs); ++seed) {
    std::vector<T> inputs;
    GradProgram p = make_program(seed, inputs);
    SCOPED_TRACE(p.describe(seed));
    std::vector<T> weights;
    for (size_t i = 0; i < inputs.size(); ++i)
      weights.push_back(
          gradcheck::input(p.inputs[i], seed * 37 + unsigned(i), 0.5, 1.5));
    ejtest::without_jit([&] {
      gradcheck::check(
          [&](const V &xs) {
            ej::GradientTape tape;
            for (const T &x : xs)
              tape.watch(x);
            std::vector<T> g = tape.gradient(p(xs), xs);
            T dot = ej::reduce_sum(g[0] * weights[0]);
            for (size_t i = 1; i < g.size(); ++i)
              dot = dot + ej::reduce_sum(g[i] * weights[i]);
            return dot;
          },
          inputs, 1e-5);
      return 0;
    });
    if (::testing::Test::HasFailure())
      break;
  }
}

} // namespace
