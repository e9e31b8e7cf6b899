// The one place where the plugin's lock-free code gets its fences.
//
// ThreadSanitizer does not model std::atomic_thread_fence: a release fence followed by a
// relaxed store looks to it like no synchronisation at all, and it reports races that
// cannot happen. So the lock-free structures (deque.hpp, mpmc_ring.hpp) never call
// std::atomic_thread_fence directly; they call the fences below and give the operations
// next to a fence the orders named here. In a normal build these are exactly the fences
// and relaxed operations of the published algorithms; under TSan the fences vanish and
// the neighbouring operations are strengthened (release store, seq_cst load/store), which
// is at least as strong and is something TSan understands.
#ifndef LUMINAR_STEAL_ATOMICS_HPP
#define LUMINAR_STEAL_ATOMICS_HPP

#include <atomic>

#if defined(__SANITIZE_THREAD__)
#define LUMINAR_STEAL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LUMINAR_STEAL_TSAN 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define LUMINAR_STEAL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUMINAR_STEAL_ASAN 1
#endif
#endif

namespace luminar_steal {

#ifdef LUMINAR_STEAL_TSAN
// The store a release fence precedes becomes a release store.
inline constexpr std::memory_order kAfterReleaseFence = std::memory_order_release;
// Operations on either side of a seq_cst fence become seq_cst operations.
inline constexpr std::memory_order kAroundSeqCstFence = std::memory_order_seq_cst;
inline void release_fence() {}
inline void seq_cst_fence() {}
#else
inline constexpr std::memory_order kAfterReleaseFence = std::memory_order_relaxed;
inline constexpr std::memory_order kAroundSeqCstFence = std::memory_order_relaxed;
inline void release_fence() { std::atomic_thread_fence(std::memory_order_release); }
inline void seq_cst_fence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
#endif

// An acquire load next to a seq_cst fence: seq_cst under TSan (see above).
#ifdef LUMINAR_STEAL_TSAN
inline constexpr std::memory_order kAcquireAroundSeqCstFence = std::memory_order_seq_cst;
#else
inline constexpr std::memory_order kAcquireAroundSeqCstFence = std::memory_order_acquire;
#endif

// A real full fence in every build, for the sleep/wake handshakes (Dekker style: each side
// stores, fences, then loads the other side's variable). TSan cannot check it, but it must
// not vanish under TSan either: the handshake depends on it for correctness, not for what
// TSan sees. GCC's TSan drops std::atomic_thread_fence (-Wtsan), so TSan builds on x86-64
// issue the instruction itself.
#if defined(LUMINAR_STEAL_TSAN) && defined(__x86_64__)
inline void handshake_fence() { asm volatile("mfence" ::: "memory"); }
#else
inline void handshake_fence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
#endif

}  // namespace luminar_steal

#endif
