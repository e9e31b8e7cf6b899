// A mutex for the runtime's short critical sections (a group's counters, a task's
// joiners, a shared queue): it spins a little before it sleeps on a futex, so two workers
// that meet on a group for a few nanoseconds never make a system call, where
// std::mutex (glibc's default kind does not spin) puts the loser to sleep and the winner
// into futex_wake. Drepper's three-state futex mutex ("Futexes Are Tricky", mutex 2):
//   state_ == 0: unlocked; 1: locked, nobody sleeps; 2: locked, sleepers may exist.
// Whoever sets 2 sleeps only while it is still 2, and the unlocker of a 2 wakes one; a
// woken thread takes the lock with 2 (it cannot know whether others sleep), so a wake-up
// is never lost. Never held across a fiber switch (a parked task would hold it).
// Meets the Lockable requirements (std::lock_guard, std::unique_lock).
#ifndef LUMINAR_STEAL_SPIN_MUTEX_HPP
#define LUMINAR_STEAL_SPIN_MUTEX_HPP

#include "futex.hpp"

#include <sched.h>

#include <atomic>
#include <cstdint>

namespace luminar_steal {

// One step of a spin-wait: tells the core (and a hyperthread sibling) that we are waiting.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

// One step of a wait for another thread that holds something for a few instructions (a
// lock, a ring position it is filling): a pause for the first 100 steps, then the CPU
// given away, in case that thread has lost its own (crossbeam's Backoff::snooze).
// `steps` starts at 0 and belongs to the waiting loop.
inline void snooze(unsigned &steps) {
  if (steps++ < 100) {
    cpu_relax();
  } else {
    sched_yield();
  }
}

class SpinMutex {
 public:
  // Seq_cst on success (on x86 the same instruction as acquire): the critical section sees
  // what the previous holder wrote, and tasks.cpp's blocked-operation protocol orders
  // taking a task's mutex against held() in one total order.
  bool try_lock() {
    std::uint32_t expected = 0;
    return state_.compare_exchange_strong(expected, 1, std::memory_order_seq_cst, std::memory_order_relaxed);
  }
  // Whether some thread holds it now (seq_cst, see try_lock).
  bool held() const { return state_.load() != 0; }
  void lock() {
    if (try_lock()) return;
    lock_slow();
  }
  // Release: publishes the critical section to the next holder.
  void unlock() {
    if (state_.exchange(0, std::memory_order_release) == 2) futex_wake(&state_, 1);
  }

 private:
  static constexpr int kSpins = 100;
  void lock_slow() {
    for (int i = 0; i < kSpins; ++i) {
      // Relaxed: only a hint that the lock is free; the CAS in try_lock decides.
      if (state_.load(std::memory_order_relaxed) == 0 && try_lock()) return;
      cpu_relax();
    }
    // Seq_cst: as in try_lock (the exchange that returns 0 takes the lock).
    while (state_.exchange(2) != 0) futex_wait(&state_, 2);
  }

  std::atomic<std::uint32_t> state_{0};
};

}  // namespace luminar_steal

#endif
