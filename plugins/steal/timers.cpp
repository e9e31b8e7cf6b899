#include "timers.hpp"

namespace luminar_steal {

Timers::Timers() : thread_([this] { run(); }) {}

void Timers::stop() {
  {
    std::lock_guard<std::mutex> lock(m_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Timers::place(std::size_t i, Timer *timer) {
  heap_[i] = timer;
  timer->heap_index = i;
}

void Timers::sift_up(std::size_t i) {
  Timer *timer = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (heap_[parent]->deadline <= timer->deadline) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, timer);
}

void Timers::sift_down(std::size_t i) {
  Timer *timer = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->deadline < heap_[child]->deadline) ++child;
    if (timer->deadline <= heap_[child]->deadline) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, timer);
}

void Timers::remove_at(std::size_t i) {
  heap_[i]->heap_index = Timer::kNotQueued;
  Timer *last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;
  place(i, last);
  sift_down(i);
  sift_up(last->heap_index);
}

void Timers::add(Timer *timer, Clock::time_point deadline) {
  std::lock_guard<std::mutex> lock(m_);
  timer->deadline = deadline;
  heap_.push_back(timer);
  sift_up(heap_.size() - 1);
  if (timer->heap_index == 0) changed_.notify_all();
}

void Timers::cancel(Timer *timer) {
  std::unique_lock<std::mutex> lock(m_);
  if (timer->heap_index != Timer::kNotQueued) {
    remove_at(timer->heap_index);
    return;
  }
  changed_.wait(lock, [&] { return running_ != timer; });
}

void Timers::run() {
  std::unique_lock<std::mutex> lock(m_);
  while (!stopping_) {
    if (heap_.empty()) {
      changed_.wait(lock);
      continue;
    }
    Timer *first = heap_.front();
    if (Clock::now() < first->deadline) {
      // A copy: wait_until reads its deadline again after relocking, when the timer may
      // have been cancelled and its owner (often a stack frame) gone.
      const Clock::time_point deadline = first->deadline;
      changed_.wait_until(lock, deadline);
      continue;
    }
    remove_at(0);
    running_ = first;
    lock.unlock();
    first->action(first->arg);
    lock.lock();
    running_ = nullptr;
    changed_.notify_all();
  }
}

}  // namespace luminar_steal
