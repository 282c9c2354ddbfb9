//===- HostGrid.cpp - CUDA C run on the host, one fiber per thread --------===//
//
// A block's threads are ucontext fibers on the calling thread. The
// scheduler resumes each runnable thread in turn (in ascending or
// descending order of thread index), and a thread runs until it waits:
// at __syncthreads, until every thread of the block waits there; at a warp
// shuffle, until every lane of its warp does. When no thread can run, the
// waits are checked and released: a warp's shuffle first (all lanes named
// by its mask must be in it), else the block's barrier (no thread may have
// returned before it). A launch whose threads cannot all finish reports
// why and abandons the fibers; nothing of theirs needs destroying, as
// kernels hold plain values.
//
//===----------------------------------------------------------------------===//
#include "HostGrid.h"
#include "HostGridAbi.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace ejtest {

namespace {

constexpr size_t kPage = 4096;
// Each fiber's stack, mapped lazily, above a page that stops an overflow.
constexpr size_t kStackBytes = 128 * 1024;
constexpr unsigned kWarp = 32;
// The widest value a shuffle moves (a double or a long long on the
// device; a pair for safety).
constexpr unsigned kSlotBytes = 16;

size_t roundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

enum class Wait { None, Block, Warp, Done };

std::string dimString(EjHostDim3 d) {
  return "(" + std::to_string(d.x) + ", " + std::to_string(d.y) + ", " +
         std::to_string(d.z) + ")";
}

// What the SIGSEGV handler names: the launch in progress.
struct Running {
  const char *kernel = nullptr;
  const EjHostGridState *state = nullptr;
};
Running running;

void onSegv(int, siginfo_t *info, void *) {
  char line[512];
  int n = std::snprintf(
      line, sizeof line,
      "host grid: kernel %s, block (%u, %u, %u), thread (%u, %u, %u) "
      "touched unmapped memory at %p\n",
      running.kernel ? running.kernel : "?",
      running.state ? running.state->block.x : 0,
      running.state ? running.state->block.y : 0,
      running.state ? running.state->block.z : 0,
      running.state ? running.state->thread.x : 0,
      running.state ? running.state->thread.y : 0,
      running.state ? running.state->thread.z : 0, info->si_addr);
  if (n > 0 && write(STDERR_FILENO, line, size_t(n)) < 0)
    _exit(3);
  _exit(3);
}

// Installs onSegv, on a stack of its own, for a launch's duration.
class SegvReport {
public:
  SegvReport(const char *kernel, const EjHostGridState *state) {
    running = {kernel, state};
    stack_.resize(64 * 1024);
    stack_t alt{};
    alt.ss_sp = stack_.data();
    alt.ss_size = stack_.size();
    sigaltstack(&alt, &oldStack_);
    struct sigaction sa {};
    sa.sa_sigaction = onSegv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &oldSegv_);
    sigaction(SIGBUS, &sa, &oldBus_);
  }
  ~SegvReport() {
    sigaction(SIGSEGV, &oldSegv_, nullptr);
    sigaction(SIGBUS, &oldBus_, nullptr);
    sigaltstack(&oldStack_, nullptr);
    running = {};
  }

private:
  std::vector<char> stack_;
  stack_t oldStack_{};
  struct sigaction oldSegv_ {
  }, oldBus_{};
};

struct Fiber {
  ucontext_t context;
  Wait wait = Wait::None;
  unsigned mask = 0; // of the shuffle it waits in
};

class Scheduler;
thread_local Scheduler *current = nullptr;

class Scheduler {
public:
  Scheduler() {
    state_.sync_threads = [](EjHostGridState *s) {
      static_cast<Scheduler *>(s->scheduler)->wait(Wait::Block);
    };
    state_.shuffle = [](EjHostGridState *s, unsigned mask, const void *value,
                        void *result, unsigned bytes, unsigned source) {
      static_cast<Scheduler *>(s->scheduler)
          ->shuffle(mask, value, result, bytes, source);
    };
    state_.scheduler = this;
  }
  ~Scheduler() {
    if (stacks_)
      munmap(stacks_, stackCount_ * (kStackBytes + kPage));
  }

  EjHostGridState *state() { return &state_; }

