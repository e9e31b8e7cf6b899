#include "blocking_pool.hpp"

#include <thread>

namespace luminar_steal {

void BlockingPool::submit(Job job) {
  std::lock_guard<std::mutex> lock(m_);
  jobs_.push_back(job);
  if (idle_ > 0) {
    work_cv_.notify_one();
  } else if (threads_ < max_threads_) {
    ++threads_;
    std::thread([this] { thread_loop(); }).detach();
  }
}

void BlockingPool::shutdown() {
  std::unique_lock<std::mutex> lock(m_);
  stopping_ = true;
  work_cv_.notify_all();
  exit_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return idle_ == 0; });
}

void BlockingPool::thread_loop() {
  std::unique_lock<std::mutex> lock(m_);
  for (;;) {
    ++idle_;
    bool timed_out = false;
    while (!stopping_ && !timed_out && jobs_.empty())
      timed_out = work_cv_.wait_for(lock, kIdleExit) == std::cv_status::timeout;
    --idle_;
    if (jobs_.empty()) break;  // stopping, or idle for kIdleExit
    const Job job = jobs_.front();
    jobs_.pop_front();
    lock.unlock();
    job.run(job.arg);
    lock.lock();
  }
  --threads_;
  exit_cv_.notify_all();
}

}  // namespace luminar_steal
