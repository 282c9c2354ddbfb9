//===- Npy.cpp - NumPy .npy files for ej-run -----------------------------===//
//
// The format: "\x93NUMPY", a version (major, minor), a little-endian header
// length (2 bytes in version 1, 4 in versions 2 and 3), then a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded
// with spaces and a newline, then the raw elements.
//
//===----------------------------------------------------------------------===//
#include "Npy.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

namespace ejrun {
namespace {

[[noreturn]] void bad(const std::string &path, const std::string &why) {
  throw ej::Error("npy: " + path + ": " + why);
}

struct Descr {
  const char *code;
  ej::DType dtype;
};
constexpr Descr kDescrs[] = {{"<f4", ej::float32},
                             {"<f8", ej::float64},
                             {"<i4", ej::int32},
                             {"<i8", ej::int64},
                             {"|b1", ej::bool_}};

template <class T>
ej::Tensor from_bytes(const char *p, size_t n,
                      const std::vector<int64_t> &shape) {
  std::vector<T> v(n);
  std::memcpy(v.data(), p, n * sizeof(T));
  return ej::Tensor::from_vector(v, shape);
}

} // namespace

ej::Tensor read_npy(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    bad(path, "cannot open the file");
  std::string data((std::istreambuf_iterator<char>(f)),
                   std::istreambuf_iterator<char>());
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    bad(path, "not a .npy file (no \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(data[6]);
  size_t at, len;
  if (major == 1) {
    len = size_t(static_cast<unsigned char>(data[8])) |
          size_t(static_cast<unsigned char>(data[9])) << 8;
    at = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12)
      bad(path, "truncated header");
    len = 0;
    for (int i = 0; i < 4; ++i)
      len |= size_t(static_cast<unsigned char>(data[8 + size_t(i)])) << (8 * i);
    at = 12;
  } else {
    bad(path, "unsupported format version " + std::to_string(major));
  }
  if (data.size() < at + len)
    bad(path, "truncated header");
  std::string header = data.substr(at, len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'")))
    bad(path, "the header has no 'descr'");
  std::string descr = m[1];
  if (std::regex_search(header, std::regex("'fortran_order'\\s*:\\s*True")))
    bad(path, "Fortran-order arrays are not supported");
  if (!std::regex_search(header, m,
                         std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    bad(path, "the header has no 'shape'");
  std::vector<int64_t> shape;
  std::string dims = m[1];
  const std::regex number("\\d+");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end;
       it != end; ++it)
    shape.push_back(std::stoll(it->str()));
  const Descr *d = nullptr;
  for (const Descr &c : kDescrs)
    if (descr == c.code ||
        (descr[0] == '=' && descr.substr(1) == std::string(c.code + 1)))
      d = &c;
  if (!d)
    bad(path, "unsupported element type '" + descr +
                  "' (expected <f4, <f8, <i4, <i8 or |b1)");
  size_t n = 1;
  for (int64_t s : shape)
    n *= size_t(s);
  size_t bytes = n * ej::dtype_size(d->dtype);
  if (data.size() - at - len < bytes)
    bad(path, "truncated data: " + std::to_string(bytes) + " bytes expected, " +
                  std::to_string(data.size() - at - len) + " present");
  const char *p = data.data() + at + len;
  switch (d->dtype) {
  case ej::DType::Float32:
    return from_bytes<float>(p, n, shape);
  case ej::DType::Float64:
    return from_bytes<double>(p, n, shape);
  case ej::DType::Int32:
    return from_bytes<int32_t>(p, n, shape);
  case ej::DType::Int64:
    return from_bytes<int64_t>(p, n, shape);
  case ej::DType::Bool: {
    std::vector<uint8_t> raw(p, p + n);
    return ej::Tensor::from_vector(std::vector<bool>(raw.begin(), raw.end()),
                                   shape);
  }
  }
  bad(path, "unsupported element type");
}

void write_npy(const std::string &path, const ej::Tensor &t) {
  const char *descr = nullptr;
  for (const Descr &c : kDescrs)
    if (c.dtype == t.dtype())
      descr = c.code;
  std::string shape = "(";
  for (int64_t s : t.shape())
    shape += std::to_string(s) + ", ";
  if (t.rank() > 1)
    shape.resize(shape.size() - 2);
  else if (t.rank() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  ej::Tensor c = t.contiguous();
  if (t.dtype() == ej::bool_) {
    for (bool b : c.to_vector<bool>())
      out += char(b);
  } else if (t.size() > 0) {
    const char *p = t.dtype() == ej::float32
                        ? reinterpret_cast<const char *>(c.data<float>())
                    : t.dtype() == ej::float64
                        ? reinterpret_cast<const char *>(c.data<double>())
                    : t.dtype() == ej::int32
                        ? reinterpret_cast<const char *>(c.data<int32_t>())
                        : reinterpret_cast<const char *>(c.data<int64_t>());
    out.append(p, size_t(t.size()) * ej::dtype_size(t.dtype()));
  }
  std::ofstream f(path, std::ios::binary);
  if (!(f << out) || !f.flush())
    bad(path, "cannot write the file");
}

} // namespace ejrun
