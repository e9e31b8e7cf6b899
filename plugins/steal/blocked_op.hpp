// One blocked operation of one task or thread: a channel send/recv, a select, a sleep, a
// join, a group wait, an I/O request. Channel queues point at it (through Waiter),
// cancellation and timers claim it, and complete() is the one place where a blocked task
// or thread is woken.
//
// Protocol: the first party to claim the operation (a channel counterpart, a close, a
// timer, a canceller, a finishing task) records the outcome and wakes the owner; everyone
// else leaves it alone. The owner only waits. After complete() has marked the operation
// woken, the owner may destroy it at once, so complete() touches nothing afterwards.
//
// Waking a task means making its parked fiber runnable; the owner's park and the waker's
// complete race, and state_ decides who makes it runnable:
//   kWaiting --(owner has left its fiber: on_parked)--> kParked --(complete)--> kWoken
//   kWaiting --(complete, before the owner left)-----> kWoken  (on_parked then resumes it)
// A thread that is not a fiber task (the main thread, blocking-pool threads) waits on
// state_ with a futex instead.
#ifndef LUMINAR_STEAL_BLOCKED_OP_HPP
#define LUMINAR_STEAL_BLOCKED_OP_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>

struct LuminarTask;

namespace luminar_steal {

struct Fiber;

class BlockedOp {
 public:
  BlockedOp();  // for the calling task (fiber) or thread
  // The same, for a caller that knows it: the task on the calling fiber, or null on a
  // thread that runs no fibers.
  explicit BlockedOp(LuminarTask *fiber_task) : task_(fiber_task) {}
  BlockedOp(const BlockedOp &) = delete;
  BlockedOp &operator=(const BlockedOp &) = delete;

  bool try_claim() {
    bool expected = false;
    // Acq_rel: the winner sees the owner's registration (its buffers); pairs with itself
    // across competing claimers.
    return claimed_.compare_exchange_strong(expected, true, std::memory_order_acq_rel, std::memory_order_relaxed);
  }

  // By the claimer, after any data transfer: records the outcome and wakes the owner.
  void complete(std::size_t case_index, int32_t status);

  // By the owner: returns once complete() has run.
  void wait();

  std::size_t case_index() const { return case_index_; }  // after wait()
  int32_t status() const { return status_; }

 private:
  static constexpr std::uint32_t kWaiting = 0, kParked = 1, kWoken = 2;
  static void on_parked(Fiber *from, void *op);

  std::atomic<bool> claimed_{false};
  std::atomic<std::uint32_t> state_{kWaiting};  // see the file comment; also the futex word
  LuminarTask *const task_;  // the owner task if it runs on a fiber, else null (a thread)
  // Written by the claimer before state_ becomes kWoken, read by the owner after.
  std::size_t case_index_ = 0;
  int32_t status_ = 0;
};

}  // namespace luminar_steal

#endif
