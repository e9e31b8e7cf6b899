// Channel storage, wait queues and the transfer rules. Waiting lives in select.cpp: every
// blocking, timed and non-blocking channel operation is a select (a plain send or recv has
// one case). See channel.hpp for the invariants.
#include "channel.hpp"

#include "metrics.hpp"

#include <cstring>
#include <vector>

LuminarChannel::LuminarChannel(std::size_t elem_size_, std::size_t capacity_, void (*elem_destroy_)(void *))
    : elem_size(elem_size_),
      capacity(capacity_),
      elem_destroy(elem_destroy_),
      ring(capacity_ > 0 ? std::make_unique<luminar_steal::MpmcRing>(elem_size_, capacity_) : nullptr) {
  luminar_steal::metrics().memory_allocated(capacity * elem_size);
}

LuminarChannel::~LuminarChannel() {
  if (ring != nullptr) {
    std::vector<unsigned char> item(elem_size);
    while (ring->try_pop(item.data()) == luminar_steal::MpmcRing::Result::ok)
      if (elem_destroy != nullptr) elem_destroy(item.data());
  }
  luminar_steal::metrics().memory_freed(capacity * elem_size);
}

namespace luminar_steal {

void WaitQueue::push_back(Waiter *waiter) {
  waiter->prev = tail;
  waiter->next = nullptr;
  (tail != nullptr ? tail->next : head) = waiter;
  tail = waiter;
  waiter->queue = this;
}

void WaitQueue::unlink(Waiter *waiter) {
  if (waiter->queue != this) return;
  (waiter->prev != nullptr ? waiter->prev->next : head) = waiter->next;
  (waiter->next != nullptr ? waiter->next->prev : tail) = waiter->prev;
  waiter->queue = nullptr;
  add_announced(-1);
}

// Claimed waiters met on the way (taken by another case of their select, a timer or a
// cancellation) are unlinked too: their owners tolerate it.
Waiter *WaitQueue::claim_first() {
  while (Waiter *waiter = head) {
    unlink(waiter);
    if (waiter->op->try_claim()) return waiter;
  }
  return nullptr;
}

namespace {

MpmcRing::Result push(LuminarChannel *ch, const void *elem) { return ch->ring->try_push(elem); }
MpmcRing::Result pop(LuminarChannel *ch, void *out) { return ch->ring->try_pop(out); }

// Buffered channels, mutex held: serves parked receivers from the ring and moves parked
// senders' items into it, as long as that makes progress (invariant 2). A waiter claimed
// for a transfer that then fails (a lock-free operation got there first) is completed with
// kRetry: it runs its operation again.
void balance_locked(LuminarChannel *ch) {
  for (bool progress = true; progress;) {
    progress = false;
    if (ch->recvq.head != nullptr && ch->ring->size() > 0) {
      if (Waiter *receiver = ch->recvq.claim_first()) {
        const bool got = pop(ch, receiver->elem) == MpmcRing::Result::ok;
        receiver->op->complete(receiver->case_index, got ? LUMINAR_CHAN_OK : kRetry);
        progress = got;
      }
    }
    if (ch->sendq.head != nullptr && ch->ring->size() < ch->capacity) {
      if (Waiter *sender = ch->sendq.claim_first()) {
        const bool put = push(ch, sender->elem) == MpmcRing::Result::ok;
        sender->op->complete(sender->case_index, put ? LUMINAR_CHAN_OK : kRetry);
        progress = progress || put;
      }
    }
  }
}

// After a lock-free push or pop: if the other side has announced waiters, balance. No
// fence here: the ring claimed the position with a seq_cst CAS, and this load is seq_cst
// too, so it pairs with the fence a registering waiter issues after announcing and that
// waiter's seq_cst load of the ring's positions (invariant 2).
void balance_if_announced(LuminarChannel *ch, WaitQueue &other_side) {
  if (other_side.announced.load() == 0) return;
  std::lock_guard<YieldingLock> lock(ch->m);
  balance_locked(ch);
}

int32_t status_of(MpmcRing::Result result) {
  switch (result) {
    case MpmcRing::Result::ok: return LUMINAR_CHAN_OK;
    case MpmcRing::Result::closed: return LUMINAR_CHAN_CLOSED;
    default: return kWouldBlock;
  }
}

}  // namespace

int32_t try_send_unlocked(LuminarChannel *ch, const void *elem) {
  const MpmcRing::Result result = push(ch, elem);
  if (result == MpmcRing::Result::ok) balance_if_announced(ch, ch->recvq);
  return status_of(result);
}

int32_t try_recv_unlocked(LuminarChannel *ch, void *out) {
  const MpmcRing::Result result = pop(ch, out);
  if (result == MpmcRing::Result::ok) balance_if_announced(ch, ch->sendq);
  return status_of(result);
}

int32_t try_send_locked(LuminarChannel *ch, const void *elem) {
  if (ch->ring != nullptr) {
    const MpmcRing::Result result = push(ch, elem);
    if (result == MpmcRing::Result::ok) balance_locked(ch);
    return status_of(result);
  }
  if (ch->closed) return LUMINAR_CHAN_CLOSED;
  if (Waiter *receiver = ch->recvq.claim_first()) {  // direct hand-off to a parked receiver
    std::memcpy(receiver->elem, elem, ch->elem_size);
    receiver->op->complete(receiver->case_index, LUMINAR_CHAN_OK);
    return LUMINAR_CHAN_OK;
  }
  return kWouldBlock;
}

int32_t try_recv_locked(LuminarChannel *ch, void *out) {
  if (ch->ring != nullptr) {
    const MpmcRing::Result result = pop(ch, out);
    if (result == MpmcRing::Result::ok) balance_locked(ch);
    return status_of(result);
  }
  if (Waiter *sender = ch->sendq.claim_first()) {  // take the item of a parked sender
    std::memcpy(out, sender->elem, ch->elem_size);
    sender->op->complete(sender->case_index, LUMINAR_CHAN_OK);
    return LUMINAR_CHAN_OK;
  }
  return ch->closed ? LUMINAR_CHAN_CLOSED : kWouldBlock;
}

LuminarChannel *channel_create(std::size_t elem_size, std::size_t capacity, void (*elem_destroy)(void *)) {
  return new LuminarChannel(elem_size, capacity, elem_destroy);
}

void channel_retain(LuminarChannel *ch) {
  // Relaxed: a new reference is made from an existing one, which keeps the channel alive;
  // nothing is published by the increment (as for std::shared_ptr).
  ch->refs.fetch_add(1, std::memory_order_relaxed);
}

void channel_release(LuminarChannel *ch) {
  // acq_rel: the last holder sees every other holder's writes before destroying.
  if (ch->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete ch;
}

// Close: mark closed and claim every waiter under the lock, then wake them outside it.
// Closed never reverts, so a woken waiter just runs its operation again (kRetry) and sees
// the closed channel; receivers of a buffered channel drain it first.
int32_t channel_close(LuminarChannel *ch) {
  std::vector<Waiter *> woken;
  {
    std::lock_guard<YieldingLock> lock(ch->m);
    if (ch->closed) return 0;
    ch->closed = true;
    if (ch->ring != nullptr) ch->ring->close();
    for (WaitQueue *queue : {&ch->recvq, &ch->sendq}) {
      while (Waiter *waiter = queue->claim_first()) woken.push_back(waiter);
    }
  }
  // A claimed waiter's owner waits for complete(), so the Waiter and its op stay valid.
  for (Waiter *waiter : woken) waiter->op->complete(waiter->case_index, kRetry);
  metrics().channel_operations();
  return 1;
}

std::size_t channel_size(LuminarChannel *ch) { return ch->ring != nullptr ? ch->ring->size() : 0; }

std::size_t channel_capacity(LuminarChannel *ch) { return ch->capacity; }

int32_t channel_closed(LuminarChannel *ch) {
  if (ch->ring != nullptr) return ch->ring->closed() ? 1 : 0;
  std::lock_guard<YieldingLock> lock(ch->m);
  return ch->closed ? 1 : 0;
}

}  // namespace luminar_steal
