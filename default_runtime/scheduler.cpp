#include "scheduler.hpp"

#include "runtime.hpp"
#include "tasks.hpp"

#include <thread>

namespace luminar_default {
namespace {
thread_local bool on_pool_thread = false;
// Blocking scopes nest (a `blocking` task waits on a channel): only the outermost counts.
thread_local int blocking_depth = 0;
}

void Scheduler::submit(LuminarTask *task, int priority) {
  std::lock_guard<std::mutex> lock(m_);
  queues_[priority < 0 ? 0 : priority > 3 ? 3 : priority].push_back(task);
  if (running_ >= workers_) return;  // a thread that finishes or blocks picks it up
  if (idle_ > 0) {
    work_cv_.notify_one();
  } else if (threads_ < kMaxThreads) {
    start_thread_locked();
  }
}

void Scheduler::block_begin() {
  if (!on_pool_thread || blocking_depth++ > 0) return;
  std::lock_guard<std::mutex> lock(m_);
  --running_;
  if (!has_work_locked()) return;
  if (idle_ > 0) {
    work_cv_.notify_one();
  } else if (threads_ < kMaxThreads) {
    start_thread_locked();
  }
}

void Scheduler::block_end() {
  if (!on_pool_thread || --blocking_depth > 0) return;
  std::lock_guard<std::mutex> lock(m_);
  ++running_;  // may exceed workers_ until a task ends: the woken task runs on at once
}

void Scheduler::shutdown() {
  std::unique_lock<std::mutex> lock(m_);
  stopping_ = true;
  work_cv_.notify_all();
  // Idle threads exit promptly; bounded so that a task stuck in user code cannot hang exit.
  exit_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return idle_ == 0; });
}

bool Scheduler::has_work_locked() const {
  for (const auto &queue : queues_)
    if (!queue.empty()) return true;
  return false;
}

LuminarTask *Scheduler::pop_locked() {
  for (int p = 3; p >= 0; --p) {
    if (!queues_[p].empty()) {
      LuminarTask *task = queues_[p].front();
      queues_[p].pop_front();
      return task;
    }
  }
  return nullptr;
}

void Scheduler::start_thread_locked() {
  ++threads_;
  std::thread([this] { worker_loop(); }).detach();
}

void Scheduler::worker_loop() {
  on_pool_thread = true;
  std::unique_lock<std::mutex> lock(m_);
  for (;;) {
    ++idle_;
    bool timed_out = false;
    while (!stopping_ && !timed_out && !(has_work_locked() && running_ < workers_)) {
      timed_out = work_cv_.wait_for(lock, kIdleExit) == std::cv_status::timeout && threads_ > workers_;
    }
    --idle_;
    if (stopping_ || (timed_out && !(has_work_locked() && running_ < workers_))) break;
    LuminarTask *task = pop_locked();
    ++running_;
    lock.unlock();
    run_task(task);
    lock.lock();
    --running_;
  }
  --threads_;
  exit_cv_.notify_all();
}

BlockingScope::BlockingScope() { runtime().scheduler.block_begin(); }
BlockingScope::~BlockingScope() { runtime().scheduler.block_end(); }

}  // namespace luminar_default
