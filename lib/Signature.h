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

#include <string>
#include <unordered_map>
#include <vector>

namespace ej::detail {

/// Where a value of recorded calls comes from.
struct Ref {
  enum Kind : uint8_t { Result, External, Var } kind;
  size_t index; // record index, or order of first use
};

inline bool is_leaf(const Record &r) { return r.size() == 0 && !r.attrs.var; }

class Signature {
public:
  /// Appends a record; its inputs and variable must be alive.
  void add(const Record &r);
  /// Appends `t` as a use: its ref, and its type when first seen outside.
  void put_tensor(const TensorImpl *t);
  template <class T> void put(T v) {
    key.append(reinterpret_cast<const char *>(&v), sizeof(v));
  }
  /// The ref of `t`, or nullptr when the records neither made nor read it.
  const Ref *find(const TensorImpl *t) const {
    auto it = tensors.find(t);
    return it == tensors.end() ? nullptr : &it->second;
  }
  /// The index of variable `v`, or -1.
  long find(const VariableImpl *v) const {
    auto it = variable_index.find(v);
    return it == variable_index.end() ? -1 : long(it->second);
  }
  size_t size() const { return records_; }
  void clear();

  std::string key;
  std::vector<Tensor> externals;   // in order of first use
  std::vector<Variable> variables; // in order of first use

private:
  void put_type(DType dtype, IntList shape);
  void put_variable(VariableImpl *v);

  std::unordered_map<const TensorImpl *, Ref> tensors;
  std::unordered_map<const VariableImpl *, size_t> variable_index;
  size_t records_ = 0;
};

} // namespace ej::detail

#endif // EJ_LIB_SIGNATURE_H
