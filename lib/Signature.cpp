//===- Signature.cpp - Recorded calls numbered by structure ---------------===//
#include "lib/Signature.h"
#include "lib/VariableImpl.h"

#include <cstring>
#include <vector>

namespace ej::detail {

namespace {

// Writes a record's bytes into room made for them beforehand: the key is
// built on every op, and appending piece by piece costs more than the op.
struct Writer {
  char *p;
  template <class T> void put(T v) {
    std::memcpy(p, &v, sizeof(v));
    p += sizeof(v);
  }
  void bytes(const void *s, size_t n) {
    std::memcpy(p, s, n);
    p += n;
  }
  void type(DType dtype, IntList shape) {
    put(uint8_t(dtype));
    put(uint8_t(shape.size()));
    bytes(shape.data(), shape.size() * sizeof(int64_t));
  }
};

// The most a record can write: op, device, type, count, inputs, variable,
// attrs.
constexpr size_t kTypeBytes = 2 + kMaxRank * sizeof(int64_t);
constexpr size_t kUseBytes = 1 + sizeof(size_t) + kTypeBytes;
constexpr size_t kFixedBytes =
    sizeof(OpCode) + 1 + kTypeBytes + 1 + sizeof(size_t) + kTypeBytes + 1 +
    Attrs::kMaxInts * sizeof(int64_t) + 2 + sizeof(DType) + 2 * sizeof(double);

} // namespace

void Signature::put_tensor(const TensorImpl *t) {
  auto [ref, fresh] =
      tensors.try_emplace(t, Ref{Ref::External, externals.size()});
  if (fresh) {
    auto *held = const_cast<TensorImpl *>(t);
    retain(held);
    externals.emplace_back(held);
  }
  char buf[kUseBytes];
  char *p = buf;
  write(p, t, *ref, fresh);
  key.append(buf, size_t(p - buf));
}

void Signature::write(char *&p, const TensorImpl *t, Ref ref, bool fresh) {
  Writer w{p};
  w.put(ref.kind);
  w.put(ref.index);
  if (fresh)
    w.type(t->dtype, t->dims());
  p = w.p;
}

void Signature::index_results() const {
  for (; indexed_ < results_.size(); ++indexed_)
    tensors.set(results_[indexed_], Ref{Ref::Result, indexed_});
}

bool Signature::bind_as(const Record &r, const Binding &expected) {
  size_t n = r.size();
  if (n != expected.num_inputs || expected.var_fresh)
    return false;
  for (size_t j = 0; j < n; ++j) {
    const Binding::Input &want = expected.inputs[j];
    const TensorImpl *t = r.input(j);
    if (want.fresh)
      return false;
    if (want.ref.kind == Ref::Result) {
      if (want.ref.index >= results_.size() || results_[want.ref.index] != t)
        return false;
    } else if (want.ref.kind != Ref::External ||
               want.ref.index >= externals.size() ||
               externals[want.ref.index].impl() != t) {
      return false;
    }
  }
  if (expected.var >= 0
          ? size_t(expected.var) >= variables.size() ||
                variables[size_t(expected.var)].impl() != r.attrs.var
          : r.attrs.var != nullptr)
    return false;
  results_.push_back(r.result);
  return true;
}

bool Signature::bind(const Record &r, Binding &b) {
  index_results();
  size_t n = r.size();
  if (b.inputs.size() < n)
    b.inputs.resize(n);
  b.num_inputs = n;
  // Looked up first, so that an input that is not ours and has no value
  // numbers nothing.
  for (size_t j = 0; j < n; ++j) {
    const TensorImpl *t = r.input(j);
    const Ref *ref = tensors.find(t);
    if (!ref && !t->storage)
      return false;
    b.inputs[j] = {ref ? *ref : Ref{Ref::External, 0}, !ref};
  }
  for (size_t j = 0; j < n; ++j) {
    if (!b.inputs[j].fresh)
      continue;
    // An outside tensor used twice in one record is fresh only the first
    // time.
    auto [ref, fresh] =
        tensors.try_emplace(r.input(j), Ref{Ref::External, externals.size()});
    b.inputs[j] = {*ref, fresh};
    if (fresh) {
      auto *held = r.input(j);
      retain(held);
      externals.emplace_back(held);
    }
  }
  b.var = -1;
  b.var_fresh = false;
  if (VariableImpl *v = r.attrs.var) {
    auto [index, fresh] = variable_index.try_emplace(v, variables.size());
    b.var = long(*index);
    b.var_fresh = fresh;
    if (fresh)
      variables.emplace_back(v->shared_from_this());
  }
  results_.push_back(r.result);
  index_results();
  return true;
}

void Signature::add(const Record &r) {
  Binding &b = scratch_;
  // Callers add records whose inputs are computed or their own results.
  if (!bind(r, b))
    throw Error(std::string(op_name(r.op)) +
                ": an input has no value yet (internal: a signature of "
                "records read a value that was never computed)");
  // Written into a buffer and appended: resizing the key first would
  // zero-fill the largest size a record can take, on every call.
  constexpr size_t kInline = kFixedBytes + 4 * kUseBytes;
  char inline_buf[kInline];
  std::vector<char> heap;
  char *buf = inline_buf;
  if (size_t need = kFixedBytes + r.size() * kUseBytes; need > kInline) {
    heap.resize(need);
    buf = heap.data();
  }
  Writer w{buf};
  w.put(r.op);
  w.put(r.result->device);
  w.type(r.result->dtype, r.result->dims());
  w.put(uint8_t(r.size()));
  for (size_t j = 0; j < r.size(); ++j)
    write(w.p, r.input(j), b.inputs[j].ref, b.inputs[j].fresh);
  if (VariableImpl *v = r.attrs.var) {
    w.put(size_t(b.var));
    if (b.var_fresh)
      w.type(v->dtype, v->shape);
  }
  if (!is_leaf(r)) {
    const Attrs &a = r.attrs;
    w.put(a.num_ints);
    w.bytes(a.ints, a.num_ints * sizeof(int64_t));
    w.put(a.keepdims);
    w.put(a.dtype);
    w.put(a.f[0]);
    w.put(a.f[1]);
  }
  key.append(buf, size_t(w.p - buf));
}

void Signature::clear() {
  key.clear();
  externals.clear();
  variables.clear();
  tensors.clear();
  variable_index.clear();
  results_.clear();
  indexed_ = 0;
}

RecordPattern::RecordPattern(const Record &r, const Binding &b)
    : op_(r.op), device_(r.result->device),
      type_(r.result->dtype, r.result->dims()), binding_(b), leaf_(is_leaf(r)),
      attrs_(r.attrs) {
  binding_.inputs.resize(b.num_inputs);
  for (size_t j = 0; j < r.size(); ++j)
    if (b.inputs[j].fresh)
      fresh_.emplace_back(r.input(j)->dtype, r.input(j)->dims());
  if (b.var_fresh)
    var_type_.emplace_back(r.attrs.var->dtype, IntList(r.attrs.var->shape));
}

bool RecordPattern::matches(const Record &r, const Binding &b) const {
  const Binding &want_b = binding_;
  if (r.op != op_ || r.result->device != device_ ||
      !type_.is(r.result->dtype, r.result->dims()))
    return false;
  // Numbered by this pattern's own binding (Signature::bind_as), the
  // record's values are the ones expected, none of them new.
  if (&b != &want_b) {
    if (b.num_inputs != want_b.num_inputs || b.var != want_b.var ||
        b.var_fresh != want_b.var_fresh)
      return false;
    size_t fresh = 0;
    for (size_t j = 0; j < want_b.num_inputs; ++j) {
      const Binding::Input &want = want_b.inputs[j], &got = b.inputs[j];
      if (want.ref.kind != got.ref.kind || want.ref.index != got.ref.index ||
          want.fresh != got.fresh)
        return false;
      if (got.fresh &&
          !fresh_[fresh++].is(r.input(j)->dtype, r.input(j)->dims()))
        return false;
    }
    if (want_b.var_fresh &&
        !var_type_[0].is(r.attrs.var->dtype, IntList(r.attrs.var->shape)))
      return false;
  }
  if (leaf_) // as the record: its inputs and variable matched
    return true;
  // The key's attribute bytes: doubles compare as bits.
  const Attrs &a = r.attrs;
  auto bits = [](double d) {
    uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    return u;
  };
  return a.num_ints == attrs_.num_ints && a.keepdims == attrs_.keepdims &&
         a.dtype == attrs_.dtype && bits(a.f[0]) == bits(attrs_.f[0]) &&
         bits(a.f[1]) == bits(attrs_.f[1]) &&
         same_ints(a.ints, attrs_.ints, a.num_ints);
}

} // namespace ej::detail
