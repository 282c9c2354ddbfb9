//===- Jit.cpp - Hot regions, the region cache and deferred execution -----===//
#include "lib/Jit.h"
#include "lib/OpSupport.h"
#include "lib/Program.h"
#include "lib/RegionFunction.h"
#include "lib/Trace.h"
#include "lib/TraceToMLIR.h"
#include "lib/VariableImpl.h"
#include "runtime/cpu/Kernels.h"

#include "codegen/CpuCompiler.h"
#include "codegen/KernelCache.h"
#include "dialects/Ej/EjRegistration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <list>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace ej::detail {

namespace {

// Out of line: get() runs on every op, and its fast path (the guard's
// test) should not pay for the reading's stack frame.
[[gnu::noinline]] JitConfig read_config() {
  JitConfig c;
  auto number = [](const char *name, long fallback) {
    const char *v = std::getenv(name);
    if (!v || !*v)
      return fallback;
    char *end = nullptr;
    long n = std::strtol(v, &end, 10);
    return (*end == 0 && n >= 0) ? n : fallback;
  };
  c.enabled = number("EJ_JIT", 1) != 0;
  c.sync = number("EJ_JIT_SYNC", 0) != 0;
  c.threshold = int(std::max<long>(1, number("EJ_JIT_THRESHOLD", 2)));
  c.capacity = size_t(std::max<long>(1, number("EJ_JIT_CACHE", 512)));
  c.max_ops = size_t(std::max<long>(2, number("EJ_JIT_MAX_OPS", 256)));
  c.max_step_ops =
      size_t(std::max<long>(2, number("EJ_JIT_MAX_STEP_OPS", 4096)));
  const char *log = std::getenv("EJ_LOG");
  c.log = log && std::string(log).find("jit") != std::string::npos;
  if (const char *dir = std::getenv("EJ_DUMP_DIR"))
    c.dump_dir = dir;
  return c;
}

} // namespace

JitConfig &JitConfig::get() {
  static JitConfig config = read_config();
  return config;
}

JitCounters &counters() {
  static JitCounters c;
  return c;
}

namespace {

void log_line(const std::string &line) {
  if (JitConfig::get().log)
    std::cerr << "[ej jit] " << line << "\n";
}

std::mutex &compiler_mutex() {
  static std::mutex mu;
  return mu;
}
RegionCompiler &compiler_slot() {
  // Never destroyed (see background()).
  static RegionCompiler *c = new RegionCompiler(cpu_compiler());
  return *c;
}

// A 64-bit FNV-1a hash: file names of dumps.
uint64_t fnv(const std::string &s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  return h;
}

} // namespace

// --- The region cache -------------------------------------------------------

struct Region {
  enum State { Counting, Compiling, Ready, Failed };
  std::string key;         // the signature, then the live bits
  size_t ops_key_size = 0; // where the live bits start
  uint64_t ops_hash = 0;   // the hash of the signature alone
  size_t ops = 0;
  std::atomic<uint64_t> sightings{0};
  std::atomic<int> state{Counting};
  // False once the cache dropped it (evicted or cleared): a thread that
  // remembers it must ask the cache again.
  std::atomic<bool> cached{true};
  // Replayed since the cache last looked: replays do not take the cache's
  // lock to move the region to the front, so eviction gives a region with
  // this bit a second chance instead (the clock approximation of LRU).
  std::atomic<bool> used{false};
  // Set once the region is Ready.
  std::vector<RecordPattern> patterns; // its records, to match the stream
  std::vector<Ref> inputs;
  std::vector<size_t> live, assigned;
  std::unique_ptr<Executable> executable;
};

// Ready regions by the key of their first record.
struct Heads
    : std::unordered_map<std::string, std::vector<std::shared_ptr<Region>>> {};

