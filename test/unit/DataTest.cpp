//===- DataTest.cpp - Datasets and the IDX reader -------------------------===//
//
// Pipelines against the element sequences tf.data defines; IDX files are
// small synthetic ones written here, plain and gzip-compressed, then
// truncated and corrupted.
//
//===----------------------------------------------------------------------===//
#include "test/unit/Reference.h"

#include <ej/data.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <limits>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace {

using ej::Tensor;
using ej::data::Dataset;
using ej::data::Element;

std::vector<int64_t> firsts(const Dataset &ds) {
  std::vector<int64_t> out;
  for (const Element &e : ds)
    for (int64_t v : e[0].to_vector<int64_t>())
      out.push_back(v);
  return out;
}

TEST(Data, TheSeedsPipelineSquaresShufflesAndBatches) {
  // tf.data.Dataset.from_tensor_slices([1, 2, 3, 4, 5, 6])
  //     .map(tf.square).shuffle(2).batch(2)
  Dataset ds = Dataset::from_tensor_slices(ej::constant({1, 2, 3, 4, 5, 6}))
                   .map(ej::square)
                   .shuffle(2, 7)
                   .batch(2);
  std::vector<int64_t> got = firsts(ds);
  std::multiset<int64_t> seen(got.begin(), got.end());
  EXPECT_EQ(seen, (std::multiset<int64_t>{1, 4, 9, 16, 25, 36}));
  // With a buffer of 2 an element moves at most a few places: 36 cannot
  // come before the third output.
  for (size_t i = 0; i < 2; ++i)
    EXPECT_NE(got[i], 36);
  int batches = 0;
  for (const Element &b : ds) {
    EXPECT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].shape(), (ref::Shape{2}));
    EXPECT_EQ(b[0].dtype(), ej::int32);
    ++batches;
  }
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(ds.cardinality(), 3);
}

TEST(Data, SlicesOfSeveralTensorsStayAligned) {
  Tensor x = ej::reshape(ej::arange(12), {6, 2});
  Tensor y = ej::arange(6, ej::int64) * 10;
  Dataset ds = Dataset::from_tensor_slices({x, y}).shuffle(6, 3).batch(4);
  std::vector<int64_t> sizes;
  for (const Element &b : ds) {
    ASSERT_EQ(b.size(), 2u);
    std::vector<int> xs = b[0].to_vector<int>();
    std::vector<int64_t> ys = b[1].to_vector<int64_t>();
    for (size_t i = 0; i < ys.size(); ++i) {
      EXPECT_EQ(xs[2 * i], ys[i] / 5); // row r is (2r, 2r + 1), y = 10 r
      EXPECT_EQ(xs[2 * i + 1], ys[i] / 5 + 1);
    }
    sizes.push_back(b[0].dim(0));
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 2}));
  EXPECT_THROW(Dataset::from_tensor_slices({x, ej::arange(5)}), ej::Error);
  EXPECT_THROW(Dataset::from_tensor_slices(ej::constant(1)), ej::Error);
}

// Slicing and batching move the user's data; they run in the interpreter
// outside the trace (no region, no statistics), while a map's function is
// the user's program and is traced. A source that a compiled region has
// not computed yet is computed first.
TEST(Data, SlicingAndBatchingRunOutsideTheTraceAndMapsInsideIt) {
  Tensor x = ej::reshape(ej::arange(24, ej::float32), {12, 2});
  for (int i = 0; i < 4; ++i) { // hot: the last source may be deferred
    ej::Step step;
    x = x + 1;
  }
  Tensor source = x * 2;
  std::vector<float> got, want;
  for (const Element &b : Dataset::from_tensor_slices(source).batch(5))
    for (float v : b[0].to_vector<float>())
      got.push_back(v);
  for (int i = 0; i < 24; ++i)
    want.push_back(float(2 * (i + 4)));
  EXPECT_EQ(got, want);

  // With the tracing JIT off, every traced op counts as one cold op.
  bool was = ej::jit::enabled();
  ej::jit::set_enabled(false);
  ej::jit::reset_stats();
  for (const Element &b : Dataset::from_tensor_slices(source).batch(5))
    EXPECT_GT(b[0].dim(0), 0);
  EXPECT_EQ(ej::jit::stats().ops_cold, 0u);
  auto f = [](const Tensor &t) { return t * 3; };
  ej::jit::reset_stats();
  f(source[0]);
  uint64_t per_call = ej::jit::stats().ops_cold - 1; // less the slice
  ej::jit::reset_stats();
  size_t n = 0;
  for (const Element &e : Dataset::from_tensor_slices(source).map(f))
    n += e[0].to_vector<float>().size();
  EXPECT_EQ(n, 24u);
  EXPECT_EQ(ej::jit::stats().ops_cold, 12 * per_call);
  ej::jit::set_enabled(was);
}

