// A bounded multi-producer multi-consumer ring of fixed-size byte elements: Dmitry
// Vyukov's bounded MPMC queue (1024cores.net, "Bounded MPMC queue"), extended with a
// closed bit in the tail position, as crossbeam-channel's array flavour does, so that no
// push can succeed after close and a pop can tell "closed and drained" from "empty".
//
// Invariants:
//   1. Cell i is free for the push at position p (p % capacity == i) when its sequence
//      equals p, and holds the item of position p when its sequence equals p + 1; the pop
//      of p sets it to p + capacity (free for the next lap).
//   2. head_ and tail_ (without kClosed) only grow; each position is claimed by exactly one
//      CAS, so every item is pushed once and popped once.
//   3. kClosed is set once (close) and never cleared; a push never claims a position once
//      it is set (its CAS on tail_ fails, the bit having changed the value).
// Fields: head_ and tail_ are shared (CAS); the cells' sequences are the hand-off between
// a producer and a consumer of one position; `cells_` and the sizes are immutable.
// Departures from Vyukov: capacity need not be a power of two (channels have exact
// capacities); positions are reduced with % over `cells_`. Vyukov needs at least two cells
// (with one, "holds the item of p" and "free for p + 1" are the same sequence), so a
// capacity-1 ring has two cells and push also checks the logical capacity against head_.
// A position claimed but not yet published (its push or pop is copying the element) is
// waited for, as crossbeam-channel does, instead of answering empty or full: so "empty"
// means that no push has claimed the position (tail_), and "full" that no pop has claimed
// the cell's last item (head_). The CASes that claim positions and the loads of head_ and
// tail_ behind those answers are seq_cst, which lets a channel pair them with its waiters'
// announcements without a fence of its own (channel.hpp, invariant 2).
#ifndef LUMINAR_STEAL_MPMC_RING_HPP
#define LUMINAR_STEAL_MPMC_RING_HPP

#include "spin_mutex.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>

namespace luminar_steal {

class MpmcRing {
 public:
  enum class Result { ok, full, empty, closed };

  MpmcRing(std::size_t elem_size, std::size_t capacity)
      : elem_size_(elem_size),
        capacity_(capacity),
        cells_(capacity < 2 ? 2 : capacity),
        stride_((sizeof(Cell) + elem_size + alignof(Cell) - 1) / alignof(Cell) * alignof(Cell)),
        storage_(new unsigned char[stride_ * cells_]) {
    for (std::size_t i = 0; i < cells_; ++i) {
      // Relaxed: the ring is not shared yet; whoever shares it publishes it.
      new (cell(i)) Cell{};
      cell(i)->sequence.store(i, std::memory_order_relaxed);
    }
  }
  ~MpmcRing() {
    for (std::size_t i = 0; i < cells_; ++i) cell(i)->~Cell();
  }
  MpmcRing(const MpmcRing &) = delete;
  MpmcRing &operator=(const MpmcRing &) = delete;

  // ok (elem copied in), full, or closed.
  Result try_push(const void *elem) {
    // Relaxed: a starting guess; the CAS below validates it (Vyukov, enqueue).
    std::uint64_t pos = tail_.load(std::memory_order_relaxed);
    Cell *c;
    for (unsigned waits = 0;;) {
      if (pos & kClosed) return Result::closed;
      c = cell(pos % cells_);
      // Acquire: pairs with the release store of the pop that freed this cell, so our
      // write below does not race with its read (Vyukov, enqueue).
      const std::uint64_t seq = c->sequence.load(std::memory_order_acquire);
      const std::int64_t diff = static_cast<std::int64_t>(seq - pos);
      if (diff == 0) {
        // Seq_cst: the channel's side of the Dekker pair (see above); head_ only grows, so
        // a stale value errs towards "full".
        if (cells_ != capacity_ && pos - head_.load() >= capacity_) return Result::full;
        // Seq_cst on success: claims the position (the data is published through the
        // cell's sequence, Vyukov) and orders the claim before the channel's load of the
        // receivers' announcement (see above). Relaxed on failure: we only retry.
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) break;
      } else if (diff < 0) {
        // The cell holds the item of the lap before. Full, unless its pop has claimed it
        // (head_ past it) and is copying it out. Seq_cst: see above.
        if (head_.load() + cells_ <= pos) return Result::full;
        snooze(waits);  // a claimed position is published within a memcpy
        pos = tail_.load(std::memory_order_relaxed);  // relaxed: a new guess, validated as above
      } else {
        pos = tail_.load(std::memory_order_relaxed);  // relaxed: another producer moved on; retry
      }
    }
    std::memcpy(c->data(), elem, elem_size_);
    // Release: publishes the element to the pop of this position (its acquire load).
    c->sequence.store(pos + 1, std::memory_order_release);
    return Result::ok;
  }

