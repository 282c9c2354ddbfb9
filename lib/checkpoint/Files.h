//===- Files.h - Whole-file reads and atomic writes -------------*- C++ -*-===//
#ifndef EJ_LIB_CHECKPOINT_FILES_H
#define EJ_LIB_CHECKPOINT_FILES_H

#include <string>

namespace ej::detail {

/// The bytes of `path`; an ej::Error "<op>: <path>: cannot open ..." if it
/// cannot be read.
std::string read_whole_file(const char *op, const std::string &path);

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk and
/// renames it over `path`; on any failure the temporary file is removed and
/// an ej::Error names the step that failed.
void write_file_atomically(const char *op, const std::string &path,
                           const std::string &bytes);

} // namespace ej::detail

#endif // EJ_LIB_CHECKPOINT_FILES_H
