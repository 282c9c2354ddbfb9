//===- data.h - Input pipelines (tf.data) and the IDX reader ----*- C++ -*-===//
//
// A Dataset is an immutable description of a stream of elements; each
// range-for over it makes a fresh iterator that pulls elements through the
// chain of transformations. An element is a std::vector<Tensor> (one tensor
// per component: images and labels are two):
//
//   auto ds = ej::data::Dataset::from_tensor_slices({images, labels})
//                 .shuffle(10000, /*seed=*/1)
//                 .batch(64)
//                 .prefetch(2);
//   for (const ej::data::Element &batch : ds)
//     train_step(batch[0], batch[1]);
//
// Functions given to map and filter take either the whole element or its
// components as separate tensors (`[](Tensor x, Tensor y) {...}`), and map's
// may return a Tensor, a std::vector<Tensor> or a pair/tuple of tensors.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_DATA_H
#define EJ_DATA_H

#include "ej/Tensor.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ej::data {

using Element = std::vector<Tensor>;

namespace detail {
struct Source;
struct Cursor;

template <class F, size_t... I>
auto apply_components(F &f, const Element &e, std::index_sequence<I...>) {
  return f(e[I]...);
}

template <class R> Element to_element(R &&r) {
  using T = std::decay_t<R>;
  if constexpr (std::is_same_v<T, Element>)
    return std::forward<R>(r);
  else if constexpr (std::is_convertible_v<T, Tensor>)
    return Element{Tensor(std::forward<R>(r))};
  else
    return std::apply([](auto &&...xs) { return Element{Tensor(xs)...}; },
                      std::forward<R>(r));
}

/// `f` as a function of a whole element: it takes the element itself, or
/// its N components as separate tensors (N = 1..4).
template <class F, class Out> std::function<Out(const Element &)> lift(F f) {
  auto convert = [](auto &&r) {
    if constexpr (std::is_same_v<Out, Element>)
      return to_element(std::forward<decltype(r)>(r));
    else
      return Out(std::forward<decltype(r)>(r));
  };
  if constexpr (std::is_invocable_v<F &, const Element &>) {
    return [f, convert](const Element &e) mutable { return convert(f(e)); };
  } else {
    return [f, convert](const Element &e) mutable -> Out {
      if constexpr (std::is_invocable_v<F &, const Tensor &>)
        if (e.size() == 1)
          return convert(apply_components(f, e, std::make_index_sequence<1>()));
      if constexpr (std::is_invocable_v<F &, const Tensor &, const Tensor &>)
        if (e.size() == 2)
          return convert(apply_components(f, e, std::make_index_sequence<2>()));
      if constexpr (std::is_invocable_v<F &, const Tensor &, const Tensor &,
                                        const Tensor &>)
        if (e.size() == 3)
          return convert(apply_components(f, e, std::make_index_sequence<3>()));
      if constexpr (std::is_invocable_v<F &, const Tensor &, const Tensor &,
                                        const Tensor &, const Tensor &>)
        if (e.size() == 4)
          return convert(apply_components(f, e, std::make_index_sequence<4>()));
      throw Error("Dataset: the function does not take an element of " +
                  std::to_string(e.size()) + " components");
    };
  }
}
} // namespace detail

class Dataset {
public:
  /// The slices of `t` along axis 0: one single-component element each.
  static Dataset from_tensor_slices(const Tensor &t);
  /// Elements of one slice of each tensor; all share their first axis.
  static Dataset from_tensor_slices(const std::vector<Tensor> &tensors);
  /// int64 scalars start, start + step, ... up to stop (excluded).
  static Dataset range(int64_t start, int64_t stop, int64_t step = 1);
  static Dataset range(int64_t stop) { return range(0, stop); }

  /// Applies `f` to each element (see the file comment for its forms).
  template <class F> Dataset map(F f) const {
    return map_elements(detail::lift<F, Element>(std::move(f)));
  }
  /// Keeps the elements for which `pred` is true (a bool or a one-element
  /// tensor).
  template <class F> Dataset filter(F pred) const {
    return filter_elements(detail::lift<F, bool>(std::move(pred)));
  }
  Dataset map_elements(std::function<Element(const Element &)> f) const;
  Dataset filter_elements(std::function<bool(const Element &)> pred) const;

  /// Picks each element at random from a buffer of the next `buffer_size`
  /// (tf.data's algorithm). The order depends on `seed` only, and differs
  /// at each pass over the dataset (the pass number is mixed in).
  Dataset shuffle(int64_t buffer_size, uint64_t seed) const;
  /// Stacks `size` consecutive elements (component by component); the last
  /// batch is smaller unless `drop_remainder`.
  Dataset batch(int64_t size, bool drop_remainder = false) const;
  /// The dataset `count` times over; -1 repeats it for ever.
  Dataset repeat(int64_t count = -1) const;
  /// The first `count` elements.
  Dataset take(int64_t count) const;
  /// Produces up to `buffer_size` elements ahead on a background thread.
  /// An error there is thrown to the consumer when it reaches it.
  Dataset prefetch(int64_t buffer_size = 1) const;

  /// The number of elements if known without iterating: -1 infinite,
  /// -2 unknown (after filter).
  int64_t cardinality() const;

  class Iterator {
  public:
    using value_type = Element;
    using reference = const Element &;
    using pointer = const Element *;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;

    Iterator() = default;
    const Element &operator*() const { return *current_; }
    const Element *operator->() const { return &*current_; }
    Iterator &operator++();
    bool operator==(const Iterator &o) const {
      return !current_ && !o.current_;
    }
    bool operator!=(const Iterator &o) const { return !(*this == o); }

  private:
    friend class Dataset;
    Iterator(std::shared_ptr<const detail::Source> source,
             std::shared_ptr<detail::Cursor> cursor);
    // The sources outlive the cursor that reads them (members are
    // destroyed in reverse order).
    std::shared_ptr<const detail::Source> source_;
    std::shared_ptr<detail::Cursor> cursor_;
    std::optional<Element> current_;
  };
  Iterator begin() const;
  Iterator end() const { return Iterator(); }

  explicit Dataset(std::shared_ptr<const detail::Source> source)
      : source_(std::move(source)) {
    if (!source_)
      throw Error("Dataset: the source is null");
  }

private:
  std::shared_ptr<const detail::Source> source_;
};

/// Reads an IDX file (the MNIST format: magic 0 0 type rank, big-endian
/// dimensions, big-endian elements), gzip-compressed or not. Integer
/// element types give `dtype` (int32 unless given), floating ones float32
/// or float64 unless `dtype` is given. A missing, truncated or corrupt
/// file is an ej::Error naming the file and what was wrong.
Tensor read_idx(const std::string &path, std::optional<DType> dtype = {});

/// MNIST or Fashion-MNIST: images float32 (N, 28, 28) scaled to [0, 1],
/// labels int32 (N).
struct Mnist {
  Tensor train_images, train_labels, test_images, test_labels;
};
/// Where Debian's dataset-fashion-mnist puts the files.
inline constexpr const char *kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";
/// Reads train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
/// t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from `dir`.
Mnist load_mnist(const std::string &dir = kFashionMnistDir);
/// Whether those four files are in `dir`.
bool mnist_available(const std::string &dir = kFashionMnistDir);

} // namespace ej::data

#endif // EJ_DATA_H