  // ok (elem copied out), empty, or closed (closed and drained).
  Result try_pop(void *out) {
    // Relaxed: a starting guess; the CAS below validates it (Vyukov, dequeue).
    std::uint64_t pos = head_.load(std::memory_order_relaxed);
    Cell *c;
    for (unsigned waits = 0;;) {
      c = cell(pos % cells_);
      // Acquire: pairs with the release store in try_push, so the element is visible.
      const std::uint64_t seq = c->sequence.load(std::memory_order_acquire);
      const std::int64_t diff = static_cast<std::int64_t>(seq - (pos + 1));
      if (diff == 0) {
        // Seq_cst on success: claims the position and orders the claim before the
        // channel's load of the senders' announcement (see above). Relaxed on failure.
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) break;
      } else if (diff < 0) {
        // Nothing at pos yet. Seq_cst: see above; it also orders this load after the
        // fetch_or in close.
        const std::uint64_t tail = tail_.load();
        if ((tail & ~kClosed) == pos) return (tail & kClosed) != 0 ? Result::closed : Result::empty;
        // A push has claimed pos (before any close) and is copying its item in.
        snooze(waits);  // a claimed position is published within a memcpy
        pos = head_.load(std::memory_order_relaxed);  // relaxed: a new guess, validated as above
      } else {
        pos = head_.load(std::memory_order_relaxed);  // relaxed: another consumer moved on; retry
      }
    }
    std::memcpy(out, c->data(), elem_size_);
    // Release: hands the cell back to the producer of the next lap (its acquire load).
    c->sequence.store(pos + cells_, std::memory_order_release);
    return Result::ok;
  }

  // True the first time. Seq_cst: a total order with the pushes' CASes on tail_ decides
  // which pushes happened before the close.
  bool close() { return (tail_.fetch_or(kClosed) & kClosed) == 0; }
  bool closed() const { return (tail_.load() & kClosed) != 0; }

  // Items buffered (a snapshot; exact when nothing runs concurrently).
  std::size_t size() const {
    // Relaxed: a snapshot, as documented; callers decide nothing from it that a concurrent
    // push or pop would invalidate without also waking them.
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed) & ~kClosed;
    return tail > head ? static_cast<std::size_t>(tail - head) : 0;
  }

 private:
  static constexpr std::uint64_t kClosed = std::uint64_t{1} << 63;
  struct Cell {
    std::atomic<std::uint64_t> sequence{0};
    unsigned char *data() { return reinterpret_cast<unsigned char *>(this) + sizeof(Cell); }
  };
  Cell *cell(std::size_t i) { return reinterpret_cast<Cell *>(storage_.get() + i * stride_); }

  const std::size_t elem_size_;
  const std::size_t capacity_;
  const std::size_t cells_;   // max(capacity_, 2), see the departures above
  const std::size_t stride_;  // one cell: its sequence, then the element bytes
  std::unique_ptr<unsigned char[]> storage_;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace luminar_steal

#endif
