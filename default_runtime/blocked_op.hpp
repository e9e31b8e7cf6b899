// One blocked operation of one thread: a channel send/recv, a select, a sleep. It is what
// channel queues point at (through Waiter), what a cancellation interrupts, and the one
// place where a blocked thread is woken (complete / interrupt).
#ifndef LUMINAR_DEFAULT_BLOCKED_OP_HPP
#define LUMINAR_DEFAULT_BLOCKED_OP_HPP

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace luminar_default {

class BlockedOp {
 public:
  // The first party to claim the operation completes it: a channel counterpart, a close,
  // or the owner itself on timeout or cancellation. Everyone else leaves it alone.
  bool try_claim() {
    bool expected = false;
    return claimed_.compare_exchange_strong(expected, true);
  }

  // By the claimer, after any data transfer: records the outcome and wakes the owner. The
  // owner may destroy the object as soon as m_ is released, so nothing touches it after.
  void complete(std::size_t case_index, int32_t status) {
    std::lock_guard<std::mutex> lock(m_);
    done_ = true;
    case_index_ = case_index;
    status_ = status;
    cv_.notify_one();
  }

  // By a canceller: the owner stops waiting and tries to claim the operation itself.
  void interrupt() {
    std::lock_guard<std::mutex> lock(m_);
    interrupted_ = true;
    cv_.notify_one();
  }

  // By the owner. Waits until completed, interrupted or `deadline` (if has_deadline).
  // Returns true if completed by someone else.
  bool wait(bool has_deadline, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(m_);
    while (!done_ && !interrupted_) {
      if (!has_deadline) {
        cv_.wait(lock);
      } else if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        break;
      }
    }
    return done_;
  }

  // By the owner after it lost the claim race: the claimer is about to complete.
  void wait_completed() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return done_; });
  }

  bool interrupted() {
    std::lock_guard<std::mutex> lock(m_);
    return interrupted_;
  }
  std::size_t case_index() const { return case_index_; }  // after wait()/wait_completed()
  int32_t status() const { return status_; }

 private:
  std::atomic<bool> claimed_{false};
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;         // under m_
  bool interrupted_ = false;  // under m_
  std::size_t case_index_ = 0;  // written by the claimer under m_, read by the owner after done_
  int32_t status_ = 0;
};

}  // namespace luminar_default

#endif
