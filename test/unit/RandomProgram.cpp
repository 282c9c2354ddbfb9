//===- RandomProgram.cpp - Random eager programs for the JIT's tests -----===//
#include "test/unit/RandomProgram.h"
#include "test/unit/JitHarness.h"
#include "test/unit/Reference.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

namespace ejtest::fuzz {

using ej::DType;
using ej::Tensor;

int mantissa(DType t) { return t == ej::float64 ? 53 : 24; }
double eps(DType t) { return std::ldexp(1.0, -mantissa(t)); }

namespace {

enum Unary {
  Neg,
  Abs,
  Relu,
  Square,
  Exp,
  Log1p,
  Sqrt1p,
  Rsqrt1p,
  Tanh,
  Sigmoid,
  Sin,
  Cos,
  Erf,
  Floor,
  Sign,
  NumUnary
};
const char *const kUnaryNames[] = {
    "neg",        "abs",         "relu",         "square", "exp",
    "log(|x|+1)", "sqrt(|x|+1)", "rsqrt(|x|+1)", "tanh",   "sigmoid",
    "sin",        "cos",         "erf",          "floor",  "sign"};
enum Binary { Add, Sub, Mul, Div, Max, Min, NumBinary };
const char *const kBinaryNames[] = {"add",           "sub",     "mul",
                                    "div(a, |b|+1)", "maximum", "minimum"};
enum Compare { Less, Greater, Equal, NotEqual, NumCompare };
const char *const kCompareNames[] = {"less", "greater", "equal", "not_equal"};
enum Reduce { Sum, Mean, RMax, RMin, NumReduce };
const char *const kReduceNames[] = {"reduce_sum", "reduce_mean", "reduce_max",
                                    "reduce_min"};

Info exact_info(DType t, double bound, int frac) {
  Info i;
  i.dtype = t;
  i.bound = bound;
  i.exact = true;
  i.frac = frac;
  return i;
}

bool fits(const Info &v) {
  if (v.dtype == ej::bool_)
    return true;
  if (ej::is_integer(v.dtype))
    return v.bound < (v.dtype == ej::int32 ? 2147483648.0 : 9007199254740992.0);
  return v.bound * std::ldexp(1.0, v.frac) <=
         std::ldexp(1.0, mantissa(v.dtype));
}

std::string shape_text(const Shape &s) {
  std::string t = "(";
  for (size_t i = 0; i < s.size(); ++i)
    t += (i ? "," : "") + std::to_string(s[i]);
  return t + ")";
}

// The op's result; `var` is the program's variable (Kind::Random draws
// from the thread's generator).
Tensor apply_op(const Op &op, const std::vector<Tensor> &v) {
  auto a = [&](size_t i) -> const Tensor & { return v[size_t(op.args[i])]; };
  switch (op.kind) {
  case Kind::Unary:
    switch (op.code) {
    case Neg:
      return -a(0);
    case Abs:
      return ej::abs(a(0));
    case Relu:
      return ej::relu(a(0));
    case Square:
      return ej::square(a(0));
    case Exp:
      return ej::exp(a(0));
    case Log1p:
      return ej::log(ej::abs(a(0)) + 1);
    case Sqrt1p:
      return ej::sqrt(ej::abs(a(0)) + 1);
    case Rsqrt1p:
      return ej::rsqrt(ej::abs(a(0)) + 1);
    case Tanh:
      return ej::tanh(a(0));
    case Sigmoid:
      return ej::sigmoid(a(0));
    case Sin:
      return ej::sin(a(0));
    case Cos:
      return ej::cos(a(0));
    case Erf:
      return ej::erf(a(0));
    case Floor:
      return ej::floor(a(0));
    case Sign:
      return ej::sign(a(0));
    }
    break;
  case Kind::Binary:
  case Kind::Scalar: {
    Tensor x = a(0);
    Tensor y = op.kind == Kind::Scalar ? Tensor(op.scalar) : a(1);
    switch (op.code) {
    case Add:
      return x + y;
    case Sub:
      return x - y;
    case Mul:
      return x * y;
    case Div:
      return x / (ej::abs(y) + 1);
    case Max:
      return ej::maximum(x, y);
    case Min:
      return ej::minimum(x, y);
    }
    break;
  }
  case Kind::Compare:
    switch (op.code) {
    case Less:
      return a(0) < a(1);
    case Greater:
      return a(0) > a(1);
    case Equal:
      return a(0) == a(1);
    case NotEqual:
      return a(0) != a(1);
    }
    break;
  case Kind::Select:
    return ej::where(a(0), a(1), a(2));
  case Kind::Logical:
    return op.args.size() == 1 ? !a(0)
           : op.code == 0      ? a(0) && a(1)
                               : a(0) || a(1);
  case Kind::Cast:
    return ej::cast(a(0), op.dtype);
  case Kind::Reduce:
    switch (op.code) {
    case Sum:
      return ej::reduce_sum(a(0), op.ints, op.keepdims);
    case Mean:
      return ej::reduce_mean(a(0), op.ints, op.keepdims);
    case RMax:
      return ej::reduce_max(a(0), op.ints, op.keepdims);
    case RMin:
      return ej::reduce_min(a(0), op.ints, op.keepdims);
    }
    break;
  case Kind::ArgMax:
    return ej::argmax(a(0), op.axis);
  case Kind::MatMul:
    return ej::matmul(a(0), a(1));
  case Kind::Reshape:
    return ej::reshape(a(0), op.ints);
  case Kind::Transpose:
    return ej::transpose(a(0), op.ints);
  case Kind::Slice:
    return ej::slice(a(0), op.index);
  case Kind::Concat:
    return ej::concat({a(0), a(1)}, op.axis);
  case Kind::Broadcast:
    return ej::broadcast_to(a(0), op.ints);
  case Kind::ExpandDims:
    return ej::expand_dims(a(0), op.axis);
  case Kind::Random:
    return ej::random_uniform(op.ints, op.dtype, -1, 1);
  }
  ADD_FAILURE() << "unknown op";
  return Tensor();
}

// Whether `from` broadcasts to `to`.
bool broadcasts_to(const Shape &from, const Shape &to) {
  if (from.size() > to.size())
    return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != 1 && f != t)
      return false;
  }
  return true;
}

