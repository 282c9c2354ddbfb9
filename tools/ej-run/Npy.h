//===- Npy.h - NumPy .npy files for ej-run -------------------------*- C++
//-*-===//
#ifndef EJ_TOOLS_EJ_RUN_NPY_H
#define EJ_TOOLS_EJ_RUN_NPY_H

#include <ej/ej.h>

#include <string>

namespace ejrun {

/// Reads a C-order .npy file of f4, f8, i4, i8 or b1 elements (format
/// versions 1 to 3); anything else, or a truncated file, is an ej::Error
/// naming the file and the problem.
ej::Tensor read_npy(const std::string &path);

/// Writes `t` as a format-1.0 .npy file.
void write_npy(const std::string &path, const ej::Tensor &t);

} // namespace ejrun

#endif // EJ_TOOLS_EJ_RUN_NPY_H