  std::string launch(const char *kernel, void (*entry)(void **), void **args,
                     Dim3 grid, Dim3 block, bool descending) {
    const size_t threads = size_t(block.x) * block.y * block.z;
    if (threads == 0 || threads > 1024 || grid.x == 0 || grid.y == 0 ||
        grid.z == 0)
      return "a launch of " + std::to_string(threads) + " threads per block";
    reserveStacks(threads);
    entry_ = entry;
    args_ = args;
    descending_ = descending;
    state_.grid_dim = {grid.x, grid.y, grid.z};
    state_.block_dim = {block.x, block.y, block.z};
    current = this;
    SegvReport report(kernel, &state_);
    std::string error;
    for (unsigned z = 0; z < grid.z && error.empty(); ++z)
      for (unsigned y = 0; y < grid.y && error.empty(); ++y)
        for (unsigned x = 0; x < grid.x && error.empty(); ++x) {
          state_.block = {x, y, z};
          error = runBlock(threads);
        }
    current = nullptr;
    if (!error.empty())
      error = std::string(kernel) + ", block " + dimString(state_.block) +
              ": " + error;
    return error;
  }

private:
  void reserveStacks(size_t threads) {
    if (threads <= stackCount_)
      return;
    if (stacks_)
      munmap(stacks_, stackCount_ * (kStackBytes + kPage));
    size_t bytes = threads * (kStackBytes + kPage);
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      throw std::runtime_error("host grid: cannot map fiber stacks");
    stacks_ = static_cast<char *>(p);
    stackCount_ = threads;
    for (size_t t = 0; t < threads; ++t)
      mprotect(stacks_ + t * (kStackBytes + kPage), kPage, PROT_NONE);
  }

  EjHostDim3 indexOf(size_t t) const {
    const EjHostDim3 &b = state_.block_dim;
    return {unsigned(t % b.x), unsigned(t / b.x % b.y),
            unsigned(t / (size_t(b.x) * b.y))};
  }

  static void fiberMain() {
    Scheduler *s = current;
    s->entry_(s->args_);
    s->fibers_[s->running_].wait = Wait::Done;
    // uc_link returns to the scheduler.
  }

  // Runs every thread of the current block to its end, or returns why not.
  std::string runBlock(size_t threads) {
    fibers_.assign(threads, Fiber{});
    for (size_t t = 0; t < threads; ++t) {
      Fiber &f = fibers_[t];
      getcontext(&f.context);
      f.context.uc_stack.ss_sp = stacks_ + t * (kStackBytes + kPage) + kPage;
      f.context.uc_stack.ss_size = kStackBytes;
      f.context.uc_link = &main_;
      makecontext(&f.context, fiberMain, 0);
    }
    for (;;) {
      for (size_t i = 0; i < threads; ++i) {
        size_t t = descending_ ? threads - 1 - i : i;
        if (fibers_[t].wait != Wait::None)
          continue;
        running_ = t;
        state_.thread = indexOf(t);
        swapcontext(&main_, &fibers_[t].context);
        if (!error_.empty()) {
          std::string why;
          why.swap(error_);
          return why;
        }
      }
      std::string why;
      bool warps = releaseWarps(threads, why);
      if (!why.empty())
        return why;
      if (warps)
        continue;
      size_t waiting = 0, done = 0;
      for (const Fiber &f : fibers_)
        (f.wait == Wait::Block ? waiting : done) += 1;
      if (waiting == 0)
        return "";
      if (done > 0) {
        for (size_t t = 0; t < threads; ++t)
          if (fibers_[t].wait == Wait::Done)
            return "thread " + dimString(indexOf(t)) + " returned while " +
                   std::to_string(waiting) + " threads wait at __syncthreads";
      }
      for (Fiber &f : fibers_)
        f.wait = Wait::None;
    }
  }

