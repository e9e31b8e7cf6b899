#include "timers.hpp"

namespace luminar_default {

Timers::Timers() : thread_([this] { run(); }) {}

void Timers::stop() {
  {
    std::lock_guard<std::mutex> lock(m_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Timers::Id Timers::add(Clock::time_point deadline, std::function<void()> action) {
  std::lock_guard<std::mutex> lock(m_);
  const Id id = next_id_++;
  pending_.emplace(std::make_pair(deadline, id), std::move(action));
  deadlines_.emplace(id, deadline);
  changed_.notify_all();
  return id;
}

void Timers::cancel(Id id) {
  if (id == 0) return;
  std::unique_lock<std::mutex> lock(m_);
  auto found = deadlines_.find(id);
  if (found != deadlines_.end()) {
    pending_.erase(std::make_pair(found->second, id));
    deadlines_.erase(found);
    return;
  }
  changed_.wait(lock, [&] { return running_ != id; });
}

void Timers::run() {
  std::unique_lock<std::mutex> lock(m_);
  while (!stopping_) {
    if (pending_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto first = pending_.begin();
    if (Clock::now() < first->first.first) {
      changed_.wait_until(lock, first->first.first);
      continue;
    }
    const Id id = first->first.second;
    std::function<void()> action = std::move(first->second);
    pending_.erase(first);
    deadlines_.erase(id);
    running_ = id;
    lock.unlock();
    action();
    lock.lock();
    running_ = 0;
    changed_.notify_all();
  }
}

}  // namespace luminar_default
