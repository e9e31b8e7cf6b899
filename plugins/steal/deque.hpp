// A Chase–Lev work-stealing deque (Chase & Lev, SPAA 2005) with the C11 memory orderings
// of Lê, Pop, Cohen and Zappa Nardelli, "Correct and efficient work-stealing for weak
// memory models" (PPoPP 2013), figure 1. One owner thread pushes and pops at the bottom;
// any number of thieves steal at the top.
//
// Invariants:
//   1. top <= bottom + 1 at all times; top <= bottom whenever the owner is not inside pop.
//   2. The items are buffer[top .. bottom-1] (indices modulo the array size); top only
//      grows, and only by a successful CAS (a thief's steal, or the owner's pop of the
//      last item), so every item is taken exactly once.
//   3. bottom and the buffer contents are written only by the owner; the array pointer is
//      replaced only by the owner (grow), and an array that was ever published is never
//      freed before the deque is destroyed, because a thief may still read from it
//      (the paper leaks it; we keep it on `retired_`).
// Fields: top_ is shared (CAS); bottom_ and array_ are written by the owner only and read
// by thieves; retired_ is owner-only.
// Departures from the paper: indices are signed 64-bit, so bottom - 1 on an empty deque is
// -1 rather than a wrapped size_t; and push reads top only when the array looks full by
// the owner's last reading of it (top_seen_), not on every push: top only grows, so an old
// reading overstates the size and never lets push overwrite a slot that is still live,
// while a thief's CAS on top no longer pulls its cache line away from every push. And an
// item can be pushed as held: a thief that asks not to take held items gets held_back
// when one is at the top (the scheduler's patience for woken tasks, scheduler.hpp).
#ifndef LUMINAR_STEAL_DEQUE_HPP
#define LUMINAR_STEAL_DEQUE_HPP

#include "atomics.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace luminar_steal {

template <class T>
class WorkStealingDeque {
 public:
  // held_back: the top item was pushed as held and the thief asked not to take those.
  enum class StealResult { ok, empty, lost_race, held_back };

  explicit WorkStealingDeque(std::size_t initial_capacity = 256) {
    std::size_t capacity = 1;
    while (capacity < initial_capacity) capacity <<= 1;
    retired_.push_back(std::make_unique<Array>(capacity));
    // Relaxed: the deque is not shared yet; whoever shares it publishes it.
    array_.store(retired_.back().get(), std::memory_order_relaxed);
  }
  WorkStealingDeque(const WorkStealingDeque &) = delete;
  WorkStealingDeque &operator=(const WorkStealingDeque &) = delete;

  // Owner only. A held item is stolen only by thieves that ask for held items too
  // (steal's take_held); the owner pops it like any other. The mark is the pointer's low
  // bit (items are at least 2-byte aligned), so it costs no extra load or store.
  void push(T *item, bool held = false) {
    // Relaxed: bottom is written only by this (owner) thread.
    const std::int64_t b = bottom_.load(std::memory_order_relaxed);
    // Relaxed: the array pointer is written only by this thread.
    Array *a = array_.load(std::memory_order_relaxed);
    if (b - top_seen_ > static_cast<std::int64_t>(a->mask)) {
      // Acquire: pairs with the thieves' CAS on top, so slots they emptied may be reused.
      top_seen_ = top_.load(std::memory_order_acquire);
      if (b - top_seen_ > static_cast<std::int64_t>(a->mask)) a = grow(a, top_seen_, b);
    }
    // Relaxed: published by the release fence below (Lê et al., push).
    a->slot(b).store(held ? mark_held(item) : item, std::memory_order_relaxed);
    // Release fence before the bottom store: a thief that reads the new bottom (acquire
    // in steal) sees the item and everything written before push (Lê et al., push).
    release_fence();
    bottom_.store(b + 1, kAfterReleaseFence);
  }

