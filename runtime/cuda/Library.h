//===- Library.h - Opening the CUDA toolkit's libraries with dlopen -*- C++
//-*-===//
//
// The driver, NVRTC and cuBLAS are never link dependencies: each is opened
// on first use, so the library starts without them. A toolkit library is
// looked for by its soname on the loader's path, then in the toolkit found
// at build time, $CUDA_HOME and /usr/local/cuda.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_RUNTIME_CUDA_LIBRARY_H
#define EJ_RUNTIME_CUDA_LIBRARY_H

#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <vector>

namespace ej::cuda {

/// Opens the toolkit library `soname` ("libnvrtc.so.13"), whose unversioned
/// name is `name` ("libnvrtc.so"); null when none of the places has it.
/// `tried` lists the places tried, for an error message.
inline void *open_toolkit_library(const std::string &soname,
                                  const std::string &name, std::string &tried) {
  std::vector<std::string> candidates = {soname, name};
#ifdef EJ_CUDA_LIBRARY_DIR
  candidates.push_back(std::string(EJ_CUDA_LIBRARY_DIR) + "/" + name);
#endif
  if (const char *home = std::getenv("CUDA_HOME"))
    candidates.push_back(std::string(home) + "/lib64/" + name);
  candidates.push_back("/usr/local/cuda/lib64/" + name);
  for (const std::string &c : candidates) {
    tried += (tried.empty() ? "" : ", ") + c;
    if (void *lib = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL))
      return lib;
  }
  return nullptr;
}

/// Looks up `name` in `lib` as `fn`'s type; false when it is missing.
template <class Fn> bool find_symbol(void *lib, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  return fn != nullptr;
}

} // namespace ej::cuda

#endif // EJ_RUNTIME_CUDA_LIBRARY_H
