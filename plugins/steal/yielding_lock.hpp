// A lock for critical sections of a few dozen instructions that no holder ever leaves for
// long (a channel's wait queues): test-and-test-and-set, spinning with a pause and then
// giving the CPU away (sched_yield) while it is held, never sleeping. Unlocking is a plain
// release store, where SpinMutex's futex protocol needs an exchange to learn whether a
// sleeper must be woken: on the path of every channel hand-off and park that is one locked
// instruction less. Never held across a fiber switch. Meets the Lockable requirements.
#ifndef LUMINAR_STEAL_YIELDING_LOCK_HPP
#define LUMINAR_STEAL_YIELDING_LOCK_HPP

#include "spin_mutex.hpp"

#include <atomic>

namespace luminar_steal {

class YieldingLock {
 public:
  // Acquire: the critical section sees what the previous holder wrote.
  bool try_lock() { return !locked_.exchange(true, std::memory_order_acquire); }
  void lock() {
    // Relaxed: only a hint that the lock is free; the exchange in try_lock decides.
    for (unsigned steps = 0; locked_.load(std::memory_order_relaxed) || !try_lock();) snooze(steps);
  }
  // Release: publishes the critical section to the next holder.
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace luminar_steal

#endif