  // Releases each warp whose lanes all wait in a shuffle; false when no
  // lane waits in one. `why` names a shuffle that cannot complete.
  bool releaseWarps(size_t threads, std::string &why) {
    bool any = false;
    for (size_t first = 0; first < threads; first += kWarp) {
      size_t lanes = std::min<size_t>(kWarp, threads - first);
      unsigned mask = 0;
      bool in = false;
      for (size_t l = 0; l < lanes; ++l)
        if (fibers_[first + l].wait == Wait::Warp) {
          in = true;
          mask = fibers_[first + l].mask;
        }
      if (!in)
        continue;
      any = true;
      for (size_t l = 0; l < kWarp; ++l) {
        bool named = mask >> l & 1u;
        const Fiber *f = l < lanes ? &fibers_[first + l] : nullptr;
        if (named && !f) {
          why = "a shuffle's mask names lane " + std::to_string(l) +
                " of a warp of " + std::to_string(lanes) + " lanes";
          return true;
        }
        if (!f)
          continue;
        if (named != (f->wait == Wait::Warp) || (named && f->mask != mask)) {
          why = "thread " + dimString(indexOf(first + l)) + " (lane " +
                std::to_string(l) + ") " +
                (f->wait == Wait::Warp
                     ? "shuffles with another mask than its warp's"
                 : f->wait == Wait::Done
                     ? "returned before its warp's shuffle"
                     : "waits at __syncthreads while its warp shuffles");
          return true;
        }
      }
      for (size_t l = 0; l < lanes; ++l)
        fibers_[first + l].wait = Wait::None;
    }
    return any;
  }

  void wait(Wait w) {
    Fiber &f = fibers_[running_];
    f.wait = w;
    swapcontext(&f.context, &main_);
  }

  void shuffle(unsigned mask, const void *value, void *result, unsigned bytes,
               unsigned source) {
    const size_t t = running_, lane = t % kWarp, warp = t / kWarp;
    if (bytes > kSlotBytes) {
      error_ = "a shuffle of " + std::to_string(bytes) + " bytes";
      wait(Wait::Warp);
    }
    if (slots_.size() <= warp)
      slots_.resize(warp + 1);
    std::memcpy(slots_[warp][lane].data(), value, bytes);
    fibers_[t].mask = mask;
    wait(Wait::Warp);
    if (!(mask >> source & 1u)) {
      error_ = "thread " + dimString(indexOf(t)) + " reads lane " +
               std::to_string(source) + ", which its shuffle's mask leaves out";
      wait(Wait::Warp);
    }
    std::memcpy(result, slots_[warp][source].data(), bytes);
    // No lane offers its next value before every lane has read this one.
    wait(Wait::Warp);
  }

  EjHostGridState state_{};
  ucontext_t main_{};
  std::vector<Fiber> fibers_;
  std::vector<std::array<std::array<char, kSlotBytes>, kWarp>> slots_;
  char *stacks_ = nullptr;
  size_t stackCount_ = 0;
  size_t running_ = 0;
  bool descending_ = false;
  void (*entry_)(void **) = nullptr;
  void **args_ = nullptr;
  std::string error_;
};

// `command`'s exit status, its output (both streams) in `log`.
int runCommand(const std::string &command, std::string &log) {
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    log.append(buffer, n);
  return pclose(pipe);
}

// One scheduler, and so one set of fiber stacks, for every module: a
// process may load hundreds, and each stack's guard page is a mapping of
// its own. Launches take turns.
Scheduler &scheduler() {
  static Scheduler *s = new Scheduler;
  return *s;
}
std::mutex launches;

} // namespace

std::vector<std::string> kernelNames(const std::string &code) {
  std::vector<std::string> names;
  for (size_t at = code.find("__global__"); at != std::string::npos;
       at = code.find("__global__", at + 1)) {
    // `__global__ void [__launch_bounds__(n)] name(`
    size_t name = code.find("void", at) + 4;
    name = code.find_first_not_of(" \n", name);
    if (code.compare(name, 17, "__launch_bounds__") == 0)
      name = code.find_first_not_of(" \n", code.find(')', name) + 1);
    names.push_back(code.substr(name, code.find('(', name) - name));
  }
  return names;
}

struct HostModule::Impl {
  struct Kernel {
    void (*entry)(void **);
    std::vector<size_t> sizes;
  };
  std::filesystem::path dir;
  void *library = nullptr;
  std::map<std::string, Kernel> kernels;
};