namespace {

class RegionCache {
public:
  /// The region of `key`, made if new, moved to the front.
  std::shared_ptr<Region> see(const std::string &key, size_t ops_key_size,
                              size_t ops) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return *it->second;
    }
    auto r = std::make_shared<Region>();
    r->key = key;
    r->ops_key_size = ops_key_size;
    r->ops_hash = std::hash<std::string_view>()(
        std::string_view(key).substr(0, ops_key_size));
    r->ops = ops;
    order_.push_front(r);
    index_[key] = order_.begin();
    while (order_.size() > JitConfig::get().capacity) {
      const std::shared_ptr<Region> &old = order_.back();
      if (old != r && old->used.exchange(false, std::memory_order_relaxed)) {
        order_.splice(order_.begin(), order_, std::prev(order_.end()));
        continue;
      }
      index_.erase(old->key);
      forget_ready(old);
      old->cached = false;
      order_.pop_back();
    }
    return r;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::shared_ptr<Region> &r : order_)
      r->cached = false;
    order_.clear();
    index_.clear();
    publish(std::make_shared<Heads>());
  }
  std::shared_ptr<Region> find(const std::string &key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : *it->second;
  }
  /// Ready regions are found by their first record's key, in a map that
  /// is copied on change: threads read a snapshot without locking.
  void ready(const std::shared_ptr<Region> &r, size_t first_key_size) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!index_.count(r->key))
      return;
    auto heads = std::make_shared<Heads>(*heads_);
    (*heads)[r->key.substr(0, first_key_size)].push_back(r);
    publish(std::move(heads));
  }
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }
  std::shared_ptr<const Heads> heads() {
    std::lock_guard<std::mutex> lock(mu_);
    return heads_;
  }

private:
  void forget_ready(const std::shared_ptr<Region> &r) {
    if (r->state.load() != Region::Ready)
      return;
    auto heads = std::make_shared<Heads>(*heads_);
    for (auto it = heads->begin(); it != heads->end(); ++it) {
      auto &v = it->second;
      v.erase(std::remove(v.begin(), v.end(), r), v.end());
      if (v.empty()) {
        heads->erase(it);
        break;
      }
    }
    publish(std::move(heads));
  }
  void publish(std::shared_ptr<const Heads> heads) {
    heads_ = std::move(heads);
    generation_.fetch_add(1, std::memory_order_release);
  }

  std::mutex mu_;
  std::list<std::shared_ptr<Region>> order_;
  std::unordered_map<std::string, std::list<std::shared_ptr<Region>>::iterator>
      index_;
  std::shared_ptr<const Heads> heads_ = std::make_shared<Heads>();
  std::atomic<uint64_t> generation_{0};
};

} // namespace

RegionCache &cache() {
  static RegionCache *c = new RegionCache; // outlives the compile thread
  return *c;
}

void stop_compiling_at_exit();

RegionCompiler set_region_compiler(RegionCompiler compiler) {
  {
    std::lock_guard<std::mutex> lock(compiler_mutex());
    std::swap(compiler, compiler_slot());
  }
  cache().clear(); // regions compiled, or refused, by the previous one
  return compiler;
}

namespace {

// --- Compilation -----------------------------------------------------------

// A region's device when its ops run on several.
constexpr int kMixedDevices = -2;

// Where a compiled region runs: the device of its records. Host scalars
// that a GPU region makes and drops (C++ literals, an optimizer's
// constants, a schedule's arithmetic) are computed on the GPU with the
// rest: the region stays one device's program. Host scalar leaves are its
// inputs, live or not (a literal that the next region uses, where a loop
// without markers is cut). A host value that the region computes and that
// outlives it, a host variable, or records on two GPUs make it mixed.
int region_device(const std::vector<Jit::Entry> &entries,
                  const std::vector<bool> &live) {
  int gpu = runtime::kHost;
  for (const Jit::Entry &e : entries) {
    int d = e.record.result->device;
    if (d == runtime::kHost)
      continue;
    if (gpu != runtime::kHost && d != gpu)
      return kMixedDevices;
    gpu = d;
  }
  if (gpu == runtime::kHost)
    return runtime::kHost;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Record &r = entries[i].record;
    if (r.result->device == runtime::kHost &&
        (r.result->rank != 0 || live[i] || r.attrs.var) &&
        !(is_leaf(r) && r.result->rank == 0))
      return kMixedDevices;
  }
  return gpu;
}