class Generator {
public:
  explicit Generator(unsigned seed) : rng_(seed) { p_.seed = seed; }

  Program make() {
    p_.steps = coin(0.5);
    p_.observe_setup = !p_.steps && coin(0.5);
    // A plain loop is cut where the first op of the current region comes
    // again. Unless an observation ends the set-up, that op is the set-up's
    // (the variable's creation) and the region grows to the length cap
    // before the loop's own period shows: more iterations.
    p_.iterations = p_.steps ? 5 : p_.observe_setup ? 10 : 30;
    // A base shape; now and then one large enough for the kernels' OpenMP
    // threads and vector loops.
    if (coin(0.1)) {
      base_ = {300, 256};
    } else {
      int rank = pick(0, 3);
      for (int i = 0; i < rank; ++i)
        base_.push_back(pick_of<int64_t>({1, 2, 3, 4, 5, 7, 8, 16}));
    }
    DType state_type = coin(0.7) ? ej::float32 : ej::float64;
    Info carried;
    carried.shape = base_;
    carried.dtype = state_type;
    carried.bound = 1;
    carried.gain = 1;
    p_.state = add_value(carried);
    p_.var = add_value(carried);
    for (int i = 0, n = pick(1, 3); i < n; ++i)
      add_input(variant(base_), random_dtype());
    p_.first_op = int(p_.values.size());
    for (int i = 0, n = pick(4, 14); i < n; ++i)
      for (int tries = 0; tries < 20 && !add_op(); ++tries) {
      }
    p_.carry_state = carry(state_type);
    p_.carry_var = carry(state_type);
    p_.outputs.push_back(int(p_.values.size()) - 1);
    for (int i = 0, n = pick(0, 2); i < n; ++i)
      p_.outputs.push_back(pick(p_.first_op, int(p_.values.size()) - 1));
    return p_;
  }

private:
  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  int pick(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  template <class T> T pick_of(std::initializer_list<T> items) {
    return *(items.begin() + pick(0, int(items.size()) - 1));
  }
  DType random_dtype() {
    return pick_of({ej::float32, ej::float32, ej::float64, ej::int32, ej::int64,
                    ej::bool_});
  }
  // A shape that broadcasts with `s`: itself, some axes 1, or a suffix.
  Shape variant(const Shape &s) {
    Shape v = s;
    if (coin(0.3) && !v.empty())
      v.erase(v.begin(), v.begin() + pick(1, int(v.size())));
    for (int64_t &d : v)
      if (coin(0.25))
        d = 1;
    return v;
  }
  int add_value(Info info) {
    p_.values.push_back(info);
    probes_.push_back(ej::zeros(info.shape, info.dtype));
    return int(p_.values.size()) - 1;
  }
  // An input made before the loop: multiples of 1/8 in [-4, 4], integers
  // in [-5, 5], fair bools.
  int add_input(const Shape &shape, DType dtype) {
    int64_t n = ref::numel(shape);
    std::vector<double> data(size_t(n), 0.0);
    for (double &x : data)
      x = dtype == ej::bool_      ? double(pick(0, 1))
          : ej::is_integer(dtype) ? double(pick(-5, 5))
                                  : pick(-32, 32) / 8.0;
    double bound = dtype == ej::bool_ ? 1 : ej::is_integer(dtype) ? 5 : 4;
    int frac = ej::is_floating(dtype) ? 3 : 0;
    // Inputs are made before the loop: they are values, not ops.
    p_.inputs.push_back(std::move(data));
    Info info = exact_info(dtype, bound, frac);
    info.shape = shape;
    int id = add_value(info);
    // Keep inputs before the first op: move it there when ops exist.
    if (p_.first_op > 0 && id >= p_.first_op)
      return move_input_before_ops(id);
    return id;
  }
  // Inputs live at [0, first_op): an input needed later (a matmul's or a
  // concat's second operand) is inserted there and the ops renumbered.
  int move_input_before_ops(int id) {
    Info info = p_.values[size_t(id)];
    Tensor probe = probes_[size_t(id)];
    p_.values.pop_back();
    probes_.pop_back();
    int at = p_.first_op;
    p_.values.insert(p_.values.begin() + at, info);
    probes_.insert(probes_.begin() + at, probe);
    for (Op &op : p_.ops)
      for (int &a : op.args)
        if (a >= at)
          ++a;
    ++p_.first_op;
    return at;
  }
  int numeric_value(bool exact_only = false) {
    std::vector<int> ids;
    for (int i = 0; i < int(p_.values.size()); ++i)
      if (p_.values[size_t(i)].dtype != ej::bool_ &&
          (!exact_only || p_.values[size_t(i)].exact))
        ids.push_back(i);
    return ids.empty() ? -1 : recent(ids);
  }
  // Recent values more often: chains rather than fans.
  int recent(const std::vector<int> &ids) {
    if (coin(0.5))
      return ids.back();
    return ids[size_t(pick(0, int(ids.size()) - 1))];
  }
  int partner(int a, bool exact_only, bool numeric = true) {
    std::vector<int> ids;
    for (int i = 0; i < int(p_.values.size()); ++i) {
      const Info &v = p_.values[size_t(i)];
      if ((numeric && v.dtype == ej::bool_) || (exact_only && !v.exact))
        continue;
      Shape out = ref::broadcast(p_.values[size_t(a)].shape, v.shape);
      if (broadcasts_to(v.shape, out) &&
          broadcasts_to(p_.values[size_t(a)].shape, out))
        ids.push_back(i);
    }
    return ids.empty() ? -1 : recent(ids);
  }
  int of_dtype(DType t) {
    std::vector<int> ids;
    for (int i = 0; i < int(p_.values.size()); ++i)
      if (p_.values[size_t(i)].dtype == t)
        ids.push_back(i);
    return ids.empty() ? -1 : recent(ids);
  }

  // Adds one random op; false when the one drawn does not apply.
  bool add_op() {
    Op op;
    op.kind = Kind(pick(0, int(Kind::Random)));
    Info info;
    double ulps = 0; // the op's own rounding, in ulps of its bound
    const std::vector<Info> &v = p_.values;
    auto arg = [&](size_t i) -> const Info & { return v[size_t(op.args[i])]; };
    // The error of f(x) where |f'| <= d.
    auto through = [&](const Info &x, double d) {
      info.err = d * x.err;
      info.gain = d * x.gain;
    };
    switch (op.kind) {
    case Kind::Unary: {
      op.code = pick(0, NumUnary - 1);
      bool discontinuous = op.code == Floor || op.code == Sign;
      int x = numeric_value(discontinuous);
      if (x < 0)
        return false;
      op.args = {x};
      const Info &a = arg(0);
      if ((op.code == Exp && a.bound > 5) ||
          ((op.code == Sin || op.code == Cos) && a.bound > 100) ||
          ((op.code == Floor || op.code == Sign) && !ej::is_floating(a.dtype)))
        return false;
      info = a;
      info.exact = false;
      ulps = 8; // transcendentals: polynomials against libm
      switch (op.code) {
      case Neg:
      case Abs:
      case Relu:
        info.exact = a.exact;
        ulps = 0;
        break;
      case Square:
        info.bound = a.bound * a.bound;
        info.frac = 2 * a.frac;
        info.exact = a.exact;
        through(a, 2 * a.bound);
        ulps = 1;
        break;
      case Exp:
        info.bound = std::exp(a.bound);
        through(a, info.bound);
        break;
      case Log1p:
        info.bound = std::log(a.bound + 1);
        break;
      case Sqrt1p:
        info.bound = std::sqrt(a.bound + 1);
        through(a, 0.5);
        break;
      case Rsqrt1p:
        info.bound = 1;
        through(a, 0.5);
        break;
      case Sin:
      case Cos:
        info.bound = 1;
        info.err += ulps * eps(a.dtype) * a.bound; // range reduction
        break;
      case Erf:
        info.bound = 1;
        through(a, M_2_SQRTPI); // |erf'| <= 2 / sqrt(pi)
        break;
      case Floor:
      case Sign:
        info.bound = a.bound + 1;
        info.frac = 0;
        info.exact = true;
        break;
      default: // tanh, sigmoid: |f'| <= 1
        info.bound = 1;
        break;
      }
      break;
    }
    case Kind::Binary:
    case Kind::Scalar: {
      op.code = pick(0, NumBinary - 1);
      int x = numeric_value();
      if (x < 0)
        return false;
      op.args = {x};
      Info b;
      if (op.kind == Kind::Scalar) {
        op.scalar = pick_of({-2.0, -1.5, -0.5, 0.25, 0.5, 0.75, 1.0, 2.0, 3.0});
        b = exact_info(ej::float32, std::fabs(op.scalar),
                       op.scalar == std::floor(op.scalar) ? 0 : 2);
      } else {
        int y = partner(x, false);
        if (y < 0)
          return false;
        op.args.push_back(y);
        b = arg(1);
      }
      const Info &a = arg(0);
      info.exact = a.exact && b.exact;
      info.frac = std::max(a.frac, b.frac);
      ulps = 1;
      switch (op.code) {
      case Add:
      case Sub:
        info.bound = a.bound + b.bound;
        info.err = a.err + b.err;
        info.gain = a.gain + b.gain;
        break;
      case Mul:
        info.bound = a.bound * b.bound;
        info.frac = a.frac + b.frac;
        info.err = a.err * b.bound + b.err * a.bound;
        info.gain = a.gain * b.bound + b.gain * a.bound;
        break;
      case Div: // a / (|b| + 1)
        info.bound = a.bound;
        info.exact = false;
        info.err = a.err + a.bound * b.err;
        info.gain = a.gain + a.bound * b.gain;
        ulps = 2;
        break;
      default:
        info.bound = std::max(a.bound, b.bound);
        info.err = std::max(a.err, b.err);
        info.gain = std::max(a.gain, b.gain);
        ulps = 0;
        break;
      }
      break;
    }
    case Kind::Compare: {
      op.code = pick(0, NumCompare - 1);
      int x = numeric_value(true);
      if (x < 0)
        return false;
      int y = partner(x, true);
      if (y < 0)
        return false;
      op.args = {x, y};
      info = exact_info(ej::bool_, 1, 0);
      break;
    }
    case Kind::Select: {
      int c = of_dtype(ej::bool_);
      if (c < 0)
        return false;
      int x = partner(c, false);
      if (x < 0)
        return false;
      int y = partner(x, false);
      if (y < 0)
        return false;
      op.args = {c, x, y};
      const Info &a = arg(1), &b = arg(2);
      info.bound = std::max(a.bound, b.bound);
      info.exact = a.exact && b.exact;
      info.frac = std::max(a.frac, b.frac);
      info.err = std::max(a.err, b.err);
      info.gain = std::max(a.gain, b.gain);
      break;
    }
    case Kind::Logical: {
      int x = of_dtype(ej::bool_);
      if (x < 0)
        return false;
      op.args = {x};
      if (coin(0.7)) {
        int y = partner(x, false, false);
        if (y < 0 || v[size_t(y)].dtype != ej::bool_)
          return false;
        op.args.push_back(y);
        op.code = pick(0, 1);
      }
      info = exact_info(ej::bool_, 1, 0);
      break;
    }
    case Kind::Cast: {
      int x = pick(0, int(v.size()) - 1);
      op.args = {x};
      op.dtype = random_dtype();
      const Info &a = arg(0);
      info = a;
      ulps = 1;
      if (a.dtype == ej::bool_) {
        info.bound = 1;
        info.exact = true;
      } else if (!ej::is_floating(op.dtype) && ej::is_floating(a.dtype)) {
        if (!a.exact || a.bound >= 1e9)
          return false; // truncation where the paths' roundings differ
        info.frac = 0;
      }
      break;
    }
    case Kind::Reduce: {
      op.code = pick(0, NumReduce - 1);
      int x = numeric_value();
      if (x < 0)
        return false;
      op.args = {x};
      const Info &a = arg(0);
      int64_t n = 1;
      for (int d = 0; d < int(a.shape.size()); ++d)
        if (coin(0.5)) {
          op.ints.push_back(d);
          n *= a.shape[size_t(d)];
        }
      if (op.ints.empty())
        n = ref::numel(a.shape); // no axes: all of them
      op.keepdims = coin(0.5);
      info = a;
      // Sums in another order: about sqrt(n) roundings of the sum.
      ulps = 2 * std::sqrt(double(n)) + 1;
      if (op.code == Sum) {
        info.bound = a.bound * double(n);
        info.err = a.err * double(n);
        info.gain = a.gain * double(n);
      } else if (op.code == Mean) {
        info.exact = false;
      } else {
        ulps = 0;
      }
      break;
    }
    case Kind::ArgMax: {
      int x = numeric_value(true);
      if (x < 0 || v[size_t(x)].shape.empty())
        return false;
      op.args = {x};
      op.axis = pick(0, int(v[size_t(x)].shape.size()) - 1);
      info =
          exact_info(ej::int64, double(v[size_t(x)].shape[size_t(op.axis)]), 0);
      break;
    }
    case Kind::MatMul: {
      int x = numeric_value();
      if (x < 0 || v[size_t(x)].shape.size() < 2 ||
          !ej::is_floating(v[size_t(x)].dtype))
        return false;
      Shape s = v[size_t(x)].shape;
      int64_t k = s.back();
      Shape other(s.begin(), s.end() - 2);
      other.push_back(k);
      other.push_back(pick_of<int64_t>({1, 3, 4, 8}));
      int y = add_input(other, v[size_t(x)].dtype);
      if (x >= y)
        ++x; // renumbered
      op.args = {x, y};
      const Info &a = arg(0), &b = arg(1);
      double kd = double(k);
      info = a;
      info.bound = kd * a.bound * b.bound;
      info.frac = a.frac + b.frac;
      info.exact = a.exact && b.exact;
      info.err = kd * (a.err * b.bound + b.err * a.bound);
      info.gain = kd * (a.gain * b.bound + b.gain * a.bound);
      ulps = 2 * std::sqrt(kd) + 1;
      break;
    }
    case Kind::Reshape: {
      int x = pick(0, int(v.size()) - 1);
      op.args = {x};
      int64_t n = ref::numel(v[size_t(x)].shape);
      // A random factorization of n.
      Shape shape;
      int64_t rest = n;
      for (int64_t f : {2, 3, 5, 7, 4, 8, 16})
        while (rest % f == 0 && coin(0.6)) {
          shape.push_back(f);
          rest /= f;
        }
      shape.push_back(rest);
      std::shuffle(shape.begin(), shape.end(), rng_);
      if (coin(0.3))
        shape[size_t(pick(0, int(shape.size()) - 1))] = -1;
      op.ints = shape;
      info = arg(0);
      break;
    }
    case Kind::Transpose: {
      int x = pick(0, int(v.size()) - 1);
      if (v[size_t(x)].shape.size() < 2)
        return false;
      op.args = {x};
      for (int d = 0; d < int(v[size_t(x)].shape.size()); ++d)
        op.ints.push_back(d);
      std::shuffle(op.ints.begin(), op.ints.end(), rng_);
      info = arg(0);
      break;
    }
    case Kind::Slice: {
      int x = pick(0, int(v.size()) - 1);
      if (v[size_t(x)].shape.empty())
        return false;
      op.args = {x};
      for (int64_t d : v[size_t(x)].shape) {
        if (d > 1 && coin(0.2)) {
          op.index.push_back(ej::Index(int64_t(pick(0, int(d) - 1))));
          continue;
        }
        int64_t start = pick(0, int(d) - 1);
        int64_t stop = pick(int(start) + 1, int(d));
        op.index.push_back(ej::Slice(start, stop, coin(0.3) ? 2 : 1));
      }
      info = arg(0);
      break;
    }
    case Kind::Concat: {
      int x = pick(0, int(v.size()) - 1);
      if (v[size_t(x)].shape.empty())
        return false;
      Shape s = v[size_t(x)].shape;
      op.axis = pick(0, int(s.size()) - 1);
      s[size_t(op.axis)] = pick(1, 4);
      int y = add_input(s, v[size_t(x)].dtype);
      if (x >= y)
        ++x;
      op.args = coin(0.5) ? std::vector<int>{x, y} : std::vector<int>{y, x};
      const Info &a = v[size_t(x)], &b = v[size_t(y)];
      info = a;
      info.bound = std::max(a.bound, b.bound);
      info.exact = a.exact && b.exact;
      info.frac = std::max(a.frac, b.frac);
      break;
    }
    case Kind::Broadcast: {
      int x = pick(0, int(v.size()) - 1);
      op.args = {x};
      Shape s = v[size_t(x)].shape;
      for (int64_t &d : s)
        if (d == 1)
          d = pick(1, 4);
      if (s.size() < 3 && coin(0.5))
        s.insert(s.begin(), pick(2, 3));
      op.ints = s;
      info = arg(0);
      break;
    }
    case Kind::ExpandDims: {
      int x = pick(0, int(v.size()) - 1);
      op.args = {x};
      op.axis = pick(0, int(v[size_t(x)].shape.size()));
      info = arg(0);
      break;
    }
    case Kind::Random: {
      op.ints = variant(base_);
      op.dtype = coin(0.7) ? ej::float32 : ej::float64;
      // Drawn at once on both paths: the same bits.
      info = exact_info(op.dtype, 1, mantissa(op.dtype));
      break;
    }
    }
    // Shape and dtype from the op itself, run on zeros with the JIT off.
    Tensor probe;
    try {
      probe = ejtest::without_jit([&] { return apply_op(op, probes_); });
    } catch (const ej::Error &) {
      return false; // shapes or dtypes the op refuses: draw another
    }
    info.shape = probe.shape();
    info.dtype = probe.dtype();
    if (info.dtype == ej::bool_) {
      info.bound = 1;
      info.frac = 0;
    }
    if (info.exact)
      for (int a : op.args)
        if (!fits(
                exact_info(info.dtype, v[size_t(a)].bound, v[size_t(a)].frac)))
          info.exact = false; // an operand rounds in the result's type
    if (info.exact && !fits(info))
      info.exact = false;
    if (!ej::is_floating(info.dtype) && !info.exact)
      return false; // integers that could overflow
    if (info.exact) {
      info.err = info.gain = 0;
    } else {
      info.err += ulps * eps(info.dtype) * info.bound;
      for (int a : op.args) // an f64 operand narrowed to f32
        if (v[size_t(a)].dtype == ej::float64 && info.dtype == ej::float32)
          info.err += eps(ej::float32) * info.bound;
    }
    if (info.bound > 1e4 || ref::numel(info.shape) > 100000)
      return false;
    p_.ops.push_back(op);
    add_value(info);
    return true;
  }

  // A float value of the state's dtype that broadcasts to the base shape:
  // tanh of it is added to the state.
  int carry(DType dtype) {
    int last = int(p_.values.size()) - 1;
    std::vector<int> ids;
    for (int i = p_.first_op; i <= last; ++i)
      if (p_.values[size_t(i)].dtype != ej::bool_ &&
          broadcasts_to(p_.values[size_t(i)].shape, base_))
        ids.push_back(i);
    int x = ids.empty() ? last : recent(ids);
    auto push = [&](Op op) {
      const Info &a = p_.values[size_t(op.args[0])];
      Info info = a;
      Tensor probe = ejtest::without_jit([&] { return apply_op(op, probes_); });
      info.shape = probe.shape();
      info.dtype = probe.dtype();
      info.exact = false;
      // A mean's sums, a cast's rounding.
      info.err += (2 * std::sqrt(double(ref::numel(a.shape))) + 2) *
                  eps(info.dtype) * info.bound;
      p_.ops.push_back(op);
      return add_value(info);
    };
    if (!broadcasts_to(p_.values[size_t(x)].shape, base_)) {
      Op mean;
      mean.kind = Kind::Reduce;
      mean.code = p_.values[size_t(x)].dtype == ej::bool_ ? Sum : Mean;
      mean.args = {x};
      if (p_.values[size_t(x)].dtype == ej::bool_) {
        Op cast;
        cast.kind = Kind::Cast;
        cast.dtype = dtype;
        cast.args = {x};
        mean.args = {push(cast)};
      }
      x = push(mean);
    }
    if (p_.values[size_t(x)].dtype != dtype) {
      Op cast;
      cast.kind = Kind::Cast;
      cast.dtype = dtype;
      cast.args = {x};
      x = push(cast);
    }
    return x;
  }

  std::mt19937 rng_;
  Program p_;
  Shape base_;
  std::vector<Tensor> probes_; // zeros of each value's type
};

} // namespace

