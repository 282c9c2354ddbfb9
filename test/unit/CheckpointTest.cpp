//===- CheckpointTest.cpp - .npy, .npz and checkpoints of Variables -------===//
//
// Round trips of every dtype and of a model with its optimizer state, and
// the failures a checkpoint must survive: truncation, corrupted bytes,
// wrong shapes and missing entries each give an ej::Error and leave every
// variable as it was.
//
//===----------------------------------------------------------------------===//
#include "test/unit/Reference.h"

#include <ej/checkpoint.h>
#include <ej/nn.h>
#include <ej/optim.h>

#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace {

using ej::Tensor;
using ej::Variable;

std::string temp_path(const std::string &name) {
  return ::testing::TempDir() + "ej-ckpt-" + std::to_string(::getpid()) + "-" +
         name;
}

std::string slurp(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)),
                     std::istreambuf_iterator<char>());
}

void spit(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::vector<std::vector<double>> values_of(const ej::NamedVariables &vars) {
  std::vector<std::vector<double>> out;
  for (const auto &[name, v] : vars)
    out.push_back(ref::values(v.read()));
  return out;
}

TEST(Checkpoint, NpyRoundTripsEveryDtype) {
  std::vector<Tensor> ts = {
      ref::tensor(ref::uniform(6, -5, 5, 1), {2, 3}, ej::float32),
      ref::tensor(ref::uniform(4, -5, 5, 2), {4}, ej::float64),
      ej::reshape(ej::arange(12), {2, 2, 3}),
      ej::arange(5, ej::int64) - 2,
      ej::constant({true, false, true}),
      ej::constant(2.5),
      ej::zeros({0, 3}),
      ej::transpose(ej::reshape(ej::arange(6), {2, 3})), // not row-major
  };
  for (const Tensor &t : ts) {
    Tensor back = ej::decode_npy(ej::encode_npy(t), "t");
    EXPECT_EQ(back.dtype(), t.dtype());
    EXPECT_EQ(back.shape(), t.shape());
    EXPECT_EQ(ref::values(back), ref::values(t));
  }
  std::string path = temp_path("a.npy");
  ej::write_npy(path, ts[0]);
  EXPECT_EQ(ref::values(ej::read_npy(path)), ref::values(ts[0]));
  std::string bytes = slurp(path);
  EXPECT_EQ(bytes.compare(0, 6, "\x93NUMPY"), 0);
  EXPECT_EQ((bytes.size() - 24) % 64, 0u); // header padded to 64 bytes
  spit(path, bytes.substr(0, bytes.size() - 1));
  EXPECT_THROW(ej::read_npy(path), ej::Error);
  std::remove(path.c_str());
}

// A .npy file whose header says `shape` (its text), followed by `data`:
// the header encode_npy writes, the shape replaced within its padding.
std::string npy_with_shape(const std::string &shape, const std::string &data) {
  std::string npy = ej::encode_npy(ej::zeros({1, 3}));
  size_t at = npy.find("(1, 3), }"), end = npy.find('\n', at);
  std::string text = shape + ", }";
  EXPECT_LE(text.size(), end - at) << "the shape must fit the padding";
  text.resize(end - at, ' ');
  return npy.replace(at, end - at, text).substr(0, end + 1) + data;
}

TEST(Checkpoint, NpyShapesAreTuplesOfNonNegativeIntegers) {
  std::string twelve(12, '\0');
  EXPECT_EQ(ej::decode_npy(npy_with_shape("(1, 3)", twelve), "t").shape(),
            (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(ej::decode_npy(npy_with_shape("(3,)", twelve), "t").shape(),
            (std::vector<int64_t>{3}));
  for (const char *bad :
       {"(-1, 3)", "(3.0,)", "(3,,1)", "(3 1)", "((3,),)",
        "(99999999999999999999999,)", "(4611686018427387904, 4)",
        "(1, 1, 1, 1, 1, 1, 1, 1, 1, 3)"}) {
    SCOPED_TRACE(bad);
    std::string error = ref::error_of(
        [&] { ej::decode_npy(npy_with_shape(bad, twelve), "t"); });
    EXPECT_NE(error.find("npy: t: "), std::string::npos) << error;
  }
  // A directory is not a file to read or write, and a path is not empty.
  EXPECT_NE(ref::error_of([] { ej::read_npy("/"); }).find("Is a directory"),
            std::string::npos);
  EXPECT_NE(ref::error_of([] {
              ej::save_checkpoint("/", {});
            }).find("Is a directory"),
            std::string::npos);
  EXPECT_NE(ref::error_of([] {
              ej::save_checkpoint("", {});
            }).find("the path is empty"),
            std::string::npos);
}

TEST(Checkpoint, NpzRoundTripsNamedArrays) {
  ej::NamedTensors arrays = {
      {"dense/kernel", ej::reshape(ej::arange(6.0, 12.0, 1.0), {2, 3})},
      {"step", ej::constant(std::vector<int64_t>{7}, {})},
      {"mask", ej::constant({true, false})}};
  std::string path = temp_path("a.npz");
  ej::write_npz(path, arrays);
  ej::NamedTensors back = ej::read_npz(path);
  ASSERT_EQ(back.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back[i].first, arrays[i].first);
    EXPECT_EQ(back[i].second.dtype(), arrays[i].second.dtype());
    EXPECT_EQ(back[i].second.shape(), arrays[i].second.shape());
    EXPECT_EQ(ref::values(back[i].second), ref::values(arrays[i].second));
  }
  std::string bytes = slurp(path);
  EXPECT_EQ(bytes.compare(0, 4, "PK\x03\x04"), 0);
  EXPECT_NE(bytes.find("dense/kernel.npy"), std::string::npos);
  EXPECT_THROW(
      ej::write_npz(path, {{"a", ej::ones({1})}, {"a", ej::ones({1})}}),
      ej::Error);
  std::remove(path.c_str());
}

// A small model with Adam state after one step, and its checkpoint names.
struct Trained {
  ej::nn::Sequential model{ej::nn::Dense(4, ej::nn::relu),
                           ej::nn::BatchNormalization(), ej::nn::Dense(3)};
  ej::optim::Adam opt{0.01};
  ej::NamedVariables vars;
  Tensor x = ref::tensor(ref::uniform(5 * 2, -1, 1, 3), {5, 2}, ej::float32);
  Tensor y = ej::constant({0, 2, 1, 1, 0});

  Tensor loss() {
    return ej::reduce_mean(
        ej::nn::sparse_softmax_cross_entropy_with_logits(y, model(x, true)));
  }
  void step() {
    opt.minimize([&] { return loss(); }, model.trainable_variables());
  }
  explicit Trained(bool train) {
    model.build({5, 2});
    vars = model.named_variables();
    auto state = opt.named_variables(vars);
    vars.insert(vars.end(), state.begin(), state.end());
    if (train)
      step();
  }
};

TEST(Checkpoint, AModelAndItsOptimizerRoundTrip) {
  ej::set_seed(1);
  Trained a(true);
  std::string path = temp_path("model.npz");
  ej::save_checkpoint(path, a.vars);
  ej::set_seed(2); // different initial weights
  Trained b(false);
  ASSERT_EQ(b.vars.size(), a.vars.size());
  EXPECT_NE(values_of(b.vars), values_of(a.vars));
  ej::restore_checkpoint(path, b.vars);
  EXPECT_EQ(values_of(b.vars), values_of(a.vars));
  // Names: layers, then the optimizer's iterations and slots.
  EXPECT_EQ(a.vars[0].first, "dense/kernel");
  EXPECT_EQ(a.vars[4].first, "batch_normalization/moving_mean");
  EXPECT_EQ(a.vars[8].first, "Adam/iterations");
  EXPECT_EQ(a.vars[9].first, "Adam/dense/kernel/m");
  // Training goes on the same from the restored state.
  a.step();
  b.step();
  auto va = values_of(a.vars), vb = values_of(b.vars);
  for (size_t i = 0; i < va.size(); ++i)
    ref::expect_close(vb[i], va[i], 1e-6, 1e-7);
  EXPECT_EQ(b.opt.iterations().read().item<int64_t>(), 2);
  // The directory holds no temporary files.
  DIR *d = ::opendir(::testing::TempDir().c_str());
  ASSERT_NE(d, nullptr);
  while (dirent *e = ::readdir(d))
    EXPECT_EQ(std::string(e->d_name).find("model.npz.tmp"), std::string::npos);
  ::closedir(d);
  std::remove(path.c_str());
}

// Restoring `bytes` fails with a message containing `want`, and leaves
// the variables as they were.
void expect_rejected(const std::string &bytes, const std::string &want,
                     const std::string &what) {
  ej::set_seed(4);
  Trained fresh(false);
  auto before = values_of(fresh.vars);
  std::string path = temp_path("bad.npz");
  spit(path, bytes);
  try {
    ej::restore_checkpoint(path, fresh.vars);
    ADD_FAILURE() << what << ": no error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos)
        << what << ": " << e.what();
  }
  EXPECT_EQ(values_of(fresh.vars), before) << what;
  std::remove(path.c_str());
}

TEST(Checkpoint, TruncatedFilesAreErrorsAndChangeNothing) {
  ej::set_seed(1);
  Trained a(true);
  std::string path = temp_path("full.npz");
  ej::save_checkpoint(path, a.vars);
  std::string bytes = slurp(path);
  std::remove(path.c_str());
  for (size_t cut : {size_t(0), size_t(3), size_t(100), bytes.size() / 2,
                     bytes.size() - 30, bytes.size() - 1})
    expect_rejected(bytes.substr(0, cut),
                    "npz: ", "cut at " + std::to_string(cut));
  expect_rejected(bytes.substr(0, bytes.size() / 2), "truncated",
                  "cut in half");
}

TEST(Checkpoint, CorruptedBytesAreErrorsAndChangeNothing) {
  ej::set_seed(1);
  Trained a(true);
  std::string path = temp_path("full.npz");
  ej::save_checkpoint(path, a.vars);
  std::string bytes = slurp(path);
  std::remove(path.c_str());
  // A byte of the first array's elements: only the CRC can tell.
  std::string flipped = bytes;
  size_t data = bytes.find("dense/kernel.npy") + 16 + 128 + 3;
  flipped[data] ^= 0x10;
  expect_rejected(flipped, "CRC-32 mismatch", "flipped element byte");
  // The central directory's signature.
  std::string central = bytes;
  central[bytes.rfind("PK\x01\x02") + 1] = 'X';
  expect_rejected(central, "corrupt central directory", "central directory");
  expect_rejected("not a zip at all", "not a zip archive", "garbage");
}

TEST(Checkpoint, WrongShapesAndMissingEntriesAreErrors) {
  ej::set_seed(1);
  ej::nn::Dense wide(5);
  wide.build({2, 2});
  std::string path = temp_path("wide.npz");
  auto named = wide.named_variables();
  ej::save_checkpoint(path, named);
  ej::set_seed(4);
  Trained fresh(false);
  auto before = values_of(fresh.vars);
  // The model's dense/kernel is (2, 4); the file's kernel is (2, 5).
  ej::NamedVariables kernel = {{"kernel", fresh.vars[0].second},
                               {"bias", fresh.vars[1].second}};
  try {
    ej::restore_checkpoint(path, kernel);
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find("entry 'kernel' is float32 (2, 5), "
                                         "the variable is float32 (2, 4)"),
              std::string::npos)
        << e.what();
  }
  try {
    ej::restore_checkpoint(path, fresh.vars);
    FAIL() << "expected an error";
  } catch (const ej::Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "no entry 'dense/kernel' (the file has: kernel, bias)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(values_of(fresh.vars), before);
  // Entries nobody asks for are ignored: a model without its optimizer.
  ej::set_seed(1);
  Trained a(true);
  ej::save_checkpoint(path, a.vars);
  ej::set_seed(5);
  Trained b(false);
  ej::NamedVariables model_only(b.vars.begin(), b.vars.begin() + 8);
  ej::restore_checkpoint(path, model_only);
  EXPECT_EQ(values_of(model_only),
            values_of(ej::NamedVariables(a.vars.begin(), a.vars.begin() + 8)));
  EXPECT_THROW(ej::save_checkpoint(temp_path("no/such/dir/x.npz"), a.vars),
               ej::Error);
  EXPECT_THROW(ej::save_checkpoint(
                   path, {{"w", a.vars[0].second}, {"w", a.vars[1].second}}),
               ej::Error);
  std::remove(path.c_str());
}

} // namespace
