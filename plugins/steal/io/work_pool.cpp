// The epoll backend's blocking pool (invariants in work_pool.hpp).
#include "work_pool.hpp"

namespace luminar_steal::io {

WorkPool::WorkPool(unsigned threads) {
  try {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  } catch (...) {
    stop();  // joins the threads that did start
    throw;
  }
}

WorkPool::~WorkPool() { stop(); }

void WorkPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread &t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkPool::perform_later(const Request &r) { push(Job{r, true, 0}); }

void WorkPool::complete_later(const Request &r, int64_t result) { push(Job{r, false, result}); }

void WorkPool::push(const Job &job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(job);
  }
  ready_.notify_one();
}

void WorkPool::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      job = queue_.front();
      queue_.pop_front();
    }
    complete(job.request, job.perform ? perform(job.request) : job.result);
  }
}

}  // namespace luminar_steal::io
