//===- Idx.cpp - IDX files (MNIST's format), plain or gzip-compressed -----===//
//
// The format: two zero bytes, an element-type byte, a rank byte, one
// big-endian uint32 per dimension, then the elements, big-endian, row-major.
// Files ending in .gz (or starting with gzip's magic) are inflated with
// zlib first. Everything is checked before a tensor is made: a bad magic,
// an unknown type, a size that does not match the dimensions, a truncated
// or corrupt gzip stream are each an ej::Error naming the file.
//
//===----------------------------------------------------------------------===//
#include "ej/data.h"
#include "ej/ops.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <zlib.h>

namespace ej::data {
namespace {

[[noreturn]] void bad(const std::string &path, const std::string &why) {
  throw Error("read_idx: " + path + ": " + why);
}

std::string read_file(const std::string &path) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    bad(path,
        std::string("cannot open the file (") + std::strerror(errno) + ")");
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    data.append(buf, n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed)
    bad(path, "cannot read the file");
  return data;
}

std::string gunzip(const std::string &path, const std::string &in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK)
    bad(path, "zlib cannot start inflating");
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  zs.avail_in = uInt(in.size());
  std::string out;
  char buf[1 << 16];
  int rc;
  // Members one after another are one file, as gzip -d reads them.
  for (;;) {
    do {
      zs.next_out = reinterpret_cast<Bytef *>(buf);
      zs.avail_out = sizeof buf;
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_NEED_DICT ||
          rc == Z_STREAM_ERROR) {
        std::string msg = zs.msg ? zs.msg : "error " + std::to_string(rc);
        inflateEnd(&zs);
        bad(path, "corrupt gzip data (" + msg + ")");
      }
      out.append(buf, sizeof buf - zs.avail_out);
    } while (rc != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
    if (rc != Z_STREAM_END || zs.avail_in == 0)
      break;
    if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
      size_t extra = zs.avail_in;
      inflateEnd(&zs);
      bad(path, std::to_string(extra) + " bytes after the gzip data");
    }
    inflateReset(&zs);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END)
    bad(path, "truncated gzip data (the stream ends after " +
                  std::to_string(out.size()) + " bytes of output)");
  return out;
}

