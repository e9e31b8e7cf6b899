// Channels with Go's semantics, on a mutex per channel (the design of Go's runtime/chan.go).
//
// Invariants, for a channel whose mutex is held ("live" waiter = not yet claimed; claimed
// waiters may linger in a queue until their owner removes them, and are skipped):
//   1. count > 0            => no live waiter in recvq (it would have been handed an item).
//   2. count < capacity     => no live waiter in sendq (it would have found room).
//   3. unbuffered           => live waiters in at most one of recvq and sendq, except those
//                              of one select that sends and receives on the same channel.
//   4. closed               => no live waiter in either queue; closed never becomes open.
// An item is always transferred by the party that claims the counterpart's BlockedOp,
// while it holds the channel's mutex: straight into a blocked receiver's buffer, from a
// blocked sender's buffer, or through the ring buffer. A send on an unbuffered channel
// therefore completes exactly when a receiver takes the item.
#ifndef LUMINAR_DEFAULT_CHANNEL_HPP
#define LUMINAR_DEFAULT_CHANNEL_HPP

#include "blocked_op.hpp"

#include <luminar/hooks.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <vector>

namespace luminar_default {

// One case of a blocked operation, queued on its channel (Go's sudog).
struct Waiter {
  BlockedOp *op;
  std::size_t case_index;
  void *elem;  // send: the item to take; recv: where to put it
};

}  // namespace luminar_default

struct LuminarChannel {
  LuminarChannel(std::size_t elem_size, std::size_t capacity, void (*elem_destroy)(void *));
  ~LuminarChannel();  // destroys buffered items

  // acq_rel decrement in channel_release: the last holder sees every other holder's writes.
  std::atomic<std::size_t> refs{1};
  const std::size_t elem_size;
  const std::size_t capacity;
  void (*const elem_destroy)(void *);

  std::mutex m;
  // Under m:
  std::vector<unsigned char> ring;  // capacity * elem_size bytes
  std::size_t head = 0;             // index of the oldest item
  std::size_t count = 0;            // items buffered
  bool closed = false;
  std::deque<luminar_default::Waiter *> recvq, sendq;
};

namespace luminar_default {

// Returned by the attempts below when the operation would have to wait.
constexpr int32_t kWouldBlock = -1;

// One non-blocking attempt. The channel's mutex must be held; it stays held. Returns
// LUMINAR_CHAN_OK (transferred), LUMINAR_CHAN_CLOSED or kWouldBlock.
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

}  // namespace luminar_default

#endif