std::string Program::describe() const {
  std::ostringstream os;
  os << "seed " << seed
     << (steps           ? ", Step scopes"
         : observe_setup ? ", a plain loop after an observation"
                         : ", a plain loop")
     << ", " << iterations << " iterations\n";
  for (size_t i = 0; i < values.size(); ++i) {
    const Info &v = values[i];
    os << "  v" << i << ": " << ej::dtype_name(v.dtype) << shape_text(v.shape)
       << (v.exact ? " exact" : "") << " = ";
    if (int(i) < first_op) {
      os << (int(i) == state ? "state"
             : int(i) == var ? "variable"
                             : "input")
         << "\n";
      continue;
    }
    const Op &op = ops[i - size_t(first_op)];
    static const char *const kinds[] = {
        "unary",       "binary",        "scalar", "compare", "select",
        "logical",     "cast",          "reduce", "argmax",  "matmul",
        "reshape",     "transpose",     "slice",  "concat",  "broadcast_to",
        "expand_dims", "random_uniform"};
    os << kinds[int(op.kind)];
    if (op.kind == Kind::Unary)
      os << " " << kUnaryNames[op.code];
    if (op.kind == Kind::Binary || op.kind == Kind::Scalar)
      os << " " << kBinaryNames[op.code];
    if (op.kind == Kind::Compare)
      os << " " << kCompareNames[op.code];
    if (op.kind == Kind::Reduce)
      os << " " << kReduceNames[op.code];
    for (int a : op.args)
      os << " v" << a;
    if (op.kind == Kind::Scalar)
      os << " " << op.scalar;
    if (!op.ints.empty())
      os << " " << shape_text(op.ints);
    if (op.kind == Kind::Reduce && op.keepdims)
      os << " keepdims";
    if (op.kind == Kind::Concat || op.kind == Kind::ArgMax ||
        op.kind == Kind::ExpandDims)
      os << " axis " << op.axis;
    if (op.kind == Kind::Cast || op.kind == Kind::Random)
      os << " " << ej::dtype_name(op.dtype);
    os << "\n";
  }
  os << "  carried: state += tanh(v" << carry_state << "), variable += tanh(v"
     << carry_var << "); observed:";
  for (int o : outputs)
    os << " v" << o;
  return os.str();
}

