//===- Npz.cpp - NumPy .npz archives (zip files of .npy entries) ----------===//
//
// Writes the simplest zip that numpy.load and every unzip read: stored
// entries, each a local header, the data and (in the central directory) a
// copy of the header with its offset; CRC-32s from zlib. Reading walks the
// central directory from the end-of-central-directory record and checks
// every offset, size and CRC before an entry is decoded, so a truncated or
// corrupt archive is an error rather than a wrong array. Entries may also
// be deflated (numpy.savez_compressed). Zip64 (4 GiB and more) is not
// supported and says so.
//
//===----------------------------------------------------------------------===//
#include "ej/checkpoint.h"
#include "lib/checkpoint/Files.h"

#include <set>
#include <zlib.h>

namespace ej {
namespace {

[[noreturn]] void bad(const std::string &path, const std::string &why) {
  throw Error("npz: " + path + ": " + why);
}

void put16(std::string &s, uint32_t v) {
  s += char(v & 0xff);
  s += char((v >> 8) & 0xff);
}
void put32(std::string &s, uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}
uint32_t get16(const std::string &s, size_t at) {
  return uint32_t(static_cast<unsigned char>(s[at])) |
         uint32_t(static_cast<unsigned char>(s[at + 1])) << 8;
}
uint32_t get32(const std::string &s, size_t at) {
  return get16(s, at) | get16(s, at + 2) << 16;
}

constexpr uint32_t kLocal = 0x04034b50, kCentral = 0x02014b50,
                   kEnd = 0x06054b50;
constexpr uint32_t kDosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01
constexpr size_t kLimit = 0xffffffffu;

uint32_t crc_of(const std::string &data) {
  uLong crc = crc32(0, nullptr, 0);
  const Bytef *p = reinterpret_cast<const Bytef *>(data.data());
  size_t left = data.size();
  while (left > 0) {
    uInt n = uInt(std::min<size_t>(left, 1u << 30));
    crc = crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return uint32_t(crc);
}

std::string inflate_raw(const std::string &path, const std::string &name,
                        const char *data, size_t size, size_t expected) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK)
    bad(path, "zlib cannot start inflating");
  std::string out(expected, '\0');
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
  zs.avail_in = uInt(size);
  zs.next_out = reinterpret_cast<Bytef *>(out.data());
  zs.avail_out = uInt(expected);
  int rc = inflate(&zs, Z_FINISH);
  size_t produced = expected - zs.avail_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != expected)
    bad(path, "entry '" + name + "': corrupt deflated data");
  return out;
}

} // namespace

void write_npz(const std::string &path, const NamedTensors &arrays) {
  std::string out, central;
  std::set<std::string> seen;
  for (const auto &[name, t] : arrays) {
    if (name.empty())
      bad(path, "an array has an empty name");
    if (!seen.insert(name).second)
      bad(path, "the name '" + name + "' is used twice");
    std::string file = name + ".npy";
    std::string data = encode_npy(t);
    if (data.size() >= kLimit || out.size() >= kLimit || file.size() > 0xffff)
      bad(path, "'" + name + "' does not fit a zip without zip64 (4 GiB)");
    uint32_t crc = crc_of(data);
    uint32_t offset = uint32_t(out.size());
    auto header = [&](std::string &s, bool local) {
      put32(s, local ? kLocal : kCentral);
      if (!local)
        put16(s, 20); // made by: version 2.0
      put16(s, 20);   // needed to extract
      put16(s, 0);    // flags
      put16(s, 0);    // stored
      put16(s, 0);    // time
      put16(s, kDosDate);
      put32(s, crc);
      put32(s, uint32_t(data.size()));
      put32(s, uint32_t(data.size()));
      put16(s, uint32_t(file.size()));
      put16(s, 0); // extra field
      if (!local) {
        put16(s, 0); // comment
        put16(s, 0); // disk
        put16(s, 0); // internal attributes
        put32(s, 0); // external attributes
        put32(s, offset);
      }
      s += file;
    };
    header(out, true);
    out += data;
    header(central, false);
  }
  if (arrays.size() > 0xffff || out.size() + central.size() >= kLimit)
    bad(path, "the archive does not fit a zip without zip64 (4 GiB, 65535 "
              "entries)");
  uint32_t central_at = uint32_t(out.size());
  out += central;
  put32(out, kEnd);
  put16(out, 0);
  put16(out, 0);
  put16(out, uint32_t(arrays.size()));
  put16(out, uint32_t(arrays.size()));
  put32(out, uint32_t(central.size()));
  put32(out, central_at);
  put16(out, 0); // comment
  detail::write_file_atomically("npz", path, out);
}