uint32_t be32(const unsigned char *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

// The n big-endian elements of IDX type `type` at p, converted to Out.
template <class Out>
void convert(const unsigned char *p, int type, size_t n, Out *out) {
  if (type == 0x08) { // the common case (MNIST), in a loop of its own
    for (size_t i = 0; i < n; ++i)
      out[i] = Out(p[i]);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    switch (type) {
    case 0x08:
      out[i] = Out(p[i]);
      break;
    case 0x09:
      out[i] = Out(int8_t(p[i]));
      break;
    case 0x0B:
      out[i] = Out(int16_t(uint16_t(p[2 * i] << 8 | p[2 * i + 1])));
      break;
    case 0x0C:
      out[i] = Out(int32_t(be32(p + 4 * i)));
      break;
    case 0x0D: {
      uint32_t u = be32(p + 4 * i);
      float f;
      std::memcpy(&f, &u, 4);
      out[i] = Out(f);
      break;
    }
    case 0x0E: {
      uint64_t u = uint64_t(be32(p + 8 * i)) << 32 | be32(p + 8 * i + 4);
      double d;
      std::memcpy(&d, &u, 8);
      out[i] = Out(d);
      break;
    }
    }
  }
}

template <class Out>
Tensor make(const unsigned char *p, int type, size_t n,
            const std::vector<int64_t> &shape, double scale) {
  std::vector<Out> v(n);
  convert(p, type, n, v.data());
  if (scale != 1)
    for (Out &x : v)
      x = Out(x * scale);
  return Tensor::from_vector(v, shape);
}

// read_idx, multiplying floating results by `scale` on the way.
Tensor read_idx_scaled(const std::string &path, std::optional<DType> dtype,
                       double scale) {
  std::string raw = read_file(path);
  bool gz = raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f &&
            static_cast<unsigned char>(raw[1]) == 0x8b;
  std::string data = gz ? gunzip(path, raw) : std::move(raw);
  const auto *p = reinterpret_cast<const unsigned char *>(data.data());
  if (data.size() < 4 || p[0] != 0 || p[1] != 0)
    bad(path, "not an IDX file (expected the magic 00 00 <type> <rank>)");
  int type = p[2], rank = p[3];
  size_t width;
  switch (type) {
  case 0x08:
  case 0x09:
    width = 1;
    break;
  case 0x0B:
    width = 2;
    break;
  case 0x0C:
  case 0x0D:
    width = 4;
    break;
  case 0x0E:
    width = 8;
    break;
  default: {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", type);
    bad(path, std::string("unknown element type ") + hex +
                  " (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)");
  }
  }
  if (rank == 0 || rank > 8)
    bad(path, "rank " + std::to_string(rank) + " is not in 1..8");
  size_t header = 4 + 4 * size_t(rank);
  if (data.size() < header)
    bad(path, "truncated header: " + std::to_string(data.size()) +
                  " bytes, the dimensions need " + std::to_string(header));
  std::vector<int64_t> shape;
  size_t n = 1, want = 0;
  bool overflow = false;
  for (int i = 0; i < rank; ++i) {
    shape.push_back(be32(p + 4 + 4 * i));
    overflow |= __builtin_mul_overflow(n, size_t(shape.back()), &n);
  }
  overflow |= __builtin_mul_overflow(n, width, &want) ||
              __builtin_add_overflow(want, header, &want);
  if (overflow)
    bad(path, "dimensions " + shape_str(shape) +
                  " hold more elements than memory can");
  if (data.size() != want)
    bad(path, (data.size() < want ? "truncated data: " : "trailing data: ") +
                  std::to_string(want - header) + " bytes of elements for " +
                  shape_str(shape) + ", " +
                  std::to_string(data.size() - header) + " present");
  DType out = dtype          ? *dtype
              : type == 0x0D ? float32
              : type == 0x0E ? float64
                             : int32;
  p += header;
  switch (out) {
  case DType::Float32:
    return make<float>(p, type, n, shape, scale);
  case DType::Float64:
    return make<double>(p, type, n, shape, scale);
  case DType::Int32:
    return make<int32_t>(p, type, n, shape, scale);
  case DType::Int64:
    return make<int64_t>(p, type, n, shape, scale);
  case DType::Bool:
    break;
  }
  bad(path, std::string("cannot read into ") + dtype_name(out) +
                " (expected int32, int64, float32 or float64)");
}

const char *const kMnistFiles[] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

} // namespace

Tensor read_idx(const std::string &path, std::optional<DType> dtype) {
  return read_idx_scaled(path, dtype, 1);
}

bool mnist_available(const std::string &dir) {
  struct stat st;
  for (const char *f : kMnistFiles)
    if (::stat((dir + "/" + f).c_str(), &st) != 0)
      return false;
  return true;
}

Mnist load_mnist(const std::string &dir) {
  auto images = [&](const char *f) {
    Tensor t = read_idx_scaled(dir + "/" + f, float32, 1.0 / 255);
    if (t.rank() != 3)
      throw Error("load_mnist: " + dir + "/" + f +
                  ": expected (N, rows, cols) images, got " +
                  shape_str(t.shape()));
    return t;
  };
  auto labels = [&](const char *f, const Tensor &imgs) {
    Tensor t = read_idx(dir + "/" + f, int32);
    if (t.rank() != 1 || t.dim(0) != imgs.dim(0))
      throw Error("load_mnist: " + dir + "/" + f + ": expected " +
                  std::to_string(imgs.dim(0)) + " labels, got " +
                  shape_str(t.shape()));
    return t;
  };
  Mnist m;
  m.train_images = images(kMnistFiles[0]);
  m.train_labels = labels(kMnistFiles[1], m.train_images);
  m.test_images = images(kMnistFiles[2]);
  m.test_labels = labels(kMnistFiles[3], m.test_images);
  return m;
}

} // namespace ej::data
