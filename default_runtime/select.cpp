// Waiting on channels. Every blocking, timed and non-blocking channel operation is a select
// (a plain send or recv has one case), as in Go's runtime/select.go:
//   1. lock every channel involved, in address order (two selects never deadlock);
//   2. poll the cases in a random order: the first ready one is taken, so each ready case
//      is equally likely (no starvation);
//   3. nothing ready: return for a default or a zero timeout; otherwise queue a Waiter on
//      every case's channel, all sharing one BlockedOp, unlock and wait;
//   4. whoever claims the BlockedOp first (a counterpart, close, the timeout or a
//      cancellation) decides the outcome; the owner then removes its Waiters everywhere.
#include "channel.hpp"
#include "metrics.hpp"
#include "scheduler.hpp"
#include "tasks.hpp"

#include <algorithm>
#include <chrono>
#include <random>

namespace luminar_default {
namespace {

using Clock = std::chrono::steady_clock;

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

  int32_t status;
  {
    BlockingScope blocking;
    if (op.wait(has_deadline, deadline)) {
      status = op.status();
    } else if (op.try_claim()) {
      status = op.interrupted() ? LUMINAR_CHAN_CANCELLED : LUMINAR_CHAN_TIMEOUT;
    } else {
      op.wait_completed();  // a counterpart claimed it first and is transferring
      status = op.status();
    }
  }
  end_blocking();

  locks.lock();  // unlocked again by ~ChannelLocks
  for (std::size_t i = 0; i < count; ++i) {
    LuminarChannel *ch = cases[i].channel;
    remove_waiter(cases[i].dir == LUMINAR_SELECT_SEND ? ch->sendq : ch->recvq, &waiters[i]);
  }
  if (status != LUMINAR_CHAN_CANCELLED && status != LUMINAR_CHAN_TIMEOUT) *chosen = op.case_index();
  return status;
}

}  // namespace luminar_default
