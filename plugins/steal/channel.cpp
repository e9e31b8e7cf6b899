// Channel storage and the non-blocking transfer rules. Waiting lives in select.cpp: every
// blocking or timed operation is a select with one case.
#include "channel.hpp"

#include "metrics.hpp"

#include <algorithm>
#include <cstring>

LuminarChannel::LuminarChannel(std::size_t elem_size_, std::size_t capacity_, void (*elem_destroy_)(void *))
    : elem_size(elem_size_), capacity(capacity_), elem_destroy(elem_destroy_), ring(capacity_ * elem_size_) {
  luminar_steal::metrics().memory_allocated(ring.size());
}

LuminarChannel::~LuminarChannel() {
  for (std::size_t i = 0; i < count && elem_destroy != nullptr; ++i)
    elem_destroy(&ring[((head + i) % capacity) * elem_size]);
  luminar_steal::metrics().memory_freed(ring.size());
}

namespace luminar_steal {
namespace {

unsigned char *slot(LuminarChannel *ch, std::size_t i) { return &ch->ring[((ch->head + i) % ch->capacity) * ch->elem_size]; }

// Pops the first waiter of `queue` that this caller claims. Claimed waiters found on the
// way (taken by another case of their select, a timeout or a cancellation) are dropped:
// their owners remove them from every queue anyway, and removal tolerates absence.
Waiter *claim_first(std::deque<Waiter *> &queue) {
  while (!queue.empty()) {
    Waiter *waiter = queue.front();
    queue.pop_front();
    if (waiter->op->try_claim()) return waiter;
  }
  return nullptr;
}

}  // namespace

int32_t try_send_locked(LuminarChannel *ch, const void *elem) {
  if (ch->closed) return LUMINAR_CHAN_CLOSED;
  if (Waiter *receiver = claim_first(ch->recvq)) {  // invariant 1: the buffer is empty
    std::memcpy(receiver->elem, elem, ch->elem_size);
    receiver->op->complete(receiver->case_index, LUMINAR_CHAN_OK);
    return LUMINAR_CHAN_OK;
  }
  if (ch->count < ch->capacity) {
    std::memcpy(slot(ch, ch->count), elem, ch->elem_size);
    ++ch->count;
    return LUMINAR_CHAN_OK;
  }
  return kWouldBlock;
}

int32_t try_recv_locked(LuminarChannel *ch, void *out) {
  if (ch->count > 0) {
    std::memcpy(out, slot(ch, 0), ch->elem_size);
    ch->head = (ch->head + 1) % ch->capacity;
    --ch->count;
    // The buffer was full (invariant 2): a blocked sender's item takes the freed place.
    if (Waiter *sender = claim_first(ch->sendq)) {
      std::memcpy(slot(ch, ch->count), sender->elem, ch->elem_size);
      ++ch->count;
      sender->op->complete(sender->case_index, LUMINAR_CHAN_OK);
    }
    return LUMINAR_CHAN_OK;
  }
  if (Waiter *sender = claim_first(ch->sendq)) {  // unbuffered hand-off
    std::memcpy(out, sender->elem, ch->elem_size);
    sender->op->complete(sender->case_index, LUMINAR_CHAN_OK);
    return LUMINAR_CHAN_OK;
  }
  return ch->closed ? LUMINAR_CHAN_CLOSED : kWouldBlock;  // receivers drain before seeing closed
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

// Close: mark closed and claim every waiter under the lock, then wake them outside it
// (closed never reverts, so a woken waiter needs nothing more from the channel).
int32_t channel_close(LuminarChannel *ch) {
  std::vector<Waiter *> woken;
  {
    std::lock_guard<std::mutex> lock(ch->m);
    if (ch->closed) return 0;
    ch->closed = true;
    for (auto *queue : {&ch->recvq, &ch->sendq}) {
      while (Waiter *waiter = claim_first(*queue)) woken.push_back(waiter);
    }
  }
  // A claimed waiter's owner waits for complete(), so the Waiter and its op stay valid.
  for (Waiter *waiter : woken) waiter->op->complete(waiter->case_index, LUMINAR_CHAN_CLOSED);
  metrics().channel_operation();
  return 1;
}

std::size_t channel_size(LuminarChannel *ch) {
  std::lock_guard<std::mutex> lock(ch->m);
  return ch->count;
}

std::size_t channel_capacity(LuminarChannel *ch) { return ch->capacity; }

int32_t channel_closed(LuminarChannel *ch) {
  std::lock_guard<std::mutex> lock(ch->m);
  return ch->closed ? 1 : 0;
}

}  // namespace luminar_steal
