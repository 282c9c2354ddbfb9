//===- Parallel.cpp - The kernels' worker pool ---------------------------===//
//
// One job at a time: the caller publishes a range split in equal chunks,
// wakes the workers, runs chunks itself and waits until all are done. A
// nested call (a kernel run from inside a worker) runs serially.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/Parallel.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ej::runtime {
namespace {

thread_local bool in_parallel_region = false;

class Pool {
public:
  Pool() {
    const char *env = std::getenv("EJ_NUM_THREADS");
    int n = env ? std::atoi(env) : int(std::thread::hardware_concurrency());
    wanted_ = std::max(1, n);
  }
  ~Pool() { stop(); }

  int threads() const { return wanted_; }
  void set_threads(int n) {
    std::lock_guard<std::mutex> run_lock(run_mu_);
    stop();
    wanted_ = std::max(1, n);
  }

  void run(int64_t n, int64_t grain,
           const std::function<void(int64_t, int64_t)> &fn) {
    std::lock_guard<std::mutex> run_lock(run_mu_);
    start();
    int64_t chunks = std::min<int64_t>(wanted_, (n + grain - 1) / grain);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = &fn;
      n_ = n;
      chunks_ = chunks;
      next_ = 0;
      pending_ = chunks;
      error_ = nullptr;
      gen = ++generation_;
    }
    cv_.notify_all();
    work(gen);
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return pending_ == 0; });
    fn_ = nullptr;
    if (error_)
      std::rethrow_exception(error_);
  }

private:
  void start() {
    if (!workers_.empty() || wanted_ == 1)
      return;
    quit_ = false;
    for (int i = 1; i < wanted_; ++i)
      workers_.emplace_back([this] { loop(); });
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto &t : workers_)
      t.join();
    workers_.clear();
  }
  void loop() {
    in_parallel_region = true;
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return quit_ || generation_ != seen; });
        if (quit_)
          return;
        seen = generation_;
      }
      work(seen);
    }
  }
  // Takes chunks of job `gen` until none is left. Chunks are handed out
  // under the lock so that a worker that wakes late never takes a chunk of
  // a job it did not see published.
  void work(uint64_t gen) {
    bool was = in_parallel_region;
    in_parallel_region = true;
    for (;;) {
      int64_t c, n, chunks;
      const std::function<void(int64_t, int64_t)> *fn;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (generation_ != gen || next_ >= chunks_)
          break;
        c = next_++;
        fn = fn_;
        n = n_;
        chunks = chunks_;
      }
      try {
        (*fn)(n * c / chunks, n * (c + 1) / chunks);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_)
          error_ = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0)
        done_cv_.notify_one();
    }
    in_parallel_region = was;
  }

  std::mutex run_mu_; // one job at a time
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  int wanted_ = 1;
  bool quit_ = false;
  uint64_t generation_ = 0;
  const std::function<void(int64_t, int64_t)> *fn_ = nullptr;
  int64_t n_ = 0, chunks_ = 0, next_ = 0, pending_ = 0;
  std::exception_ptr error_;
};

Pool &pool() {
  static Pool p;
  return p;
}

} // namespace

int num_threads() { return pool().threads(); }
void set_num_threads(int n) { pool().set_threads(n); }

void parallel_for(int64_t n, int64_t grain,
                  const std::function<void(int64_t, int64_t)> &fn) {
  if (n <= 0)
    return;
  grain = std::max<int64_t>(grain, 1);
  if (n < 2 * grain || in_parallel_region || pool().threads() == 1) {
    fn(0, n);
    return;
  }
  pool().run(n, grain, fn);
}

} // namespace ej::runtime
