// The thread pool. At most `workers` threads run tasks at a time; when a running task
// blocks (channel, select, sleep, join, group wait, I/O, or a task spawned `blocking`),
// its thread stops counting and, if work is queued and no worker is idle, a compensating
// thread is started, up to kMaxThreads. So tasks that block on each other never deadlock
// the pool because of its size (a ring of 1,000 tasks completes with LUMINAR_THREADS=2).
// Surplus idle threads exit after kIdleExit.
#ifndef LUMINAR_DEFAULT_SCHEDULER_HPP
#define LUMINAR_DEFAULT_SCHEDULER_HPP

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

struct LuminarTask;

namespace luminar_default {

class Scheduler {
 public:
  // Hard bound on threads; beyond it blocked tasks can starve queued ones.
  static constexpr std::size_t kMaxThreads = 4096;
  static constexpr std::chrono::milliseconds kIdleExit{500};

  explicit Scheduler(std::size_t workers) : workers_(workers) {}

  // Queues a task (priority 0..3, higher first) and makes sure a thread will take it.
  void submit(LuminarTask *task, int priority);

  // Called around a wait by a pool thread (no-ops on other threads).
  void block_begin();
  void block_end();

  // Stops idle threads and waits briefly for them; threads inside tasks (detached tasks
  // blocked forever, say) are left running, as Go leaves goroutines at exit.
  void shutdown();

 private:
  void worker_loop();
  void start_thread_locked();  // m_ held
  bool has_work_locked() const;
  LuminarTask *pop_locked();

  const std::size_t workers_;
  std::mutex m_;
  std::condition_variable work_cv_;  // work queued, a running slot freed, or stopping
  std::condition_variable exit_cv_;  // a thread exited (for shutdown)
  // All under m_:
  std::deque<LuminarTask *> queues_[4];  // by priority
  std::size_t threads_ = 0;   // live pool threads
  std::size_t idle_ = 0;      // threads waiting in worker_loop
  std::size_t running_ = 0;   // threads inside a task and not blocked
  bool stopping_ = false;
};

// RAII: marks the calling pool thread blocked for the scope (see Scheduler).
class BlockingScope {
 public:
  BlockingScope();
  ~BlockingScope();
  BlockingScope(const BlockingScope &) = delete;
  BlockingScope &operator=(const BlockingScope &) = delete;
};

}  // namespace luminar_default

#endif
