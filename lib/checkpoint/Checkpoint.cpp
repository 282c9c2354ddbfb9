//===- Checkpoint.cpp - Saving and restoring Variables as .npz ------------===//
//
// Restore is all or nothing: the archive is read and checked whole, every
// variable is matched with its entry (dtype and shape), and only then are
// the variables assigned -- assignments that can no longer fail.
//
//===----------------------------------------------------------------------===//
#include "ej/checkpoint.h"

#include <map>

namespace ej {
namespace {

void check_names(const char *op, const std::string &path,
                 const NamedVariables &vars) {
  std::map<std::string, int> seen;
  for (const auto &[name, v] : vars) {
    if (name.empty())
      throw Error(std::string(op) + ": " + path + ": a variable has no name");
    if (!v.defined())
      throw Error(std::string(op) + ": " + path + ": variable '" + name +
                  "' is undefined");
    if (seen[name]++)
      throw Error(std::string(op) + ": " + path + ": the name '" + name +
                  "' is given twice");
  }
}

} // namespace

void save_checkpoint(const std::string &path, const NamedVariables &vars) {
  check_names("save_checkpoint", path, vars);
  NamedTensors arrays;
  for (const auto &[name, v] : vars)
    arrays.emplace_back(name, v.read());
  write_npz(path, arrays);
}

void restore_checkpoint(const std::string &path, const NamedVariables &vars) {
  const char *op = "restore_checkpoint";
  check_names(op, path, vars);
  NamedTensors arrays = read_npz(path);
  std::map<std::string, const Tensor *> by_name;
  for (const auto &[name, t] : arrays)
    by_name[name] = &t;
  std::vector<const Tensor *> values;
  for (const auto &[name, v] : vars) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      std::string have;
      for (const auto &[n, t] : arrays)
        have += (have.empty() ? "" : ", ") + n;
      throw Error(std::string(op) + ": " + path + ": no entry '" + name +
                  "' (the file has: " + (have.empty() ? "nothing" : have) +
                  ")");
    }
    const Tensor &t = *it->second;
    if (t.dtype() != v.dtype() || t.shape() != v.shape())
      throw Error(std::string(op) + ": " + path + ": entry '" + name + "' is " +
                  dtype_name(t.dtype()) + " " + shape_str(t.shape()) +
                  ", the variable is " + dtype_name(v.dtype()) + " " +
                  shape_str(v.shape()));
    values.push_back(&t);
  }
  for (size_t i = 0; i < vars.size(); ++i) {
    Variable v = vars[i].second;
    v.assign(*values[i]);
  }
}

} // namespace ej
