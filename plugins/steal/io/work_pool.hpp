// A fixed set of threads that perform requests synchronously: the epoll backend's path for
// regular files and block devices, which epoll cannot wait for (they are always "ready").
//
// Invariants: `queue_` holds jobs not yet taken by a thread; `stopping_` turns true once, in
// the destructor, after which the threads empty the queue and exit. Both are under `mutex_`.
#ifndef LUMINAR_STEAL_IO_WORK_POOL_HPP
#define LUMINAR_STEAL_IO_WORK_POOL_HPP

#include "request.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace luminar_steal::io {

class WorkPool {
 public:
  // Throws std::system_error when a thread cannot be started.
  explicit WorkPool(unsigned threads);
  // Runs every queued job, then joins the threads.
  ~WorkPool();
  WorkPool(const WorkPool &) = delete;
  WorkPool &operator=(const WorkPool &) = delete;

  // Performs `r` on a pool thread and completes it with the outcome. Any thread.
  void perform_later(const Request &r);
  // Completes `r` with `result` on a pool thread, without performing it (a failure found at
  // submission, reported through the Completion like any other). Any thread.
  void complete_later(const Request &r, int64_t result);

 private:
  struct Job {
    Request request;
    bool perform;    // false: complete with `result` as it is
    int64_t result;
  };

  void push(const Job &job);
  void run();
  void stop();  // empties the queue and joins; once

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace luminar_steal::io

#endif
