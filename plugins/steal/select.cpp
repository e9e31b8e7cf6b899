// Waiting on channels. Every blocking, timed and non-blocking channel operation is a select
// (a plain send or recv has one case), as in Go's runtime/select.go:
//   1. lock every channel involved, in address order (two selects never deadlock);
//   2. poll the cases in a random order: the first ready one is taken, so each ready case
//      is equally likely (no starvation);
//   3. nothing ready: return for a default or a zero timeout; otherwise queue a Waiter on
//      every case's channel, all sharing one BlockedOp, unlock and wait;
//   4. whoever claims the BlockedOp first (a counterpart, close, the timer or a
//      cancellation) decides the outcome and wakes the owner (a parked fiber or a thread,
//      blocked_op.hpp); the owner then removes its Waiters everywhere.
#include "channel.hpp"
#include "metrics.hpp"
#include "runtime.hpp"
#include "tasks.hpp"
#include "timers.hpp"

#include <algorithm>
#include <chrono>
#include <random>

namespace luminar_steal {
namespace {

std::minstd_rand &random_engine() {
  thread_local std::minstd_rand engine(std::random_device{}());
  return engine;
}

// The distinct channels of the cases, in address order, locked for the object's lifetime.
class ChannelLocks {
 public:
  ChannelLocks(const LuminarSelectCase *cases, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) channels_.push_back(cases[i].channel);
    std::sort(channels_.begin(), channels_.end(), std::less<LuminarChannel *>());
    channels_.erase(std::unique(channels_.begin(), channels_.end()), channels_.end());
    lock();
  }
  ~ChannelLocks() { unlock(); }
  void lock() {
    for (LuminarChannel *ch : channels_) ch->m.lock();
  }
  void unlock() {
    for (auto it = channels_.rbegin(); it != channels_.rend(); ++it) (*it)->m.unlock();
  }

 private:
  std::vector<LuminarChannel *> channels_;
};

void remove_waiter(std::deque<Waiter *> &queue, Waiter *waiter) {
  auto found = std::find(queue.begin(), queue.end(), waiter);
  if (found != queue.end()) queue.erase(found);
}

void on_deadline(void *op) {
  auto *blocked = static_cast<BlockedOp *>(op);
  if (blocked->try_claim()) blocked->complete(0, LUMINAR_CHAN_TIMEOUT);
}

int32_t attempt(const LuminarSelectCase &c) {
  return c.dir == LUMINAR_SELECT_SEND ? try_send_locked(c.channel, c.buffer) : try_recv_locked(c.channel, c.buffer);
}

}  // namespace

int32_t select(const LuminarSelectCase *cases, std::size_t count, int64_t timeout_ns, int32_t has_default,
               std::size_t *chosen) {
  // A blocking operation of a cancelled task fails even when it could proceed, so that a
  // task looping over a busy channel still stops (SPEC 1.4).
  if (!has_default && cancelled() != LUMINAR_NOT_CANCELLED) return LUMINAR_CHAN_CANCELLED;
  const bool has_deadline = timeout_ns >= 0;
  const Clock::time_point deadline = has_deadline ? Clock::now() + std::chrono::nanoseconds(timeout_ns) : Clock::time_point();
  for (std::size_t i = 0; i < count; ++i) metrics().channel_operation();

  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random_engine());

  BlockedOp op;
  std::vector<Waiter> waiters(count);
  ChannelLocks locks(cases, count);
  for (std::size_t i : order) {
    const int32_t status = attempt(cases[i]);
    if (status != kWouldBlock) {
      *chosen = i;
      return status;
    }
  }
  if (has_default) return LUMINAR_CHAN_EMPTY;
  if (has_deadline && timeout_ns == 0) return LUMINAR_CHAN_TIMEOUT;
  if (!begin_blocking(&op)) return LUMINAR_CHAN_CANCELLED;

  for (std::size_t i = 0; i < count; ++i) {
    waiters[i] = Waiter{&op, i, cases[i].buffer};
    LuminarChannel *ch = cases[i].channel;
    (cases[i].dir == LUMINAR_SELECT_SEND ? ch->sendq : ch->recvq).push_back(&waiters[i]);
  }
  locks.unlock();

  Timer timer;
  if (has_deadline) {
    timer.action = on_deadline;
    timer.arg = &op;
    runtime().timers.add(&timer, deadline);
  }
  op.wait();
  if (has_deadline) runtime().timers.cancel(&timer);
  end_blocking();
  const int32_t status = op.status();

  locks.lock();  // unlocked again by ~ChannelLocks
  for (std::size_t i = 0; i < count; ++i) {
    LuminarChannel *ch = cases[i].channel;
    remove_waiter(cases[i].dir == LUMINAR_SELECT_SEND ? ch->sendq : ch->recvq, &waiters[i]);
  }
  if (status != LUMINAR_CHAN_CANCELLED && status != LUMINAR_CHAN_TIMEOUT) *chosen = op.case_index();
  return status;
}

namespace {

int32_t one_case(LuminarChannel *ch, LuminarSelectDir dir, void *buffer, int64_t timeout_ns, int32_t has_default) {
  const LuminarSelectCase c{ch, dir, buffer};
  std::size_t chosen = 0;
  return select(&c, 1, timeout_ns, has_default, &chosen);
}

}  // namespace

int32_t channel_send(LuminarChannel *ch, const void *elem) {
  return one_case(ch, LUMINAR_SELECT_SEND, const_cast<void *>(elem), -1, 0);
}

int32_t channel_try_send(LuminarChannel *ch, const void *elem) {
  const int32_t status = one_case(ch, LUMINAR_SELECT_SEND, const_cast<void *>(elem), -1, 1);
  return status == LUMINAR_CHAN_EMPTY ? LUMINAR_CHAN_FULL : status;
}

int32_t channel_send_for(LuminarChannel *ch, const void *elem, int64_t timeout_ns) {
  return one_case(ch, LUMINAR_SELECT_SEND, const_cast<void *>(elem), timeout_ns < 0 ? 0 : timeout_ns, 0);
}

int32_t channel_recv(LuminarChannel *ch, void *out) { return one_case(ch, LUMINAR_SELECT_RECV, out, -1, 0); }

int32_t channel_try_recv(LuminarChannel *ch, void *out) { return one_case(ch, LUMINAR_SELECT_RECV, out, -1, 1); }

int32_t channel_recv_for(LuminarChannel *ch, void *out, int64_t timeout_ns) {
  return one_case(ch, LUMINAR_SELECT_RECV, out, timeout_ns < 0 ? 0 : timeout_ns, 0);
}

}  // namespace luminar_steal
