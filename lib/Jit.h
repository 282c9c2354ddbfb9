//===- Jit.h - Hot regions, the region cache and deferred execution -*- C++
//-*-===//
//
// The tracing JIT's runtime (DESIGN.md, "Eager semantics, traced
// execution"). Each thread cuts its stream of records into regions: at an
// observation, at an ej::Step, at a length cap, and when the op that began
// the current region comes again (which gives periodic regions in a plain
// loop). A region is keyed by its Signature plus which results are still
// referenced at its end (live); keys are counted in a bounded LRU cache, and
// a key seen EJ_JIT_THRESHOLD times is compiled, in the background unless
// EJ_JIT_SYNC=1.
//
// While the stream matches a compiled region, records are deferred: leaves
// (constants, fills, random draws) still run at once, as their values are
// the region's inputs; the others get pending results, without storage. At
// the region's end -- the next record, an observation or a Step -- the
// compiled code runs and fills the live results; intermediates nobody
// references are never written. A divergence or an observation of a pending
// value mid-region runs the deferred records through the interpreter
// instead: identical results, only slower.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_JIT_H
#define EJ_LIB_JIT_H

#include "ej/jit.h"
#include "lib/Signature.h"

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace mlir {
class Operation;
} // namespace mlir

namespace ej::detail {

struct JitConfig {
  bool enabled = true;   // EJ_JIT=0 turns the JIT off
  bool sync = false;     // EJ_JIT_SYNC=1 compiles on the calling thread
  int threshold = 2;     // EJ_JIT_THRESHOLD: sightings before compiling
  size_t capacity = 512; // EJ_JIT_CACHE: regions kept (LRU)
  size_t max_ops = 256;  // EJ_JIT_MAX_OPS: the longest region
  // EJ_JIT_MAX_STEP_OPS: the longest region inside an ej::Step. A step
  // marks a whole unit of work (a training step): cut by the shorter cap,
  // it would be several programs, and several graph launches on a GPU.
  size_t max_step_ops = 4096;
  bool log = false;        // EJ_LOG contains "jit": one line per decision
  std::string dump_dir;    // EJ_DUMP_DIR: each compiled region, as .mlir
  static JitConfig &get(); // read from the environment once
};

/// A compiled region. `run` takes the region function's arguments in order
/// and returns its results (fresh tensors).
class Executable {
public:
  virtual ~Executable() = default;
  virtual std::vector<Tensor> run(const std::vector<Tensor> &args) = 0;
};

/// Compiles a region function (a `builtin.module` holding one `func.func`
/// of pure tensor ej ops, after canonicalization) to an Executable; returns
/// null and sets `error` when it cannot, and the region stays on the
/// interpreter.
using RegionCompiler = std::function<std::unique_ptr<Executable>(
    mlir::Operation *module, std::string &error)>;

/// Installs the code generator (the CPU backend at start-up; tests install
/// their own) and forgets every region the previous one compiled or
/// refused. Returns the previous one.
RegionCompiler set_region_compiler(RegionCompiler compiler);

/// The CPU code generator (lib/CpuRegion.cpp), the default.
RegionCompiler cpu_compiler();

/// The GPU code generator for regions whose ops run on CUDA device
/// `device` (lib/CudaRegion.cpp): ej.fusion ops become CUDA C kernels
/// compiled by NVRTC, the other ops run as the GPU interpreter's kernels.
RegionCompiler cuda_compiler(int device);

/// The CUDA C that cuda_compiler makes of a region function (MLIR text, as
/// the JIT dumps it): one translation unit per ej.fusion after
/// canonicalization, CSE and ej-fuse. Throws ej::Error when the emitter
/// cannot express a fusion. What a GPU would load, made without one.
std::vector<std::string> cuda_region_sources(const std::string &region);

/// A compiler whose executables run the region's ops one by one through the
/// interpreter's kernels, without recording them: the JIT's machinery
/// (deferral, liveness, variables, fallbacks) without code generation. The
/// tests of that machinery use it.
RegionCompiler interpreting_compiler();

/// The counters behind ej::jit::stats().
struct JitCounters {
  std::atomic<uint64_t> ops_cold{0}, ops_compiled{0}, regions_compiled{0},
      compile_us{0}, cache_hits_memory{0}, cache_hits_disk{0}, fallbacks{0},
      regions_failed{0}, regions_graphed{0}, compile_us_max{0};
};
JitCounters &counters();

struct Region;
struct Heads;
class Jit;

/// Throws ej::Error when an input of `r` has no value yet and is not a
/// result `jit` defers: another thread's, whose compiled region has not
/// reached its end.
void need_computed(const Record &r, const Jit &jit);

/// One thread's cutting, counting and deferring (a member of its Trace).
class Jit {
public:
  Jit();
  ~Jit();
  /// Runs `r` now (cold) or defers it (inside a compiled region).
  void record(Record &r);
  /// An observation or a Step: finishes the deferred region (its
  /// compiled code if it is complete, the interpreter otherwise) and ends
  /// the current region.
  void boundary();
  /// Whether `t` is the result of a record deferred in the region being
  /// matched: the only values of this thread's without storage.
  bool defers(const TensorImpl *t) const {
    const Ref *ref = mode_ == Mode::Cold ? nullptr : sig_.find(t);
    return ref && ref->kind == Ref::Result;
  }
  /// An ej::Step scope begins or ends (both are boundaries). Inside one,
  /// regions are cut only at its ends, observations and the length cap:
  /// the recurrence rule, meant for loops with no markers, would cut a step
  /// that repeats an op (a layer applied twice, an unrolled loop) into
  /// pieces.
  void enter_step();
  void exit_step();
  /// The thread is ending: computes what was deferred and forgets the open
  /// region without compiling anything (MLIR's thread-local state may
  /// already be gone).
  void shutdown();

