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
  char buf[kUseBytes];
  char *p = buf;
  use(p, t);
  key.append(buf, size_t(p - buf));
}

void Signature::use(char *&p, const TensorImpl *t) {
  Writer w{p};
  auto [ref, fresh] =
      tensors.try_emplace(t, Ref{Ref::External, externals.size()});
  w.put(ref->kind);
  w.put(ref->index);
  if (fresh) {
    auto *held = const_cast<TensorImpl *>(t);
    retain(held);
    externals.emplace_back(held);
    w.type(t->dtype, t->dims());
  }
  p = w.p;
}

void Signature::add(const Record &r) {
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
    use(w.p, r.input(j));
  if (VariableImpl *v = r.attrs.var) {
    auto [index, fresh] = variable_index.try_emplace(v, variables.size());
    w.put(*index);
    if (fresh) {
      variables.emplace_back(v->shared_from_this());
      w.type(v->dtype, v->shape);
    }
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
  tensors.set(r.result, Ref{Ref::Result, records_++});
}

void Signature::clear() {
  key.clear();
  externals.clear();
  variables.clear();
  tensors.clear();
  variable_index.clear();
  records_ = 0;
}

} // namespace ej::detail