Program random_program(unsigned seed) { return Generator(seed).make(); }

// Runs `p`, returns its observed values, the state and the variable.
std::vector<std::vector<double>> run(const Program &p) {
  ej::set_seed(p.seed);
  std::vector<Tensor> inputs;
  ej::Variable var;
  Tensor state;
  size_t k = 0;
  for (int i = 0; i < p.first_op; ++i) {
    const Info &info = p.values[size_t(i)];
    if (i == p.state || i == p.var) {
      Tensor init = ej::random_uniform(info.shape, info.dtype, -1, 1);
      if (i == p.state)
        state = init;
      else
        var = ej::Variable(init, "v");
      inputs.emplace_back();
      continue;
    }
    inputs.push_back(ref::tensor(p.inputs[k++], info.shape, info.dtype));
  }
  if (p.observe_setup)
    ref::values(state);
  std::vector<Tensor> values;
  auto body = [&] {
    values = inputs;
    values[size_t(p.state)] = state;
    values[size_t(p.var)] = var.read();
    for (const Op &op : p.ops)
      values.push_back(apply_op(op, values));
    state = state * 0.5 + ej::tanh(values[size_t(p.carry_state)]) * 0.5;
    var.assign(var.read() * 0.75 +
               ej::tanh(values[size_t(p.carry_var)]) * 0.25);
  };
  for (int it = 0; it < p.iterations; ++it) {
    if (p.steps) {
      ej::Step step;
      body();
    } else {
      body();
    }
  }
  std::vector<std::vector<double>> out;
  for (int o : p.outputs)
    out.push_back(ref::values(values[size_t(o)]));
  out.push_back(ref::values(state));
  out.push_back(ref::values(var.read()));
  return out;
}

// E[k]: how far the carried state and variable of the two runs may be
// apart after k iterations.
std::vector<double> carried_errors(const Program &p) {
  const Info &cs = p.values[size_t(p.carry_state)];
  const Info &cv = p.values[size_t(p.carry_var)];
  double rounding = 8 * eps(p.values[size_t(p.state)].dtype); // tanh and all
  std::vector<double> e{0}; // the same draws start both
  for (int k = 0; k < p.iterations; ++k) {
    double now = e.back();
    e.push_back(std::max(0.5 * now + 0.5 * (cs.err + cs.gain * now),
                         0.75 * now + 0.25 * (cv.err + cv.gain * now)) +
                rounding);
  }
  return e;
}

} // namespace ejtest::fuzz