struct CompileJob {
  std::shared_ptr<Region> region;
  std::vector<RecordPattern> patterns;
  std::string text; // the region function
  RegionFunction function;
  size_t first_key_size;
  int device; // where the region's ops run, or kMixedDevices
};

void write_dump(const std::string &name, const std::string &text) {
  const std::string &dir = JitConfig::get().dump_dir;
  if (dir.empty())
    return;
  std::string path = dir + "/" + name;
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!(f << text) || !f.flush()) {
      log_line("cannot write " + path);
      return;
    }
  }
  std::rename(tmp.c_str(), path.c_str());
}

std::string print(mlir::ModuleOp m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os);
  return s;
}

// The MLIR context regions compile in, with the pass managers run on each
// region: one per compiling thread, made anew every kContextCompiles
// compiles. Loading the code generator's dialects into a fresh context,
// and freeing it, was 6% of the instructions of a small region's compile,
// and initializing the passes' patterns (for each pass manager) 3%; a
// context kept for good would keep every region's constants and types.
struct CompileContext {
  CompileContext()
      : diagnosed(mlir::ej::registerCpuCodegenDialects), tidy(&diagnosed.ctx),
        kernels(diagnosed.ctx) {
    diagnosed.ctx.disableMultithreading();
    tidy.addPass(mlir::createCanonicalizerPass());
    tidy.addPass(mlir::createCSEPass());
  }
  DiagnosedContext diagnosed;
  mlir::PassManager tidy; // a region's canonicalization and CSE
  mlir::ej::KernelPipeline kernels;
};

CompileContext &compile_context() {
  constexpr int kContextCompiles = 32;
  thread_local std::unique_ptr<CompileContext> context;
  thread_local int compiles = 0;
  if (!context || ++compiles > kContextCompiles) {
    context.reset();
    context = std::make_unique<CompileContext>();
    compiles = 1;
  }
  context->diagnosed.diagnostics.clear();
  return *context;
}

void compile(CompileJob &job) {
  Region &region = *job.region;
  char id[17];
  std::snprintf(id, sizeof id, "%016llx",
                static_cast<unsigned long long>(fnv(region.key)));
  auto start = std::chrono::steady_clock::now();
  CompileContext &context = compile_context();
  std::string error;
  std::unique_ptr<Executable> exe;
  write_dump(std::string("region-") + id + ".mlir", job.text);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(job.text, &context.diagnosed.ctx);
  if (!module || mlir::failed(context.tidy.run(*module))) {
    error = "the region does not pass canonicalization: " +
            context.diagnosed.diagnostics;
  } else {
    write_dump(std::string("region-") + id + ".opt.mlir", print(*module));
    RegionCompiler compiler;
    if (job.device == runtime::kHost) {
      std::lock_guard<std::mutex> lock(compiler_mutex());
      compiler = compiler_slot();
    } else if (job.device != kMixedDevices) {
      compiler = cuda_compiler(job.device);
    }
    if (job.device == kMixedDevices)
      error = "its ops run on several devices";
    else if (!compiler)
      error = "no code generator is built in";
    else {
      mlir::ej::KernelPipelineScope kernels(context.kernels);
      exe = compiler(module->getOperation(), error);
    }
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - start)
                .count();
  counters().compile_us += uint64_t(us);
  for (uint64_t max = counters().compile_us_max.load();
       uint64_t(us) > max &&
       !counters().compile_us_max.compare_exchange_weak(max, uint64_t(us));)
    ;
  if (!exe) {
    counters().regions_failed++;
    region.state = Region::Failed;
    log_line(std::string("region ") + id + " (" + std::to_string(region.ops) +
             " ops) stays on the interpreter: " + error);
    return;
  }
  region.patterns = std::move(job.patterns);
  region.inputs = std::move(job.function.inputs);
  region.live = std::move(job.function.live);
  region.assigned = std::move(job.function.assigned);
  region.executable = std::move(exe);
  counters().regions_compiled++;
  region.state = Region::Ready;
  cache().ready(job.region, job.first_key_size);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", double(us) / 1000);
  log_line(std::string("region ") + id + " (" + std::to_string(region.ops) +
           " ops) compiled in " + ms + " ms");
}