  /// A record of the region being matched, and its result.
  struct Entry {
    Entry(const Record &record, Tensor result)
        : record(record), result(std::move(result)) {}
    Record record;
    Tensor result;
    // A GPU scalar leaf of a deferred region, computed on the host instead:
    // the region takes it as an argument, with the host arguments it
    // uploads at once (lib/CudaRegion.cpp), and `result` gets a device
    // value only if something outside the region holds it.
    Tensor host;
  };

private:
  enum class Mode { Cold, Deferring, Complete };

  bool extends_longer_candidate() const;
  uint64_t ops_hash() const;
  size_t merge_target(uint64_t ops_hash);
  void learn_period(uint64_t ops_hash, size_t ops);
  void run_cold(Record &r);
  void push(Record &r);
  void defer(Record &r);
  void materialize(Entry &e);
  bool start_deferring();
  void finish_deferred();
  void fall_back();
  void write_key();
  void end_region();
  const std::string &live_key();
  void append_live_bits(std::string &key) const;

  std::vector<Entry> entries_;
  static constexpr size_t kNoHead = ~size_t(0);
  size_t head_ = kNoHead; // the first entry that is not a leaf
  // The records' signature. While they are deferred it numbers them
  // without writing its key (write_key writes it if they fall back).
  Signature sig_;
  Binding binding_; // the record being deferred
  Mode mode_ = Mode::Cold;
  std::vector<std::shared_ptr<Region>> candidates_;
  std::shared_ptr<Region> last_; // the region this thread ended last
  // The cache's ready regions by first record, as this thread last saw them.
  std::shared_ptr<const Heads> heads_;
  uint64_t heads_generation_ = 0;
  std::string key_;      // live_key()'s buffer
  bool exiting_ = false; // the thread is ending: compile nothing
  int steps_ = 0;        // open ej::Step scopes

  // Loop bodies that repeat an op of their own (x * a ... * b) are cut by
  // the recurrence rule into several pieces per iteration. The thread
  // learns such periods: `history_` holds the (ops-key hash, length) of the
  // regions it ended last; when a piece comes again after others, the
  // pieces since its last sighting are one iteration, whose length in ops
  // becomes the piece's `targets_` entry, and the recurrence rule then
  // cuts a region that begins with that piece only at that length.
  struct Ended {
    uint64_t hash;
    size_t ops;
  };
  std::deque<Ended> history_;
  std::unordered_map<uint64_t, size_t> targets_;
  size_t target_ = 0; // this region's learned length (0: not looked up)
};

} // namespace ej::detail

#endif // EJ_LIB_JIT_H
