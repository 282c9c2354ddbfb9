//===- Signature.h - Recorded calls numbered by structure ---------*- C++
//-*-===//
//
// The cache key of a program made from recorded calls (a gradient program,
// a compiled region): ops, dtypes, shapes, attributes and which value feeds
// which, never data. Two runs with equal keys run the same program on their
// own values, which the numbering finds: the n-th record's result, the n-th
// outside tensor, the n-th variable.
//
// Leaves (records without inputs or variable: constants, fills, random
// draws, ...) add only their type: their values are inputs of the program.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_SIGNATURE_H
#define EJ_LIB_SIGNATURE_H

#include "ej/Variable.h"
#include "lib/Record.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ej::detail {

/// Where a value of recorded calls comes from.
struct Ref {
  enum Kind : uint8_t { Result, External, Var } kind;
  size_t index; // record index, or order of first use
};

inline bool is_leaf(const Record &r) { return r.size() == 0 && !r.attrs.var; }

/// How a record's values are numbered in a signature: each input's ref,
/// and whether it is an outside tensor first used there; its variable's
/// index, and whether this is the variable's first use.
struct Binding {
  struct Input {
    Ref ref;
    bool fresh;
  };
  std::vector<Input> inputs; // the first num_inputs; reused, not shrunk
  size_t num_inputs = 0;
  long var = -1;
  bool var_fresh = false;
};

/// A hash map keyed by pointers that clears in time proportional to what
/// it holds: every region's signature is built with one, op by op.
template <class V> class PtrMap {
public:
  PtrMap() : slots_(64), mask_(63) {}
  V *find(const void *p) {
    for (size_t i = hash(p);; i = (i + 1) & mask_) {
      if (slots_[i].key == p)
        return &slots_[i].value;
      if (!slots_[i].key)
        return nullptr;
    }
  }
  const V *find(const void *p) const {
    return const_cast<PtrMap *>(this)->find(p);
  }
  /// The value of `p`, inserting `v` if absent; the flag says whether it
  /// was inserted.
  std::pair<V *, bool> try_emplace(const void *p, V v) {
    if (2 * (used_.size() + 1) > mask_ + 1)
      grow();
    size_t i = hash(p);
    for (; slots_[i].key; i = (i + 1) & mask_)
      if (slots_[i].key == p)
        return {&slots_[i].value, false};
    slots_[i] = {p, v};
    used_.push_back(uint32_t(i));
    return {&slots_[i].value, true};
  }
  void set(const void *p, V v) { *try_emplace(p, v).first = v; }
  void clear() {
    for (uint32_t i : used_)
      slots_[i].key = nullptr;
    used_.clear();
  }

private:
  struct Slot {
    const void *key = nullptr;
    V value{};
  };
  size_t hash(const void *p) const {
    uint64_t x = uint64_t(reinterpret_cast<uintptr_t>(p));
    x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull;
    return size_t(x ^ (x >> 32)) & mask_;
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    std::vector<uint32_t> used;
    used.swap(used_);
    for (uint32_t i : used)
      try_emplace(old[i].key, old[i].value);
  }
  std::vector<Slot> slots_;
  // slots_.size() - 1, kept: the size of a vector of 24-byte slots is a
  // division, which every probe would pay.
  size_t mask_;
  std::vector<uint32_t> used_;
};

/// Whether n int64s are equal: a loop, where std::equal calls memcmp,
/// whose call costs more than the few dimensions or attributes a record
/// compares.
inline bool same_ints(const int64_t *a, const int64_t *b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

class Signature {
public:
  /// Appends a record; its inputs and variable must be alive.
  void add(const Record &r);
  /// Numbers a record's values, as add does, without writing its part of
  /// the key (a compiled region's records are matched against their
  /// RecordPatterns instead). Returns false, and numbers nothing, when an
  /// input is neither a value of these records nor computed: another
  /// thread's value that its compiled region has not reached yet.
  bool bind(const Record &r, Binding &b);
  /// Numbers `r` as bind would, when its inputs and variable are the
  /// values `expected` says (none first used here): pointer comparisons
  /// against the records' results and the outside tensors, no lookup.
  /// Returns false, and numbers nothing, otherwise.
  bool bind_as(const Record &r, const Binding &expected);
  /// Appends `t` as a use: its ref, and its type when first seen outside.
  void put_tensor(const TensorImpl *t);
  template <class T> void put(T v) {
    key.append(reinterpret_cast<const char *>(&v), sizeof(v));
  }
  /// The ref of `t`, or nullptr when the records neither made nor read it.
  const Ref *find(const TensorImpl *t) const {
    index_results();
    return tensors.find(t);
  }
  /// The index of variable `v`, or -1.
  long find(const VariableImpl *v) const {
    const size_t *i = variable_index.find(v);
    return i ? long(*i) : -1;
  }
  size_t size() const { return results_.size(); }
  void clear();

  std::string key;
  std::vector<Tensor> externals;   // in order of first use
  std::vector<Variable> variables; // in order of first use

private:
  void write(char *&p, const TensorImpl *t, Ref ref, bool fresh);
  /// Enters the results that bind_as numbered into `tensors`.
  void index_results() const;

  // Each record's result, by record; `tensors` holds the first `indexed`
  // of them (bind_as leaves the rest to the first lookup).
  std::vector<const TensorImpl *> results_;
  mutable size_t indexed_ = 0;
  mutable PtrMap<Ref> tensors;
  PtrMap<size_t> variable_index;
  Binding scratch_; // add's
};

/// One record of a recorded program as the program's key spells it,
/// unpacked: a record with its binding matches the pattern exactly when
/// its bytes of the key would equal these. A compiled region's records are
/// matched this way while the stream follows the region, which spares
/// writing and comparing their key.
class RecordPattern {
public:
  RecordPattern(const Record &r, const Binding &b);
  bool matches(const Record &r, const Binding &b) const;
  /// The numbering of the record's values that the pattern expects.
  const Binding &binding() const { return binding_; }

private:
  struct Type {
    DType dtype;
    std::vector<int64_t> shape;
    Type(DType dtype, IntList shape)
        : dtype(dtype), shape(shape.begin(), shape.end()) {}
    bool is(DType d, IntList s) const {
      return dtype == d && shape.size() == s.size() &&
             same_ints(s.data(), shape.data(), s.size());
    }
  };
  OpCode op_;
  int device_;
  Type type_;
  Binding binding_;
  std::vector<Type> fresh_;    // the outside inputs first used here
  std::vector<Type> var_type_; // on the variable's first use
  bool leaf_;
  Attrs attrs_; // what of them the key holds: not a leaf's
};

} // namespace ej::detail

#endif // EJ_LIB_SIGNATURE_H