// One background thread compiles hot regions in order. At exit it finishes
// the region at hand and stops before the globals that LLVM and MLIR made
// while compiling go away: after every region it (re)registers an atexit
// handler, which therefore runs before their destructors.
class Compiler {
public:
  ~Compiler() { stop(); }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id())
      thread_.join();
  }
  /// Blocks until every submitted region is compiled (or refused).
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [&] { return jobs_.empty() && !busy_; });
  }
  void submit(CompileJob job) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
    if (!thread_.joinable())
      thread_ = std::thread([this] { loop(); });
    cv_.notify_one();
  }

private:
  void loop() {
    for (;;) {
      CompileJob job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
        if (stop_)
          return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        busy_ = true;
      }
      compile(job);
      std::atexit(stop_compiling_at_exit);
      {
        std::lock_guard<std::mutex> lock(mu_);
        busy_ = false;
      }
      idle_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<CompileJob> jobs_;
  bool stop_ = false, busy_ = false;
  std::thread thread_;
};

} // namespace

// The compile thread finishes the region it has begun when the process
// exits: the compiler's destructor (and the handler registered after each
// compile) waits for it. What that thread reads must outlive it: the
// library's tables are never destroyed, and the code generator's one-time
// set-up is made here, before the compiler, so that it dies after it.
struct CodegenReady {
  CodegenReady() { mlir::ej::initializeCodegen(); }
};
struct Background : CodegenReady {
  Compiler compiler;
};

Compiler &background() {
  static Background b;
  return b.compiler;
}

void stop_compiling_at_exit() { background().stop(); }

// --- The per-thread engine -------------------------------------------------

void need_computed(const Record &r, const Jit &jit) {
  for (size_t i = 0; i < r.size(); ++i)
    if (!r.input(i)->storage && !jit.defers(r.input(i)))
      throw Error(std::string(op_name(r.op)) + ": input " + std::to_string(i) +
                  " is a value that another thread's compiled region has "
                  "not computed yet; observe it, or end an ej::Step, in "
                  "that thread before passing it on");
}

Jit::Jit() = default;
Jit::~Jit() = default;

void Jit::record(Record &r) {
  // A complete compiled region runs now, unless a longer one (a whole loop
  // iteration of which it is the first piece) may still match.
  if (mode_ == Mode::Complete && !extends_longer_candidate())
    finish_deferred();
  if (mode_ != Mode::Cold) {
    defer(r);
    return;
  }
  need_computed(r, *this);
  // A region ends where the first op of it that is not a leaf comes
  // again. (Leaves -- literals, fills, random draws -- are data, and a loop
  // body makes many of the same type.) A learned period overrides the
  // first recurrence.
  if (steps_ == 0 && head_ != kNoHead && !is_leaf(r)) {
    const Record &head = entries_[head_].record;
    const TensorImpl *a = head.result, *b = r.result;
    if (head.op == r.op && a->dtype == b->dtype && a->rank == b->rank &&
        std::equal(a->shape, a->shape + a->rank, b->shape) &&
        entries_.size() >= merge_target(ops_hash()))
      end_region();
  }
  if (entries_.empty()) {
    sig_.add(r);
    entries_.emplace_back(r, Tensor());
    if (start_deferring()) {
      entries_.clear();
      head_ = kNoHead;
      sig_.clear();
      defer(r);
      return;
    }
    entries_.pop_back();
    interpret(r);
    counters().ops_cold++;
    push(r);
  } else {
    run_cold(r);
  }
  const JitConfig &config = JitConfig::get();
  if (entries_.size() >= (steps_ ? config.max_step_ops : config.max_ops))
    end_region();
}

