//===- autodiff.h - Gradients of eager code -------------------------*- C++
//-*-===//
//
// Reverse-mode automatic differentiation in the style of TensorFlow's eager
// mode. The tape is the recorded trace: `gradient()` turns the records the
// tape saw into an ej function, differentiates it at the IR level (the
// `ej-autodiff` transformation, one VJP rule per op) and runs the gradient
// program like any other code -- so it is recorded on any outer tape, and
// higher derivatives are gradients of gradients:
//
//   auto f = [](ej::Tensor x) { return x * x; };
//   auto df = ej::gradients_function(f);
//   auto d2f = ej::gradients_function([&](ej::Tensor x) { return df(x)[0]; });
//   df(3.f)[0].item<float>();   // 6
//   d2f(3.f)[0].item<float>();  // 2
//
// A target that is not a scalar is summed first (its cotangent is ones).
// Only float32/float64 values are differentiable: an integer or bool target
// or source is an ej::Error; nothing flows back through integer or bool
// intermediates (casts, comparisons, argmax), nor through stop_gradient,
// floor, ceil and sign.
//
// Memory: a tape keeps every value recorded under it alive until it ends
// (or, when not persistent, until its gradient is taken); the gradient
// program reads only the values its VJP rules need.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_AUTODIFF_H
#define EJ_AUTODIFF_H

#include "ej/Tensor.h"
#include "ej/Variable.h"

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ej {

/// Records the calls of its thread while it lives (an RAII scope). Tapes
/// nest: every active tape records every call.
class GradientTape {
public:
  /// A persistent tape can compute gradients many times; otherwise once.
  explicit GradientTape(bool persistent = false);
  ~GradientTape();
  GradientTape(const GradientTape &) = delete;
  GradientTape &operator=(const GradientTape &) = delete;

  /// Makes `t`, a tensor made before the tape, a source gradients can be
  /// taken with respect to. Tensors made under the tape and trainable
  /// variables need no watch.
  void watch(const Tensor &t);
  /// Watches a variable that is not trainable.
  void watch(const Variable &v);

  /// d(sum of target)/d(source) for each source, each of its source's shape
  /// and dtype; zeros where the target does not depend on the source.
  std::vector<Tensor> gradient(const Tensor &target,
                               const std::vector<Tensor> &sources);
  Tensor gradient(const Tensor &target, const Tensor &source);
  /// The same with respect to variables (the gradient of a variable sums
  /// over all its reads).
  std::vector<Tensor> gradient(const Tensor &target,
                               const std::vector<Variable> &sources);

  /// The trainable (or watched) variables read under the tape, in order of
  /// first read.
  std::vector<Variable> watched_variables() const;

  /// Residual memory of the last gradient() call: the bytes of the distinct
  /// values the tape held then, and the bytes of those the gradient program
  /// read (the forward values its VJP rules need).
  struct Memory {
    size_t held_bytes = 0;
    size_t read_bytes = 0;
  };
  Memory last_gradient_memory() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

namespace detail {
/// An argument of a gradients_function call as a differentiable source: a
/// tensor of its own (distinct even when two arguments are the same tensor),
/// made under the tape. C++ floats become float32, doubles float64.
Tensor as_source(const Tensor &t);
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor as_source(T v) {
  return as_source(Tensor::from_vector(std::vector<T>{v}, {}));
}
inline Tensor as_source(const Variable &v) { return as_source(v.read()); }

template <class F, size_t... I>
Tensor call_on(F &f, const std::vector<Tensor> &xs, std::index_sequence<I...>) {
  return f(xs[I]...);
}

template <class F, class... Args>
std::pair<Tensor, std::vector<Tensor>> value_and_gradients(F &f,
                                                           Args &&...args) {
  GradientTape tape;
  std::vector<Tensor> xs{as_source(std::forward<Args>(args))...};
  Tensor y = call_on(f, xs, std::index_sequence_for<Args...>{});
  std::vector<Tensor> grads = tape.gradient(y, xs);
  return {y, std::move(grads)};
}

template <class F, class... Args>
std::pair<Tensor, std::vector<std::pair<Tensor, Variable>>>
implicit_value_and_gradients(F &f, Args &&...args) {
  GradientTape tape;
  Tensor y = f(std::forward<Args>(args)...);
  std::vector<Variable> vars = tape.watched_variables();
  std::vector<Tensor> grads = tape.gradient(y, vars);
  std::vector<std::pair<Tensor, Variable>> pairs;
  for (size_t i = 0; i < vars.size(); ++i)
    pairs.emplace_back(grads[i], vars[i]);
  return {y, std::move(pairs)};
}
} // namespace detail

/// `f` takes tensors and returns a scalar tensor. The result takes the same
/// number of arguments -- tensors, variables' values or C++ numbers -- and
/// returns d f / d argument for each.
template <class F> auto gradients_function(F f) {
  return [f](auto &&...args) mutable {
    return detail::value_and_gradients(f, std::forward<decltype(args)>(args)...)
        .second;
  };
}

/// Like gradients_function, returning (value of f, gradients):
/// `auto [value, grads] = ej::value_and_gradients_function(f)(w, b);`
template <class F> auto value_and_gradients_function(F f) {
  return [f](auto &&...args) mutable {
    return detail::value_and_gradients(f,
                                       std::forward<decltype(args)>(args)...);
  };
}

/// `f` takes anything and returns a scalar tensor; the result calls it and
/// returns (gradient, variable) for every trainable Variable that `f` read.
template <class F> auto implicit_gradients(F f) {
  return [f](auto &&...args) mutable {
    return detail::implicit_value_and_gradients(
               f, std::forward<decltype(args)>(args)...)
        .second;
  };
}

/// Like implicit_gradients, returning (value of f, the pairs).
template <class F> auto implicit_value_and_gradients(F f) {
  return [f](auto &&...args) mutable {
    return detail::implicit_value_and_gradients(
        f, std::forward<decltype(args)>(args)...);
  };
}

} // namespace ej

#endif // EJ_AUTODIFF_H
