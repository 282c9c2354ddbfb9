//===- Npy.cpp - NumPy .npy arrays ----------------------------------------===//
//
// The format: "\x93NUMPY", a version (major, minor), a little-endian header
// length (2 bytes in version 1, 4 in versions 2 and 3), then a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded
// with spaces and a newline, then the raw elements.
//
//===----------------------------------------------------------------------===//
#include "ej/checkpoint.h"
#include "lib/TensorImpl.h"
#include "lib/checkpoint/Files.h"

#include <cstring>
#include <regex>

namespace ej {
namespace {

[[noreturn]] void bad(const std::string &what, const std::string &why) {
  throw Error("npy: " + what + ": " + why);
}

struct Descr {
  const char *code;
  DType dtype;
};
constexpr Descr kDescrs[] = {{"<f4", float32},
                             {"<f8", float64},
                             {"<i4", int32},
                             {"<i8", int64},
                             {"|b1", bool_}};

template <class T>
Tensor from_bytes(const char *p, size_t n, const std::vector<int64_t> &shape) {
  std::vector<T> v(n);
  if (n > 0)
    std::memcpy(v.data(), p, n * sizeof(T));
  return Tensor::from_vector(v, shape);
}

// The header's shape: a Python tuple of non-negative integers, "", "3,",
// "2, 3" or "2, 3,".
std::vector<int64_t> parse_shape(const std::string &dims,
                                 const std::string &what) {
  std::vector<int64_t> shape;
  size_t i = 0;
  auto skip = [&] {
    while (i < dims.size() && dims[i] == ' ')
      ++i;
  };
  auto malformed = [&] { bad(what, "malformed shape (" + dims + ")"); };
  for (skip(); i < dims.size();) {
    size_t start = i;
    int64_t v = 0;
    for (; i < dims.size() && dims[i] >= '0' && dims[i] <= '9'; ++i)
      if (__builtin_mul_overflow(v, 10, &v) ||
          __builtin_add_overflow(v, dims[i] - '0', &v))
        bad(what, "a dimension of shape (" + dims + ") is too large");
    if (i == start)
      malformed();
    shape.push_back(v);
    skip();
    if (i == dims.size())
      break;
    if (dims[i] != ',')
      malformed();
    ++i;
    skip();
  }
  if (shape.size() > size_t(detail::kMaxRank))
    bad(what, "rank " + std::to_string(shape.size()) +
                  " exceeds the maximum rank " +
                  std::to_string(detail::kMaxRank));
  return shape;
}

} // namespace

Tensor decode_npy(const std::string &data, const std::string &what) {
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    bad(what, "not a .npy file (no \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(data[6]);
  size_t at, len;
  if (major == 1) {
    len = size_t(static_cast<unsigned char>(data[8])) |
          size_t(static_cast<unsigned char>(data[9])) << 8;
    at = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12)
      bad(what, "truncated header");
    len = 0;
    for (int i = 0; i < 4; ++i)
      len |= size_t(static_cast<unsigned char>(data[8 + size_t(i)])) << (8 * i);
    at = 12;
  } else {
    bad(what, "unsupported format version " + std::to_string(major));
  }
  if (data.size() < at + len)
    bad(what, "truncated header");
  std::string header = data.substr(at, len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'")))
    bad(what, "the header has no 'descr'");
  std::string descr = m[1];
  if (std::regex_search(header, std::regex("'fortran_order'\\s*:\\s*True")))
    bad(what, "Fortran-order arrays are not supported");
  if (!std::regex_search(header, m,
                         std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    bad(what, "the header has no 'shape'");
  std::vector<int64_t> shape = parse_shape(m[1], what);
  const Descr *d = nullptr;
  for (const Descr &c : kDescrs)
    if (descr == c.code || (descr.size() == 3 && descr[0] == '=' &&
                            descr.substr(1) == std::string(c.code + 1)))
      d = &c;
  if (!d)
    bad(what, "unsupported element type '" + descr +
                  "' (expected <f4, <f8, <i4, <i8 or |b1)");
  size_t n = 1, bytes = 0;
  for (int64_t s : shape)
    if (__builtin_mul_overflow(n, size_t(s), &n))
      bad(what, "shape " + shape_str(shape) + " has too many elements");
  if (__builtin_mul_overflow(n, dtype_size(d->dtype), &bytes))
    bad(what, "shape " + shape_str(shape) + " has too many elements");
  size_t present = data.size() - at - len;
  if (present != bytes)
    bad(what, std::string(present < bytes ? "truncated" : "trailing") +
                  " data: " + std::to_string(bytes) + " bytes expected for " +
                  shape_str(shape) + ", " + std::to_string(present) +
                  " present");
  const char *p = data.data() + at + len;
  switch (d->dtype) {
  case DType::Float32:
    return from_bytes<float>(p, n, shape);
  case DType::Float64:
    return from_bytes<double>(p, n, shape);
  case DType::Int32:
    return from_bytes<int32_t>(p, n, shape);
  case DType::Int64:
    return from_bytes<int64_t>(p, n, shape);
  case DType::Bool: {
    std::vector<uint8_t> raw(p, p + n);
    return Tensor::from_vector(std::vector<bool>(raw.begin(), raw.end()),
                               shape);
  }
  }
  bad(what, "unsupported element type");
}

std::string encode_npy(const Tensor &t) {
  if (!t.defined())
    throw Error("npy: the tensor is undefined");
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
  Tensor c = t.cpu().contiguous();
  if (t.dtype() == bool_) {
    for (bool b : c.to_vector<bool>())
      out += char(b);
  } else if (t.size() > 0) {
    const char *p = t.dtype() == float32
                        ? reinterpret_cast<const char *>(c.data<float>())
                    : t.dtype() == float64
                        ? reinterpret_cast<const char *>(c.data<double>())
                    : t.dtype() == int32
                        ? reinterpret_cast<const char *>(c.data<int32_t>())
                        : reinterpret_cast<const char *>(c.data<int64_t>());
    out.append(p, size_t(t.size()) * dtype_size(t.dtype()));
  }
  return out;
}

Tensor read_npy(const std::string &path) {
  return decode_npy(detail::read_whole_file("npy", path), path);
}

void write_npy(const std::string &path, const Tensor &t) {
  detail::write_file_atomically("npy", path, encode_npy(t));
}

} // namespace ej