bool Jit::extends_longer_candidate() const {
  return std::any_of(candidates_.begin(), candidates_.end(),
                     [&](const std::shared_ptr<Region> &c) {
                       return c->patterns.size() > entries_.size();
                     });
}
uint64_t Jit::ops_hash() const {
  return std::hash<std::string_view>()(sig_.key);
}
size_t Jit::merge_target(uint64_t hash) {
  if (target_ == 0) {
    auto it = targets_.find(hash);
    target_ = it == targets_.end() ? 1 : it->second;
  }
  return target_;
}
void Jit::learn_period(uint64_t hash, size_t ops) {
  for (size_t i = history_.size(); i-- > 0;) {
    if (history_[i].hash != hash)
      continue;
    // Seen before, with other regions since: those and it are one period.
    if (history_.size() - i >= 2) {
      size_t period = 0;
      for (size_t j = i; j < history_.size(); ++j)
        period += history_[j].ops;
      if (period <= JitConfig::get().max_ops) {
        if (targets_.size() >= 4096)
          targets_.clear();
        targets_[hash] = period;
      }
    }
    break;
  }
  history_.push_back({hash, ops});
  if (history_.size() > 64)
    history_.pop_front();
}
void Jit::run_cold(Record &r) {
  interpret(r);
  counters().ops_cold++;
  sig_.add(r);
  push(r);
}

void Jit::push(Record &r) {
  if (head_ == kNoHead && !is_leaf(r))
    head_ = entries_.size();
  retain(r.result);
  entries_.emplace_back(r, Tensor(r.result));
}

bool Jit::start_deferring() {
  RegionCache &c = cache();
  if (uint64_t g = c.generation(); g != heads_generation_ || !heads_) {
    heads_ = c.heads();
    heads_generation_ = g;
  }
  candidates_.clear();
  if (!heads_->empty()) {
    auto it = heads_->find(sig_.key);
    if (it != heads_->end())
      candidates_ = it->second;
  }
  mode_ = candidates_.empty() ? Mode::Cold : Mode::Deferring;
  return mode_ == Mode::Deferring;
}

void Jit::defer(Record &r) {
  // The records so far matched the candidates' patterns: only the new one
  // compares, numbered as the signature numbers it (its key's bytes are
  // written only if the stream leaves every candidate). It is numbered as
  // the first candidate expects if its values are those, which pointer
  // comparisons tell; by lookups otherwise (or when a value is new).
  size_t k = entries_.size();
  const RecordPattern *expected = nullptr;
  for (const auto &c : candidates_)
    if (k < c->patterns.size()) {
      expected = &c->patterns[k];
      break;
    }
  const Binding *bound = &binding_;
  if (expected && sig_.bind_as(r, expected->binding()))
    bound = &expected->binding();
  else if (!sig_.bind(r, binding_))
    need_computed(r, *this); // throws: an input is another thread's
  candidates_.erase(std::remove_if(candidates_.begin(), candidates_.end(),
                                   [&](const std::shared_ptr<Region> &c) {
                                     return k >= c->patterns.size() ||
                                            !c->patterns[k].matches(r, *bound);
                                   }),
                    candidates_.end());
  // A leaf's value is an input of the region. A scalar one on a GPU is
  // computed on the host (the CPU and GPU kernels agree bit for bit, the
  // random ones included): a kernel launch for a number the region's
  // program can take with its other host arguments.
  Tensor host;
  if (is_leaf(r) && r.result->rank == 0 && r.result->device != runtime::kHost) {
    Record h = r;
    h.result = new_impl(r.result->dtype, {});
    host = Tensor(h.result);
    interpret(h);
  } else if (is_leaf(r)) {
    interpret(r);
  }
  push(r);
  entries_.back().host = std::move(host);
  if (candidates_.empty()) {
    // The stream left every compiled region: what was deferred runs now.
    fall_back();
    return;
  }
  for (const auto &c : candidates_)
    if (c->patterns.size() == entries_.size())
      mode_ = Mode::Complete;
}

void Jit::write_key() {
  Signature sig;
  for (const Entry &e : entries_)
    sig.add(e.record);
  sig_ = std::move(sig);
}