TEST(Data, RangeTakeRepeatAndDropRemainder) {
  EXPECT_EQ(firsts(Dataset::range(5)), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(firsts(Dataset::range(10, 2, -3)),
            (std::vector<int64_t>{10, 7, 4}));
  EXPECT_EQ(firsts(Dataset::range(3).repeat(2)),
            (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(firsts(Dataset::range(3).repeat().take(7)),
            (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(firsts(Dataset::range(7).batch(3, true)),
            (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(Dataset::range(7).batch(3, true).cardinality(), 2);
  EXPECT_EQ(Dataset::range(7).batch(3).cardinality(), 3);
  EXPECT_EQ(Dataset::range(3).repeat().cardinality(), -1);
  EXPECT_EQ(Dataset::range(3).repeat().take(4).cardinality(), 4);
  // An empty dataset repeated for ever ends.
  EXPECT_TRUE(firsts(Dataset::range(0).repeat()).empty());
  EXPECT_THROW(Dataset::range(3).batch(0), ej::Error);
  EXPECT_THROW(Dataset::range(3).take(-2), ej::Error);
}

// Near int64's limits ranges end where they should and counts do not wrap.
TEST(Data, RangesAndCountsAtInt64sLimits) {
  const int64_t max = std::numeric_limits<int64_t>::max(),
                min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(firsts(Dataset::range(max - 2, max, 5)),
            (std::vector<int64_t>{max - 2}));
  EXPECT_EQ(Dataset::range(max - 2, max, 5).cardinality(), 1);
  EXPECT_EQ(firsts(Dataset::range(min, max, max)),
            (std::vector<int64_t>{min, -1, max - 1}));
  EXPECT_EQ(Dataset::range(min, max, max).cardinality(), 3);
  EXPECT_EQ(Dataset::range(0, max, max / 2).cardinality(), 3);
  EXPECT_EQ(Dataset::range(max).repeat(max).cardinality(), max);
  EXPECT_EQ(Dataset::range(max).batch(max - 1).cardinality(), 2);
}

TEST(Data, AMapFunctionThatReturnsNothingIsAnError) {
  Dataset d = Dataset::range(3).map([](Tensor) { return Tensor(); });
  EXPECT_NE(ref::error_of([&] {
              for (const auto &e : d)
                (void)e;
            }).find("map: the function returned an undefined tensor"),
            std::string::npos);
}

TEST(Data, MapAndFilterTakeComponentsOrWholeElements) {
  Dataset pairs = Dataset::from_tensor_slices(
      {ej::constant({1, 2, 3, 4}), ej::constant({10, 20, 30, 40})});
  Dataset summed = pairs.map([](Tensor a, Tensor b) { return a + b; });
  EXPECT_EQ(firsts(summed), (std::vector<int64_t>{11, 22, 33, 44}));
  Dataset swapped =
      pairs.map([](Tensor a, Tensor b) { return std::make_pair(b, a); });
  EXPECT_EQ(firsts(swapped), (std::vector<int64_t>{10, 20, 30, 40}));
  Dataset whole =
      pairs.map([](const Element &e) { return Element{e[1] - e[0]}; });
  EXPECT_EQ(firsts(whole), (std::vector<int64_t>{9, 18, 27, 36}));
  Dataset even =
      pairs.filter([](Tensor a, Tensor) { return a.item<int>() % 2 == 0; });
  EXPECT_EQ(firsts(even), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(even.cardinality(), -2);
  Dataset big = pairs.filter([](const Element &e) { return e[1] > 25; });
  EXPECT_EQ(firsts(big), (std::vector<int64_t>{3, 4}));
  // A function of the wrong arity is an error when it meets an element.
  Dataset wrong =
      Dataset::range(2).map([](Tensor a, Tensor b) { return a + b; });
  EXPECT_THROW(firsts(wrong), ej::Error);
}

TEST(Data, ShuffleIsASeededPermutationThatChangesEachPass) {
  Dataset ds = Dataset::range(100).shuffle(30, 42);
  std::vector<int64_t> a = firsts(ds), b = firsts(ds);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, firsts(Dataset::range(100)));
  EXPECT_NE(a, firsts(Dataset::range(100)));
  EXPECT_NE(a, b); // the second pass has its own order
  // The same seed gives the same passes.
  Dataset again = Dataset::range(100).shuffle(30, 42);
  EXPECT_EQ(firsts(again), a);
  EXPECT_EQ(firsts(again), b);
  EXPECT_NE(firsts(Dataset::range(100).shuffle(30, 43)), a);
}

TEST(Data, BatchingMismatchedShapesIsAnError) {
  Dataset ds = Dataset::range(1, 4).map(
      [](Tensor n) { return ej::zeros({n.item<int64_t>()}); });
  try {
    firsts(ds.batch(3));
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("batch: component 0 of element 1 is "
                                         "float32 (2,), the first element's "
                                         "is float32 (1,)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Data, PrefetchGivesTheSameElementsAndPassesErrorsOn) {
  Dataset base = Dataset::range(50).map([](Tensor x) { return x * x; });
  EXPECT_EQ(firsts(base.prefetch(3)), firsts(base));
  EXPECT_EQ(firsts(base.batch(8).prefetch(1)), firsts(base.batch(8)));
  // Stopping early joins the producer (no hang, no leak).
  std::atomic<int> produced{0};
  Dataset counted = Dataset::range(1000000)
                        .map([&](Tensor x) {
                          ++produced;
                          return x;
                        })
                        .prefetch(4);
  for (const Element &e : counted)
    if (e[0].item<int64_t>() == 10)
      break;
  EXPECT_LE(produced.load(), 11 + 4 + 1);
  Dataset failing = Dataset::range(5).map([](Tensor x) {
    if (x.item<int64_t>() == 3)
      throw ej::Error("map: three");
    return x;
  });
  std::vector<int64_t> got;
  try {
    for (const Element &e : failing.prefetch(2))
      got.push_back(e[0].item<int64_t>());
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_STREQ(e.what(), "map: three");
  }
  EXPECT_EQ(got, (std::vector<int64_t>{0, 1, 2}));
}

// --- IDX ---------------------------------------------------------------------

std::string temp_path(const std::string &name) {
  return ::testing::TempDir() + "ej-data-" + std::to_string(::getpid()) + "-" +
         name;
}

std::string idx_bytes(uint8_t type, const std::vector<uint32_t> &dims,
                      const std::string &payload) {
  std::string s{'\0', '\0', char(type), char(dims.size())};
  for (uint32_t d : dims)
    for (int k = 3; k >= 0; --k)
      s += char((d >> (8 * k)) & 0xff);
  return s + payload;
}

void write(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string gzip(const std::string &bytes) {
  std::string path = temp_path("tmp.gz");
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
  std::ifstream in(path, std::ios::binary);
  std::string out((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return out;
}

std::string expect_error(const std::string &path) {
  try {
    ej::data::read_idx(path);
  } catch (const ej::Error &e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << path;
  return "";
}

TEST(Data, IdxFilesReadPlainAndGzipped) {
  std::vector<double> pixels = ref::integers(2 * 3 * 4, 0, 255, 61);
  std::string payload;
  for (double p : pixels)
    payload += char(uint8_t(p));
  std::string bytes = idx_bytes(0x08, {2, 3, 4}, payload);
  std::string plain = temp_path("images.idx"), gz = temp_path("images.gz");
  write(plain, bytes);
  write(gz, gzip(bytes));
  for (const std::string &p : {plain, gz}) {
    Tensor t = ej::data::read_idx(p);
    EXPECT_EQ(t.shape(), (ref::Shape{2, 3, 4}));
    EXPECT_EQ(t.dtype(), ej::int32);
    EXPECT_EQ(ref::values(t), pixels);
  }
  EXPECT_EQ(ej::data::read_idx(gz, ej::float32).dtype(), ej::float32);
  // Two gzip members are one file, as gzip -d reads them; bytes after the
  // last member are an error.
  size_t half = bytes.size() / 2;
  write(gz, gzip(bytes.substr(0, half)) + gzip(bytes.substr(half)));
  EXPECT_EQ(ref::values(ej::data::read_idx(gz)), pixels);
  write(gz, gzip(bytes) + "junk");
  EXPECT_NE(expect_error(gz).find("4 bytes after the gzip data"),
            std::string::npos);
  // Big-endian signed 16-bit and float elements.
  std::string shorts =
      idx_bytes(0x0B, {3}, std::string("\xff\xfe\x01\x00\x00\x05", 6));
  write(plain, shorts);
  EXPECT_EQ(ej::data::read_idx(plain).to_vector<int>(),
            (std::vector<int>{-2, 256, 5}));
  std::string floats =
      idx_bytes(0x0D, {2}, std::string("\x3f\xc0\x00\x00\xc0\x20\x00\x00", 8));
  write(plain, floats);
  EXPECT_EQ(ej::data::read_idx(plain).to_vector<float>(),
            (std::vector<float>{1.5f, -2.5f}));
  std::remove(plain.c_str());
  std::remove(gz.c_str());
}

TEST(Data, BadIdxFilesAreClearErrors) {
  std::string payload(24, '\x07');
  std::string bytes = idx_bytes(0x08, {2, 3, 4}, payload);
  std::string path = temp_path("bad.idx");
  EXPECT_NE(expect_error(temp_path("missing.idx")).find("cannot open the file"),
            std::string::npos);
  write(path, bytes.substr(0, bytes.size() - 5));
  EXPECT_NE(expect_error(path).find("truncated data: 24 bytes of elements for "
                                    "(2, 3, 4), 19 present"),
            std::string::npos);
  write(path, bytes.substr(0, 9));
  EXPECT_NE(expect_error(path).find("truncated header"), std::string::npos);
  write(path, "PK\x03\x04 not idx");
  EXPECT_NE(expect_error(path).find("not an IDX file"), std::string::npos);
  write(path, idx_bytes(0x0A, {1}, "x"));
  EXPECT_NE(expect_error(path).find("unknown element type 0x0a"),
            std::string::npos);
  std::string gz = gzip(bytes);
  write(path, gz.substr(0, gz.size() / 2));
  EXPECT_NE(expect_error(path).find("truncated gzip data"), std::string::npos);
  std::string corrupt = gz;
  corrupt[gz.size() - 6] ^= 0x5a; // the CRC-32 of the data
  write(path, corrupt);
  EXPECT_NE(expect_error(path).find("corrupt gzip data"), std::string::npos)
      << expect_error(path);
  std::remove(path.c_str());
  EXPECT_FALSE(ej::data::mnist_available(temp_path("nowhere")));
  EXPECT_THROW(ej::data::load_mnist(temp_path("nowhere")), ej::Error);
}

TEST(Data, LoadMnistReadsTheFourFiles) {
  std::string dir = temp_path("mnist");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST, true);
  auto images = [](uint32_t n) {
    return gzip(idx_bytes(0x08, {n, 2, 2}, std::string(4 * n, '\xff')));
  };
  write(dir + "/train-images-idx3-ubyte.gz", images(3));
  write(dir + "/train-labels-idx1-ubyte.gz",
        gzip(idx_bytes(0x08, {3}, "\x01\x02\x09")));
  write(dir + "/t10k-images-idx3-ubyte.gz", images(2));
  write(dir + "/t10k-labels-idx1-ubyte.gz", gzip(idx_bytes(0x08, {1}, "\x04")));
  ASSERT_TRUE(ej::data::mnist_available(dir));
  try {
    ej::data::load_mnist(dir);
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("expected 2 labels, got (1,)"),
              std::string::npos)
        << e.what();
  }
  write(dir + "/t10k-labels-idx1-ubyte.gz",
        gzip(idx_bytes(0x08, {2}, std::string("\x00\x07", 2))));
  ej::data::Mnist m = ej::data::load_mnist(dir);
  EXPECT_EQ(m.train_images.shape(), (ref::Shape{3, 2, 2}));
  EXPECT_EQ(m.train_images.dtype(), ej::float32);
  EXPECT_FLOAT_EQ(ej::reduce_max(m.train_images).item<float>(), 1.f);
  EXPECT_EQ(m.train_labels.to_vector<int>(), (std::vector<int>{1, 2, 9}));
  EXPECT_EQ(m.test_labels.to_vector<int>(), (std::vector<int>{0, 7}));
  for (const char *f :
       {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
    std::remove((dir + "/" + f).c_str());
  ::rmdir(dir.c_str());
}

} // namespace