NamedTensors read_npz(const std::string &path) {
  std::string s = detail::read_whole_file("npz", path);
  // The end record is the last 22 bytes, before a comment of up to 64 KiB.
  size_t end = std::string::npos;
  if (s.size() >= 22)
    for (size_t at = s.size() - 22;; --at) {
      if (get32(s, at) == kEnd && at + 22 + get16(s, at + 20) == s.size()) {
        end = at;
        break;
      }
      if (at == 0 || s.size() - at > 22 + 0xffff)
        break;
    }
  if (end == std::string::npos)
    bad(path, s.size() >= 4 && get32(s, 0) == kLocal
                  ? "truncated (no end-of-central-directory record)"
                  : "not a zip archive");
  size_t count = get16(s, end + 10);
  size_t dir_size = get32(s, end + 12), dir_at = get32(s, end + 16);
  if (dir_at == kLimit || count == 0xffff)
    bad(path, "zip64 archives are not supported");
  if (get16(s, end + 4) != 0 || get16(s, end + 8) != count)
    bad(path, "multi-disk archives are not supported");
  if (dir_at + dir_size > end)
    bad(path, "truncated or corrupt (the central directory lies outside the "
              "file)");
  NamedTensors arrays;
  size_t at = dir_at;
  for (size_t i = 0; i < count; ++i) {
    if (at + 46 > end || get32(s, at) != kCentral)
      bad(path, "corrupt central directory (entry " + std::to_string(i) + ")");
    uint32_t flags = get16(s, at + 8), method = get16(s, at + 10);
    uint32_t crc = get32(s, at + 16);
    size_t packed = get32(s, at + 20), size = get32(s, at + 24);
    size_t name_len = get16(s, at + 28), extra = get16(s, at + 30),
           comment = get16(s, at + 32);
    size_t local = get32(s, at + 42);
    if (at + 46 + name_len > end)
      bad(path, "corrupt central directory (entry " + std::to_string(i) + ")");
    std::string file = s.substr(at + 46, name_len);
    at += 46 + name_len + extra + comment;
    if (flags & 1)
      bad(path, "entry '" + file + "' is encrypted");
    if (method != 0 && method != 8)
      bad(path, "entry '" + file + "' uses compression method " +
                    std::to_string(method) + " (expected 0 or 8)");
    if (local + 30 > dir_at || get32(s, local) != kLocal)
      bad(path, "entry '" + file + "': corrupt local header");
    size_t data_at = local + 30 + get16(s, local + 26) + get16(s, local + 28);
    if (data_at + packed > dir_at)
      bad(path, "entry '" + file + "': truncated data");
    std::string data =
        method == 0 ? s.substr(data_at, packed)
                    : inflate_raw(path, file, s.data() + data_at, packed, size);
    if (data.size() != size)
      bad(path, "entry '" + file + "': " + std::to_string(data.size()) +
                    " bytes where the directory says " + std::to_string(size));
    if (crc_of(data) != crc)
      bad(path, "entry '" + file + "' is corrupt (CRC-32 mismatch)");
    std::string name = file;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    arrays.emplace_back(name, decode_npy(data, path + ": " + file));
  }
  return arrays;
}

} // namespace ej