const std::string &Jit::live_key() {
  std::string &key = key_;
  key.assign(sig_.key);
  key.push_back('|');
  append_live_bits(key);
  return key;
}
void Jit::append_live_bits(std::string &key) const {
  // Sized once and written in place: a push_back per entry checks the
  // capacity and writes the terminator each time, on every replay.
  size_t at = key.size();
  key.resize(at + entries_.size());
  char *bit = key.data() + at;
  for (const Entry &e : entries_) {
    const TensorImpl *t = e.result.impl();
    int32_t refs = t->refs.load(std::memory_order_relaxed);
    // The variable's own reference to an assigned value (cold) does not
    // count: a compiled region hands the value to the variable itself.
    if (e.record.op == OpCode::Assign && e.record.attrs.var->value.impl() == t)
      --refs;
    *bit++ = refs > 1 ? '1' : '0';
  }
}

void Jit::materialize(Entry &e) {
  Tensor value = transfer(e.host.impl(), e.result.impl()->device);
  runtime::alias(e.result.impl(), value.impl());
}

void Jit::fall_back() {
  for (Entry &e : entries_) {
    if (e.result.impl()->storage)
      continue;
    // A host-computed leaf's record may point at a constant that is gone.
    if (e.host.defined())
      materialize(e);
    else
      interpret(e.record);
    counters().ops_cold++;
  }
  counters().fallbacks++;
  log_line("fallback: " + std::to_string(entries_.size()) +
           " deferred ops ran in the interpreter");
  mode_ = Mode::Cold;
  candidates_.clear();
  write_key();
}

void Jit::finish_deferred() {
  // The candidates that match every record are the ready regions of these
  // ops; the one whose live bits are these is the one to run (comparing
  // the bits alone spares hashing the whole key under the cache's lock).
  key_.assign("|");
  append_live_bits(key_);
  std::shared_ptr<Region> region;
  for (const std::shared_ptr<Region> &c : candidates_)
    if (c->patterns.size() == entries_.size() &&
        c->key.compare(c->ops_key_size, std::string::npos, key_) == 0)
      region = c;
  if (!region || !region->cached.load()) {
    fall_back();
    end_region();
    return;
  }
  std::vector<Tensor> args;
  args.reserve(region->inputs.size());
  for (const Ref &ref : region->inputs) {
    switch (ref.kind) {
    case Ref::Result: {
      const Entry &e = entries_[ref.index];
      args.push_back(e.host.defined() ? e.host : e.result);
      break;
    }
    case Ref::External:
      args.push_back(sig_.externals[ref.index]);
      break;
    case Ref::Var: {
      VariableImpl *v = sig_.variables[ref.index].impl();
      std::lock_guard<std::mutex> lock(v->mu);
      args.push_back(v->value);
      break;
    }
    }
  }
  std::vector<Tensor> out = region->executable->run(args);
  size_t k = 0;
  for (size_t i : region->live)
    runtime::alias(entries_[i].result.impl(), out[k++].impl());
  for (size_t v : region->assigned) {
    VariableImpl *var = sig_.variables[v].impl();
    std::lock_guard<std::mutex> lock(var->mu);
    var->value = out[k++];
  }
  // A host-computed leaf that outlives the region gets its device value.
  for (Entry &e : entries_)
    if (e.host.defined() && !e.result.impl()->storage &&
        e.result.impl()->refs.load(std::memory_order_relaxed) > 1)
      materialize(e);
  region->used.store(true, std::memory_order_relaxed);
  counters().ops_compiled += entries_.size();
  counters().cache_hits_memory++;
  mode_ = Mode::Cold;
  candidates_.clear();
  target_ = 0;
  // The first piece of a learned period whose whole is not compiled yet:
  // the region goes on, cold, so that the whole is seen and gets hot.
  if (!exiting_ && steps_ == 0 &&
      merge_target(region->ops_hash) > entries_.size()) {
    write_key();
    return;
  }
  learn_period(region->ops_hash, entries_.size());
  entries_.clear();
  head_ = kNoHead;
  target_ = 0;
  sig_.clear();
}

