//===- Error.h - The exception every user error throws ------------*- C++
//-*-===//
//
// Every error a user can cause (a bad shape, dtype, axis or index) throws
// ej::Error at the call that caused it. The message names the op, the
// argument, what was expected and what came:
//   matmul: inner dimensions differ: (2, 3) x (4, 5)
//
//===----------------------------------------------------------------------===//
#ifndef EJ_ERROR_H
#define EJ_ERROR_H

#include <stdexcept>
#include <string>

namespace ej {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &what) : std::runtime_error(what) {}
};

} // namespace ej

#endif // EJ_ERROR_H
