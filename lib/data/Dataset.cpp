//===- Dataset.cpp - Sources, transformations and iteration of datasets ---===//
//
// A Dataset is a chain of immutable Sources; iterating makes a chain of
// Cursors, each pulling from the one before. Only prefetch runs anything
// on another thread: its cursor owns a producer thread and a bounded queue.
//
//===----------------------------------------------------------------------===//
#include "ej/data.h"
#include "ej/jit.h"
#include "ej/ops.h"
#include "lib/ShapeRules.h"
#include "lib/Trace.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

namespace ej::data {
namespace detail {

struct Cursor {
  virtual ~Cursor() = default;
  /// The next element, or nothing at the end.
  virtual std::optional<Element> next() = 0;
};

struct Source {
  virtual ~Source() = default;
  virtual std::unique_ptr<Cursor> open() const = 0;
  virtual int64_t cardinality() const = 0;
};

} // namespace detail

using detail::Cursor;
using detail::Source;

namespace {

constexpr int64_t kInfinite = -1, kUnknown = -2;

[[noreturn]] void bad(const char *op, const std::string &msg) {
  throw Error(std::string(op) + ": " + msg);
}

// --- Sources -----------------------------------------------------------------
//
// A cursor refers to its source: the iterator that owns the cursor also
// holds the dataset's chain of sources, and drops the cursor first.

struct Slices : Source {
  std::vector<Tensor> tensors;
  int64_t n = 0;
  struct C : Cursor {
    const Slices &s;
    int64_t i = 0;
    explicit C(const Slices &s) : s(s) {}
    std::optional<Element> next() override {
      if (i >= s.n)
        return std::nullopt;
      ej::detail::Untraced untraced;
      Element e;
      for (const Tensor &t : s.tensors)
        e.push_back(t[i]);
      ++i;
      return e;
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(*this);
  }
  int64_t cardinality() const override { return n; }
};

// Counted in unsigned arithmetic (rules::strided_count): near int64's
// limits a value past the last would overflow.
struct Range : Source {
  int64_t start, stop, step;
  Range(int64_t a, int64_t b, int64_t s) : start(a), stop(b), step(s) {}
  uint64_t count() const { return rules::strided_count(start, stop, step); }
  struct C : Cursor {
    uint64_t at, step, left;
    C(int64_t a, int64_t s, uint64_t n)
        : at(uint64_t(a)), step(uint64_t(s)), left(n) {}
    std::optional<Element> next() override {
      if (left == 0)
        return std::nullopt;
      --left;
      ej::detail::Untraced untraced;
      Element e{Tensor::from_vector(std::vector<int64_t>{int64_t(at)}, {})};
      at += step;
      return e;
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(start, step, count());
  }
  int64_t cardinality() const override {
    return int64_t(std::min<uint64_t>(count(), INT64_MAX));
  }
};

// A transformation of one input dataset.
struct Unary : Source {
  std::shared_ptr<const Source> input;
  explicit Unary(std::shared_ptr<const Source> in) : input(std::move(in)) {}
};

struct Map : Unary {
  std::function<Element(const Element &)> f;
  Map(std::shared_ptr<const Source> in,
      std::function<Element(const Element &)> f)
      : Unary(std::move(in)), f(std::move(f)) {}
  struct C : Cursor {
    std::unique_ptr<Cursor> in;
    const std::function<Element(const Element &)> &f;
    C(std::unique_ptr<Cursor> in,
      const std::function<Element(const Element &)> &f)
        : in(std::move(in)), f(f) {}
    std::optional<Element> next() override {
      std::optional<Element> e = in->next();
      if (!e)
        return std::nullopt;
      Element out = f(*e);
      for (size_t i = 0; i < out.size(); ++i)
        if (!out[i].defined())
          bad("map", "the function returned an undefined tensor (component " +
                         std::to_string(i) + ")");
      return out;
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(input->open(), f);
  }
  int64_t cardinality() const override { return input->cardinality(); }
};

struct Filter : Unary {
  std::function<bool(const Element &)> pred;
  Filter(std::shared_ptr<const Source> in,
         std::function<bool(const Element &)> p)
      : Unary(std::move(in)), pred(std::move(p)) {}
  struct C : Cursor {
    std::unique_ptr<Cursor> in;
    const std::function<bool(const Element &)> &pred;
    C(std::unique_ptr<Cursor> in, const std::function<bool(const Element &)> &p)
        : in(std::move(in)), pred(p) {}
    std::optional<Element> next() override {
      while (std::optional<Element> e = in->next())
        if (pred(*e))
          return e;
      return std::nullopt;
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(input->open(), pred);
  }
  int64_t cardinality() const override {
    return input->cardinality() == kInfinite ? kInfinite : kUnknown;
  }
};

struct Shuffle : Unary {
  int64_t buffer_size;
  uint64_t seed;
  mutable std::atomic<uint64_t> passes{0};
  Shuffle(std::shared_ptr<const Source> in, int64_t b, uint64_t s)
      : Unary(std::move(in)), buffer_size(b), seed(s) {}
  struct C : Cursor {
    std::unique_ptr<Cursor> in;
    int64_t size;
    std::mt19937_64 rng;
    std::vector<Element> buffer;
    bool exhausted = false;
    C(std::unique_ptr<Cursor> in, int64_t size, uint64_t seed)
        : in(std::move(in)), size(size), rng(seed) {}
    std::optional<Element> next() override {
      while (!exhausted && int64_t(buffer.size()) < size) {
        std::optional<Element> e = in->next();
        if (!e) {
          exhausted = true;
        } else {
          try {
            buffer.push_back(std::move(*e));
          } catch (const std::bad_alloc &) {
            bad("shuffle", "a buffer of " + std::to_string(size) +
                               " elements does not fit in memory (" +
                               std::to_string(buffer.size()) +
                               " elements did)");
          }
        }
      }
      if (buffer.empty())
        return std::nullopt;
      size_t i =
          std::uniform_int_distribution<size_t>(0, buffer.size() - 1)(rng);
      Element out = std::move(buffer[i]);
      std::optional<Element> e = exhausted ? std::nullopt : in->next();
      if (e) {
        buffer[i] = std::move(*e);
      } else {
        exhausted = true;
        buffer[i] = std::move(buffer.back());
        buffer.pop_back();
      }
      return out;
    }
  };
  std::unique_ptr<Cursor> open() const override {
    // Each pass draws a different order, reproducibly from the seed.
    uint64_t pass = passes.fetch_add(1);
    std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), uint32_t(pass),
                      uint32_t(pass >> 32)};
    uint64_t mixed[1];
    seq.generate(reinterpret_cast<uint32_t *>(mixed),
                 reinterpret_cast<uint32_t *>(mixed) + 2);
    return std::make_unique<C>(input->open(), buffer_size, mixed[0]);
  }
  int64_t cardinality() const override { return input->cardinality(); }
};

struct Batch : Unary {
  int64_t size;
  bool drop_remainder;
  Batch(std::shared_ptr<const Source> in, int64_t s, bool d)
      : Unary(std::move(in)), size(s), drop_remainder(d) {}
  struct C : Cursor {
    std::unique_ptr<Cursor> in;
    int64_t size;
    bool drop;
    C(std::unique_ptr<Cursor> in, int64_t s, bool d)
        : in(std::move(in)), size(s), drop(d) {}
    std::optional<Element> next() override {
      std::vector<Element> items;
      while (int64_t(items.size()) < size) {
        std::optional<Element> e = in->next();
        if (!e)
          break;
        if (!items.empty()) {
          const Element &first = items.front();
          if (e->size() != first.size())
            bad("batch", "element " + std::to_string(items.size()) + " has " +
                             std::to_string(e->size()) +
                             " components, the first has " +
                             std::to_string(first.size()));
          for (size_t c = 0; c < first.size(); ++c)
            if ((*e)[c].shape() != first[c].shape() ||
                (*e)[c].dtype() != first[c].dtype())
              bad("batch", "component " + std::to_string(c) + " of element " +
                               std::to_string(items.size()) + " is " +
                               dtype_name((*e)[c].dtype()) + " " +
                               shape_str((*e)[c].shape()) +
                               ", the first element's is " +
                               dtype_name(first[c].dtype()) + " " +
                               shape_str(first[c].shape()));
        }
        items.push_back(std::move(*e));
      }
      if (items.empty() || (drop && int64_t(items.size()) < size))
        return std::nullopt;
      ej::detail::Untraced untraced;
      Element out;
      for (size_t c = 0; c < items.front().size(); ++c) {
        std::vector<Tensor> parts;
        parts.reserve(items.size());
        for (const Element &e : items)
          parts.push_back(e[c]);
        out.push_back(stack(parts, 0));
      }
      return out;
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(input->open(), size, drop_remainder);
  }
  int64_t cardinality() const override {
    int64_t n = input->cardinality();
    if (n < 0)
      return n;
    return drop_remainder || n % size == 0 ? n / size : n / size + 1;
  }
};

struct Repeat : Unary {
  int64_t count;
  Repeat(std::shared_ptr<const Source> in, int64_t c)
      : Unary(std::move(in)), count(c) {}
  struct C : Cursor {
    const Source &src;
    int64_t left; // passes still to start; -1: for ever
    std::unique_ptr<Cursor> in;
    bool pass_empty = true;
    C(const Source &s, int64_t count) : src(s), left(count) {}
    std::optional<Element> next() override {
      for (;;) {
        if (!in) {
          if (left == 0)
            return std::nullopt;
          if (left > 0)
            --left;
          in = src.open();
          pass_empty = true;
        }
        if (std::optional<Element> e = in->next()) {
          pass_empty = false;
          return e;
        }
        in.reset();
        if (pass_empty) // an empty dataset repeated is empty
          return std::nullopt;
      }
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(*input, count);
  }
  int64_t cardinality() const override {
    int64_t n = input->cardinality();
    if (n == 0)
      return 0;
    if (count < 0)
      return kInfinite;
    int64_t total;
    if (n < 0)
      return n;
    // Past int64's range the count saturates.
    return __builtin_mul_overflow(n, count, &total) ? INT64_MAX : total;
  }
};

struct Take : Unary {
  int64_t count;
  Take(std::shared_ptr<const Source> in, int64_t c)
      : Unary(std::move(in)), count(c) {}
  struct C : Cursor {
    std::unique_ptr<Cursor> in;
    int64_t left;
    C(std::unique_ptr<Cursor> in, int64_t n) : in(std::move(in)), left(n) {}
    std::optional<Element> next() override {
      if (left == 0)
        return std::nullopt;
      --left;
      return in->next();
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(input->open(), count);
  }
  int64_t cardinality() const override {
    int64_t n = input->cardinality();
    if (n == kInfinite)
      return count;
    if (n == kUnknown)
      return kUnknown;
    return std::min(n, count);
  }
};

struct Prefetch : Unary {
  int64_t buffer_size;
  Prefetch(std::shared_ptr<const Source> in, int64_t b)
      : Unary(std::move(in)), buffer_size(b) {}
  struct C : Cursor {
    std::mutex mu;
    std::condition_variable changed;
    std::deque<std::optional<Element>> queue; // nullopt: the end
    std::exception_ptr error;
    bool stop = false;
    size_t capacity;
    std::thread producer;