void Jit::end_region() {
  if (entries_.empty())
    return;
  const std::string &key = live_key();
  // A loop meets the same region again and again: the thread remembers the
  // last one it saw, sparing the shared cache.
  if (!last_ || last_->key != key || !last_->cached.load())
    last_ = cache().see(key, sig_.key.size(), entries_.size());
  std::shared_ptr<Region> region = last_;
  if (!exiting_ &&
      ++region->sightings == uint64_t(JitConfig::get().threshold) &&
      region->state.load() == Region::Counting) {
    region->state = Region::Compiling;
    CompileJob job;
    job.region = region;
    size_t first = 0;
    {
      Signature one;
      one.add(entries_.front().record);
      first = one.key.size();
    }
    job.first_key_size = first;
    std::vector<CapturedRecord> records;
    std::vector<bool> live;
    Signature numbering;
    Binding b;
    for (Entry &e : entries_) {
      numbering.bind(e.record, b);
      job.patterns.emplace_back(e.record, b);
      records.push_back({e.record, {e.result}, nullptr});
      // A leaf's value is an input of the region (it is interpreted, also
      // when the region replays): the region need not hand it back.
      live.push_back(key[sig_.key.size() + 1 + live.size()] == '1' &&
                     !is_leaf(e.record));
    }
    job.device = region_device(entries_, live);
    DiagnosedContext context;
    job.function =
        build_region_function(context.ctx, records, sig_, live, "region");
    job.text = print(*job.function.module);
    job.function.module = nullptr;
    if (JitConfig::get().sync)
      compile(job);
    else
      background().submit(std::move(job));
  }
  learn_period(region->ops_hash, entries_.size());
  entries_.clear();
  head_ = kNoHead;
  target_ = 0;
  sig_.clear();
}

void Jit::shutdown() {
  exiting_ = true;
  boundary();
}

void Jit::enter_step() {
  boundary();
  ++steps_;
}
void Jit::exit_step() {
  boundary();
  --steps_;
}
void Jit::boundary() {
  if (mode_ == Mode::Complete)
    finish_deferred();
  else if (mode_ == Mode::Deferring) {
    fall_back();
    end_region();
  }
  end_region();
}

} // namespace ej::detail

// --- The public face
// -----------------------------------------------------------

namespace ej {

jit::Stats jit::stats() {
  detail::JitCounters &c = detail::counters();
  Stats s;
  s.ops_cold = c.ops_cold;
  s.ops_compiled = c.ops_compiled;
  s.regions_compiled = c.regions_compiled;
  s.regions_failed = c.regions_failed;
  s.regions_graphed = c.regions_graphed;
  s.compile_ms = double(c.compile_us) / 1000;
  s.compile_ms_max = double(c.compile_us_max) / 1000;
  s.cache_hits_memory = c.cache_hits_memory;
  s.cache_hits_disk = c.cache_hits_disk;
  s.fallbacks = c.fallbacks;
  return s;
}

void jit::reset_stats() {
  detail::JitCounters &c = detail::counters();
  for (auto *a :
       {&c.ops_cold, &c.ops_compiled, &c.regions_compiled, &c.compile_us,
        &c.cache_hits_memory, &c.cache_hits_disk, &c.fallbacks,
        &c.regions_failed, &c.regions_graphed, &c.compile_us_max})
    *a = 0;
}

void jit::set_enabled(bool enabled) {
  detail::Trace::current().boundary();
  detail::JitConfig::get().enabled = enabled;
}
bool jit::enabled() { return detail::JitConfig::get().enabled; }

void jit::wait_for_compiles() { detail::background().wait(); }

void jit::clear_cache() {
  detail::Trace::current().boundary();
  detail::cache().clear();
}

void jit::set_disk_cache(const std::string &dir) {
  mlir::ej::setKernelCacheDirectory(dir);
}
std::string jit::disk_cache() { return mlir::ej::kernelCacheDirectory(); }

Step::Step() { detail::Trace::current().enter_step(); }
Step::~Step() { detail::Trace::current().exit_step(); }

} // namespace ej
