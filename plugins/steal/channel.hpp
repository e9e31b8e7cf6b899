// Channels with Go's semantics. Unbuffered channels follow Go's runtime/chan.go: a mutex
// per channel, and a sender hands its item straight to a parked receiver (or takes it from
// a parked sender). Buffered channels keep their items in a lock-free ring (mpmc_ring.hpp):
// a send or receive that finds room or an item completes without taking the mutex; the
// mutex guards only the wait queues.
//
// Wait queues: a blocked operation queues one Waiter per case on its channels (select.cpp)
// and parks (blocked_op.hpp). Each queue counts its `announced` waiters: those queued plus
// those registering right now (under the mutex). A waiter is "live" until its BlockedOp is
// claimed; claimed waiters are unlinked by whoever meets them, or by their owner.
//
// Invariants, for a channel whose mutex is held:
//   1. Unbuffered: live waiters in at most one of recvq and sendq, except those of one
//      select that sends and receives on the same channel.
//   2. Buffered, no lost wake-up: a receiver parks only after it announced itself in
//      recvq.announced, fenced, and then found the ring empty, which the ring decides
//      from a seq_cst load of its tail (no push has claimed the next position:
//      mpmc_ring.hpp); every successful push claims its position with a seq_cst CAS and
//      then reads recvq.announced (seq_cst), and if it is non-zero takes the mutex and
//      balances (balance_locked): live receivers get items while the ring has some. The
//      same holds for senders, a full ring (the ring's head), and pops. (Dekker: either
//      the parking side sees the claim or the claiming side sees the announcement.)
//   3. Closed never becomes open. Close wakes every waiter; woken waiters re-run their
//      operation and see the closed channel (receivers still drain a buffered ring).
// An item reaches a parked waiter only through its buffer, written by the party that
// claimed its BlockedOp while holding the mutex. A waiter completed with kRetry got
// nothing and runs its operation again.
#ifndef LUMINAR_STEAL_CHANNEL_HPP
#define LUMINAR_STEAL_CHANNEL_HPP

#include "blocked_op.hpp"
#include "mpmc_ring.hpp"
#include "yielding_lock.hpp"

#include <luminar/hooks.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace luminar_steal {

// One case of a blocked operation, queued on its channel (Go's sudog). Intrusive, so that
// leaving a queue is O(1) however many tasks wait.
struct WaitQueue;
struct Waiter {
  BlockedOp *op = nullptr;
  std::size_t case_index = 0;
  void *elem = nullptr;  // send: the item to take; recv: where to put it
  // Under the channel's mutex:
  Waiter *prev = nullptr, *next = nullptr;
  WaitQueue *queue = nullptr;  // the queue it is linked in, or null
};

struct WaitQueue {
  void push_back(Waiter *waiter);
  void unlink(Waiter *waiter);  // no-op if not linked; also retires its announcement
  // Unlinks waiters from the front until one is claimed by this call; null if none.
  Waiter *claim_first();

  Waiter *head = nullptr, *tail = nullptr;  // under the channel's mutex
  // Queued waiters plus registering ones (invariant 2). Changed only under the channel's
  // mutex, with add_announced; read without it by the lock-free paths (invariant 2).
  std::atomic<std::size_t> announced{0};
  // Relaxed load and store, no read-modify-write: the channel's mutex makes the changer
  // the only writer, and the announcer fences before it polls (invariant 2).
  void add_announced(std::ptrdiff_t delta) {
    announced.store(announced.load(std::memory_order_relaxed) + static_cast<std::size_t>(delta),
                    std::memory_order_relaxed);
  }
};

}  // namespace luminar_steal

struct LuminarChannel {
  LuminarChannel(std::size_t elem_size, std::size_t capacity, void (*elem_destroy)(void *));
  ~LuminarChannel();  // destroys buffered items

  // acq_rel decrement in channel_release: the last holder sees every other holder's writes.
  std::atomic<std::size_t> refs{1};
  const std::size_t elem_size;
  const std::size_t capacity;
  void (*const elem_destroy)(void *);
  const std::unique_ptr<luminar_steal::MpmcRing> ring;  // buffered channels only

  luminar_steal::YieldingLock m;
  luminar_steal::WaitQueue recvq, sendq;  // see WaitQueue for what m protects
  bool closed = false;                    // under m (buffered: also the ring's closed bit)
};

namespace luminar_steal {

// Internal outcomes of the attempts below and of a woken operation.
constexpr int32_t kWouldBlock = -1;  // the operation would have to wait
constexpr int32_t kRetry = -2;       // woken without a transfer: run the operation again

// One attempt without the mutex, buffered channels only: LUMINAR_CHAN_OK, _CLOSED or
// kWouldBlock. Balances the channel if the other side has announced waiters.
int32_t try_send_unlocked(LuminarChannel *ch, const void *elem);
int32_t try_recv_unlocked(LuminarChannel *ch, void *out);

// One attempt with the channel's mutex held (it stays held): LUMINAR_CHAN_OK,
// LUMINAR_CHAN_CLOSED or kWouldBlock.
int32_t try_send_locked(LuminarChannel *ch, const void *elem);
int32_t try_recv_locked(LuminarChannel *ch, void *out);

// Hooks.
LuminarChannel *channel_create(std::size_t elem_size, std::size_t capacity, void (*elem_destroy)(void *));
void channel_retain(LuminarChannel *ch);
void channel_release(LuminarChannel *ch);
int32_t channel_close(LuminarChannel *ch);
std::size_t channel_size(LuminarChannel *ch);
std::size_t channel_capacity(LuminarChannel *ch);
int32_t channel_closed(LuminarChannel *ch);
int32_t select(const LuminarSelectCase *cases, std::size_t count, int64_t timeout_ns, int32_t has_default,
               std::size_t *chosen);

}  // namespace luminar_steal

#endif