  // Owner only. Returns nullptr when empty.
  T *pop() {
    // Relaxed: owner-written fields (see push).
    const std::int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    Array *a = array_.load(std::memory_order_relaxed);
    // Relaxed (seq_cst under TSan): ordered against the top load by the fence below.
    bottom_.store(b, kAroundSeqCstFence);
    // Seq_cst fence between the bottom store and the top load: either a concurrent thief
    // sees the decremented bottom or we see its incremented top, never neither (Lê et al.,
    // take; pairs with the fence in steal).
    seq_cst_fence();
    // Relaxed (seq_cst under TSan): ordered after the bottom store by the fence above.
    std::int64_t t = top_.load(kAroundSeqCstFence);
    if (t > b) {
      // Relaxed: restores the owner's own field.
      bottom_.store(b + 1, std::memory_order_relaxed);
      return nullptr;
    }
    // Relaxed: the owner wrote this slot itself.
    T *item = unmarked(a->slot(b).load(std::memory_order_relaxed));
    if (t == b) {
      // Last item: race the thieves for it with the same CAS they use (seq_cst, as in the
      // paper; relaxed on failure since nothing is read through it).
      if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed))
        item = nullptr;
      // Relaxed: owner's field; the deque is empty either way.
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return item;
  }

  // Any thread. On ok, *out holds the stolen item.
  StealResult steal(T **out, bool take_held = true) {
    // Acquire: pairs with the CAS of an earlier steal/pop, so the slot read below is not
    // one that was already taken (Lê et al., steal).
    std::int64_t t = top_.load(kAcquireAroundSeqCstFence);
    // Seq_cst fence: pairs with the one in pop (see there).
    seq_cst_fence();
    // Acquire: pairs with the release fence in push, so the item's slot and contents are
    // visible.
    const std::int64_t b = bottom_.load(kAcquireAroundSeqCstFence);
    if (t >= b) return StealResult::empty;
    // Acquire (the paper's consume): pairs with the release store in grow, so the new
    // array's copied slots are visible.
    Array *a = array_.load(std::memory_order_acquire);
    // Relaxed: ordered by the acquire of bottom above (the item was pushed before it).
    T *item = a->slot(t).load(std::memory_order_relaxed);
    if (is_held(item)) {
      if (!take_held) return StealResult::held_back;
      item = unmarked(item);
    }
    // The thief reads the item next, and it was written on the owner's core: start
    // fetching it while the CAS runs. Harmless if the CAS fails (a prefetch never faults).
    for (std::size_t offset = 0; offset < sizeof(T); offset += 64)
      __builtin_prefetch(reinterpret_cast<const char *>(item) + offset);
    // Seq_cst, as in the paper: the CAS on top decides who owns the item.
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed))
      return StealResult::lost_race;
    *out = item;
    return StealResult::ok;
  }

  // Any thread; a racy estimate, for the idle check and metrics.
  bool empty_hint() const {
    // Relaxed: only a hint; callers that act on it re-check with steal/pop.
    return top_.load(std::memory_order_relaxed) >= bottom_.load(std::memory_order_relaxed);
  }

 private:
  static T *mark_held(T *item) { return reinterpret_cast<T *>(reinterpret_cast<std::uintptr_t>(item) | 1); }
  static bool is_held(T *item) { return (reinterpret_cast<std::uintptr_t>(item) & 1) != 0; }
  static T *unmarked(T *item) { return reinterpret_cast<T *>(reinterpret_cast<std::uintptr_t>(item) & ~std::uintptr_t{1}); }

  struct Array {
    explicit Array(std::size_t capacity) : mask(capacity - 1), slots(new std::atomic<T *>[capacity]) {}
    std::atomic<T *> &slot(std::int64_t i) { return slots[static_cast<std::size_t>(i) & mask]; }
    const std::size_t mask;
    std::unique_ptr<std::atomic<T *>[]> slots;
  };

  // Owner only: doubles the array, copying the live items [t, b).
  Array *grow(Array *old, std::int64_t t, std::int64_t b) {
    retired_.push_back(std::make_unique<Array>((old->mask + 1) * 2));
    Array *bigger = retired_.back().get();
    // Relaxed: the copies are published by the release store of the array below.
    for (std::int64_t i = t; i < b; ++i) bigger->slot(i).store(old->slot(i).load(std::memory_order_relaxed), std::memory_order_relaxed);
    // Release: pairs with the acquire load of array_ in steal.
    array_.store(bigger, std::memory_order_release);
    return bigger;
  }

  alignas(64) std::atomic<std::int64_t> top_{0};
  alignas(64) std::atomic<std::int64_t> bottom_{0};
  std::atomic<Array *> array_{nullptr};
  std::int64_t top_seen_ = 0;  // owner-only: top as push last read it (see the departures above)
  std::vector<std::unique_ptr<Array>> retired_;  // owner-only; every array ever used (invariant 3)
};

}  // namespace luminar_steal

#endif