    C(std::unique_ptr<Cursor> in, int64_t capacity)
        : capacity(size_t(capacity)) {
      producer = std::thread([this, in = std::move(in)]() mutable {
        for (;;) {
          {
            std::unique_lock<std::mutex> lock(mu);
            changed.wait(lock,
                         [&] { return stop || queue.size() < this->capacity; });
            if (stop)
              return;
          }
          std::optional<Element> e;
          try {
            // One element is one JIT region, and none is left open when
            // the thread ends.
            Step step;
            e = in->next();
          } catch (...) {
            std::lock_guard<std::mutex> lock(mu);
            error = std::current_exception();
            queue.push_back(std::nullopt);
            changed.notify_all();
            return;
          }
          std::lock_guard<std::mutex> lock(mu);
          bool end = !e;
          queue.push_back(std::move(e));
          changed.notify_all();
          if (end)
            return;
        }
      });
    }
    ~C() override {
      {
        std::lock_guard<std::mutex> lock(mu);
        stop = true;
      }
      changed.notify_all();
      producer.join();
    }
    std::optional<Element> next() override {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return !queue.empty(); });
      std::optional<Element> e = std::move(queue.front());
      if (!e) { // stays at the end
        if (error) {
          std::exception_ptr err = error;
          error = nullptr;
          std::rethrow_exception(err);
        }
        return std::nullopt;
      }
      queue.pop_front();
      changed.notify_all();
      return e;
    }
  };
  std::unique_ptr<Cursor> open() const override {
    return std::make_unique<C>(input->open(), buffer_size);
  }
  int64_t cardinality() const override { return input->cardinality(); }
};

void positive(const char *op, const char *what, int64_t v) {
  if (v <= 0)
    bad(op, std::string(what) + " must be positive, got " + std::to_string(v));
}

} // namespace

// --- Dataset -----------------------------------------------------------------

Dataset Dataset::from_tensor_slices(const Tensor &t) {
  return from_tensor_slices(std::vector<Tensor>{t});
}

Dataset Dataset::from_tensor_slices(const std::vector<Tensor> &tensors) {
  if (tensors.empty())
    bad("from_tensor_slices", "expected at least one tensor");
  auto s = std::make_shared<Slices>();
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor &t = tensors[i];
    if (!t.defined())
      bad("from_tensor_slices",
          "tensor " + std::to_string(i) + " is undefined");
    if (t.rank() == 0)
      bad("from_tensor_slices", "tensor " + std::to_string(i) +
                                    " is a scalar; expected an axis to slice");
    if (t.dim(0) != tensors[0].dim(0))
      bad("from_tensor_slices",
          "every tensor must have the same first axis, got " +
              shape_str(tensors[0].shape()) + " and " + shape_str(t.shape()));
  }
  s->tensors = tensors;
  s->n = tensors[0].dim(0);
  return Dataset(s);
}

Dataset Dataset::range(int64_t start, int64_t stop, int64_t step) {
  if (step == 0)
    bad("range", "step must not be 0");
  return Dataset(std::make_shared<Range>(start, stop, step));
}

Dataset Dataset::map_elements(std::function<Element(const Element &)> f) const {
  if (!f)
    bad("map", "the function is empty");
  return Dataset(std::make_shared<Map>(source_, std::move(f)));
}

Dataset
Dataset::filter_elements(std::function<bool(const Element &)> pred) const {
  if (!pred)
    bad("filter", "the predicate is empty");
  return Dataset(std::make_shared<Filter>(source_, std::move(pred)));
}

Dataset Dataset::shuffle(int64_t buffer_size, uint64_t seed) const {
  positive("shuffle", "buffer_size", buffer_size);
  return Dataset(std::make_shared<Shuffle>(source_, buffer_size, seed));
}

Dataset Dataset::batch(int64_t size, bool drop_remainder) const {
  positive("batch", "size", size);
  return Dataset(std::make_shared<Batch>(source_, size, drop_remainder));
}

Dataset Dataset::repeat(int64_t count) const {
  if (count < -1)
    bad("repeat",
        "count must be -1 (for ever) or >= 0, got " + std::to_string(count));
  return Dataset(std::make_shared<Repeat>(source_, count));
}

Dataset Dataset::take(int64_t count) const {
  if (count < 0)
    bad("take", "count must be >= 0, got " + std::to_string(count));
  return Dataset(std::make_shared<Take>(source_, count));
}

Dataset Dataset::prefetch(int64_t buffer_size) const {
  positive("prefetch", "buffer_size", buffer_size);
  return Dataset(std::make_shared<Prefetch>(source_, buffer_size));
}

int64_t Dataset::cardinality() const { return source_->cardinality(); }

Dataset::Iterator Dataset::begin() const {
  return Iterator(source_, std::shared_ptr<Cursor>(source_->open()));
}

Dataset::Iterator::Iterator(std::shared_ptr<const detail::Source> source,
                            std::shared_ptr<Cursor> cursor)
    : source_(std::move(source)), cursor_(std::move(cursor)) {
  current_ = cursor_->next();
}

Dataset::Iterator &Dataset::Iterator::operator++() {
  current_ = cursor_ ? cursor_->next() : std::nullopt;
  if (!current_)
    cursor_.reset(); // an ended prefetch thread is joined now
  return *this;
}

} // namespace ej::data
