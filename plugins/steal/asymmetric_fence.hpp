// A fence pair for Dekker handshakes where one side runs often and the other rarely (as
// folly's asymmetricLightBarrier/asymmetricHeavyBarrier, or liburcu's): each side stores,
// fences, then loads what the other side stores, and either one side sees the other's
// store or both do. The frequent side calls light_fence(), the rare side heavy_fence().
//
// Where the kernel allows membarrier(2) (registered by enable_asymmetric_fences), the
// heavy fence is MEMBARRIER_CMD_PRIVATE_EXPEDITED, which runs a full barrier on every thread
// of the process that is on a CPU and so orders any light side's store before its later
// load as a fence would (a thread not on a CPU has passed a context switch, itself a
// barrier), and the light fence is only a compiler barrier. Otherwise both are full fences.
// Used by: the workers' sleep handshake (scheduler.cpp), and the registration and
// withdrawal of a blocked operation against a canceller (tasks.cpp, cancel_task).
#ifndef LUMINAR_STEAL_ASYMMETRIC_FENCE_HPP
#define LUMINAR_STEAL_ASYMMETRIC_FENCE_HPP

#include "atomics.hpp"

#include <atomic>

namespace luminar_steal {

// Set once, by enable_asymmetric_fences, before any thread can run either side (the hooks
// are handed out after init). Acquire loads, release store: the threads that existed
// before (the timer thread) see it through the same chain as the work they are given; on
// x86 both are plain moves.
extern std::atomic<bool> asymmetric_fences_enabled;

// Once, before the workers start (Scheduler::start); a kernel or a seccomp policy that
// refuses the registration leaves both fences full.
void enable_asymmetric_fences();

inline void light_fence() {
  if (asymmetric_fences_enabled.load(std::memory_order_acquire)) {  // acquire: see above
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    handshake_fence();
  }
}

void heavy_fence();

}  // namespace luminar_steal

#endif
