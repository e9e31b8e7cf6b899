// The bounded pool for `blocking` spawns and for blocking system calls issued by fiber
// tasks (I/O): jobs that may hold an OS thread for long run here, never on the workers.
// Threads are started on demand up to the bound (LUMINAR_BLOCKING_THREADS); beyond it,
// jobs queue. Idle threads exit after kIdleExit.
#ifndef LUMINAR_STEAL_BLOCKING_POOL_HPP
#define LUMINAR_STEAL_BLOCKING_POOL_HPP

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace luminar_steal {

class BlockingPool {
 public:
  static constexpr std::chrono::milliseconds kIdleExit{1000};
  struct Job {
    void (*run)(void *arg);
    void *arg;
  };

  explicit BlockingPool(std::size_t max_threads) : max_threads_(max_threads == 0 ? 1 : max_threads) {}
  void submit(Job job);
  // Stops idle threads and waits briefly for them (threads inside jobs are left running).
  void shutdown();

 private:
  void thread_loop();

  const std::size_t max_threads_;
  std::mutex m_;
  std::condition_variable work_cv_;  // a job queued, or stopping
  std::condition_variable exit_cv_;  // a thread exited
  std::deque<Job> jobs_;    // under m_
  std::size_t threads_ = 0;  // under m_
  std::size_t idle_ = 0;     // under m_
  bool stopping_ = false;    // under m_
};

}  // namespace luminar_steal

#endif
