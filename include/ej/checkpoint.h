//===- checkpoint.h - NumPy files and checkpoints of Variables --*- C++ -*-===//
//
// A checkpoint is a NumPy .npz file: an uncompressed zip archive holding
// one .npy array per variable, named by its path ("dense/kernel.npy",
// "Adam/dense/kernel/m.npy"), so that `numpy.load("model.npz")` reads it.
//
//   auto vars = model.named_variables();
//   auto state = opt.named_variables(vars);      // iterations and slots
//   vars.insert(vars.end(), state.begin(), state.end());
//   ej::save_checkpoint("model.npz", vars);
//   ...
//   ej::restore_checkpoint("model.npz", vars);   // a model built the same way
//
// Files are written atomically: to a temporary file in the same directory,
// flushed to disk, then renamed over the target, so a crash leaves the old
// file or the new one, never a mixture. Reading checks everything (zip
// structure, CRC-32 of each entry, .npy headers, sizes) and restore checks
// every variable's entry, dtype and shape before it assigns any: a bad file
// is an ej::Error and leaves every variable as it was.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_CHECKPOINT_H
#define EJ_CHECKPOINT_H

#include "ej/Tensor.h"
#include "ej/Variable.h"

#include <string>
#include <utility>
#include <vector>

namespace ej {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using NamedVariables = std::vector<std::pair<std::string, Variable>>;

// --- .npy --------------------------------------------------------------------
/// `t` as the bytes of a format-1.0 .npy file (C order, little-endian <f4,
/// <f8, <i4, <i8 or |b1).
std::string encode_npy(const Tensor &t);
/// The array in .npy bytes (versions 1 to 3); `what` names the source in
/// errors. An unsupported type, Fortran order or a short file is an error.
Tensor decode_npy(const std::string &bytes, const std::string &what);
Tensor read_npy(const std::string &path);
/// Writes atomically (see above).
void write_npy(const std::string &path, const Tensor &t);

// --- .npz --------------------------------------------------------------------
/// An uncompressed zip of "<name>.npy" entries, written atomically. Names
/// must be unique and non-empty.
void write_npz(const std::string &path, const NamedTensors &arrays);
/// The arrays of an .npz file (stored or deflated entries), names without
/// ".npy", in archive order.
NamedTensors read_npz(const std::string &path);

// --- Checkpoints
// ---------------------------------------------------------------
/// Saves the current value of each variable under its name.
void save_checkpoint(const std::string &path, const NamedVariables &vars);
/// Assigns each variable the entry of its name. Entries of the file that
/// no variable asks for are ignored (a model can be restored without its
/// optimizer); a missing entry, or one whose dtype or shape differs from
/// its variable's, is an error before any variable changes.
void restore_checkpoint(const std::string &path, const NamedVariables &vars);

} // namespace ej

#endif // EJ_CHECKPOINT_H