HostModule::HostModule(
    const std::string &code,
    const std::vector<std::pair<std::string, std::string>> &headers)
    : impl_(std::make_unique<Impl>()) {
  const std::vector<std::string> kernels = kernelNames(code);
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ej-host-grid-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("host grid: cannot make a directory for " +
                             pattern);
  impl_->dir = pattern;
  std::filesystem::path source = impl_->dir / "kernels.cpp",
                        object = impl_->dir / "kernels.so";
  for (const auto &[name, text] : headers) {
    std::filesystem::path header = impl_->dir / "include" / name;
    std::filesystem::create_directories(header.parent_path());
    std::ofstream(header) << text;
  }
  {
    std::ofstream out(source);
    out << "#include \"HostGridShim.h\"\n" << code << "\n";
    for (const std::string &k : kernels)
      out << "extern \"C\" void ej_host_grid_entry_" << k
          << "(void **args) { ej_host_grid_call(" << k << ", args); }\n"
          << "extern \"C\" unsigned ej_host_grid_sizes_" << k
          << "(size_t *sizes) { return ej_host_grid_sizes(" << k
          << ", sizes); }\n";
  }
  // The device's rules where the host's differ: no contraction into fused
  // multiply-adds (NVRTC runs with --fmad=false).
  std::string command = std::string(EJ_HOST_CXX) +
                        " -std=c++17 -O1 -fPIC -shared -ffp-contract=off -w"
                        " -D__CUDACC_RTC__"
                        " -I" EJ_HOST_GRID_INCLUDE " -I" +
                        (impl_->dir / "include").string() + " -o " +
                        object.string() + " " + source.string();
  std::string log;
  if (runCommand(command, log) != 0)
    throw std::runtime_error("host grid: the host compiler rejects the "
                             "kernels:\n" +
                             log);
  impl_->library = dlopen(object.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!impl_->library)
    throw std::runtime_error(std::string("host grid: ") + dlerror());
  auto bind = reinterpret_cast<void (*)(EjHostGridState *)>(
      dlsym(impl_->library, "ej_host_grid_bind"));
  bind(scheduler().state());
  for (const std::string &k : kernels) {
    Impl::Kernel &kernel = impl_->kernels[k];
    kernel.entry = reinterpret_cast<void (*)(void **)>(
        dlsym(impl_->library, ("ej_host_grid_entry_" + k).c_str()));
    auto sizes = reinterpret_cast<unsigned (*)(size_t *)>(
        dlsym(impl_->library, ("ej_host_grid_sizes_" + k).c_str()));
    kernel.sizes.resize(sizes(nullptr));
    sizes(kernel.sizes.data());
  }
}

HostModule::~HostModule() {
  if (impl_->library)
    dlclose(impl_->library);
  std::error_code ignored;
  std::filesystem::remove_all(impl_->dir, ignored);
}

std::string HostModule::launch(const std::string &kernel, Dim3 grid, Dim3 block,
                               void **args, ThreadOrder order) {
  auto k = impl_->kernels.find(kernel);
  if (k == impl_->kernels.end())
    return "no kernel " + kernel + " in the module";
  std::lock_guard<std::mutex> lock(launches);
  return scheduler().launch(kernel.c_str(), k->second.entry, args, grid, block,
                            order == ThreadOrder::Descending);
}

bool HostModule::has(const std::string &kernel) const {
  return impl_->kernels.count(kernel) != 0;
}

const std::vector<size_t> &
HostModule::parameterSizes(const std::string &kernel) const {
  return impl_->kernels.at(kernel).sizes;
}

GuardedBuffer::GuardedBuffer(size_t bytes) : bytes_(bytes) {
  size_t span = roundUp(std::max<size_t>(bytes, 1), 16);
  mapped_ = roundUp(span, kPage) + 2 * kPage;
  map_ = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map_ == MAP_FAILED)
    throw std::runtime_error("host grid: cannot map a buffer");
  char *base = static_cast<char *>(map_);
  mprotect(base, kPage, PROT_NONE);
  char *end = base + mapped_ - kPage;
  mprotect(end, kPage, PROT_NONE);
  data_ = end - span;
  std::memset(static_cast<char *>(data_) + bytes, 0xa5, span - bytes);
}

GuardedBuffer::~GuardedBuffer() { munmap(map_, mapped_); }

bool GuardedBuffer::intact() const {
  const char *end = static_cast<const char *>(data_) + bytes_;
  size_t slack = roundUp(std::max<size_t>(bytes_, 1), 16) - bytes_;
  for (size_t i = 0; i < slack; ++i)
    if (static_cast<unsigned char>(end[i]) != 0xa5)
      return false;
  return true;
}

} // namespace ejtest
