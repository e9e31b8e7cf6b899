// Waiting on channels. Every blocking, timed and non-blocking channel operation is a select
// (a plain send or recv has one case), as in Go's runtime/select.go:
//   0. when every case is on a buffered channel, poll the rings lock-free in a random
//      order (channel.hpp); that also settles a select that must not block (default,
//      zero timeout);
//   1. lock every channel involved, in address order (two selects never deadlock), and
//      announce a waiter on each case's queue, then fence (channel.hpp, invariant 2);
//   2. poll the cases in a random order: the first ready one is taken, so each ready case
//      is equally likely (no starvation);
//   3. nothing ready: withdraw and return for a default or a passed deadline; otherwise
//      queue a Waiter on every case's channel, all sharing one BlockedOp, unlock and wait;
//   4. whoever claims the BlockedOp first (a counterpart, close, the timer or a
//      cancellation) decides the outcome and wakes the owner (a parked fiber or a thread,
//      blocked_op.hpp); the owner then unlinks its Waiters everywhere. An outcome of
//      kRetry (a close, or a transfer that lost a race) means: start again.
#include "atomics.hpp"
#include "channel.hpp"
#include "metrics.hpp"
#include "runtime.hpp"
#include "tasks.hpp"
#include "timers.hpp"
#include "tls_access.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace luminar_steal {
namespace {

// A per-thread xorshift64* generator: a few instructions per number, which is all that
// picking a case fairly needs (Go's select uses a cheap generator too). Seeded on first
// use (a zero state), so that the thread_local is constant-initialised.
struct FastRandom {
  std::uint64_t state = 0;
  std::uint32_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return static_cast<std::uint32_t>((state * 0x2545F4914F6CDD1Dull) >> 32);
  }
  // Uniform in [0, n) by multiply-shift (Lemire), without a division.
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>((std::uint64_t{next()} * n) >> 32); }
};

thread_local FastRandom random_engine_instance;  // constant-initialised (tls_access.hpp)
const std::ptrdiff_t kRandomEngineOffset = tls_offset_of(&random_engine_instance);

// Reached like all thread state that fiber code reads (tls_access.hpp).
FastRandom &random_engine() {
  FastRandom &engine = thread_local_at<FastRandom>(kRandomEngineOffset);
  if (engine.state == 0) {
    engine.state = (std::hash<std::thread::id>()(std::this_thread::get_id()) ^
                    static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) |
                   1u;
  }
  return engine;
}

// `count` elements, in the object for selects of up to kInline cases (no allocation on
// the common paths), on the heap beyond. kInline stays small: the frame of a parked
// select is part of what a parked task costs.
template <class T>
class CaseArray {
 public:
  static constexpr std::size_t kInline = 2;
  // Elements are default-initialised (scalars left unset: every user writes them first),
  // so that the common path does not zero memory it is about to fill.
  explicit CaseArray(std::size_t count)
      : heap_(count > kInline ? new T[count] : nullptr), data_(heap_ != nullptr ? heap_.get() : inline_) {}
  T &operator[](std::size_t i) { return data_[i]; }
  T *begin() { return data_; }

 private:
  T inline_[kInline];
  std::unique_ptr<T[]> heap_;
  T *data_;
};

// A random order of the cases 0 .. count-1.
void shuffled_order(CaseArray<std::size_t> &order, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  if (count < 2) return;
  FastRandom &random = random_engine();
  for (std::size_t i = count - 1; i > 0; --i)  // Fisher–Yates
    std::swap(order[i], order[random.below(static_cast<std::uint32_t>(i + 1))]);
}

// The distinct channels of the cases, in address order, locked for the object's lifetime.
class ChannelLocks {
 public:
  ChannelLocks(const LuminarSelectCase *cases, std::size_t count) : channels_(count) {
    for (std::size_t i = 0; i < count; ++i) channels_[i] = cases[i].channel;
    size_ = count;
    if (count > 1) {
      std::sort(channels_.begin(), channels_.begin() + count, std::less<LuminarChannel *>());
      size_ = static_cast<std::size_t>(std::unique(channels_.begin(), channels_.begin() + count) - channels_.begin());
    }
    lock();
  }
  ~ChannelLocks() {
    if (held_) unlock();
  }
  void lock() {
    for (std::size_t i = 0; i < size_; ++i) channels_[i]->m.lock();
    held_ = true;
  }
  void unlock() {
    for (std::size_t i = size_; i-- > 0;) channels_[i]->m.unlock();
    held_ = false;
  }

 private:
  CaseArray<LuminarChannel *> channels_;
  std::size_t size_ = 0;
  bool held_ = false;
};

WaitQueue &queue_of(const LuminarSelectCase &c) {
  return c.dir == LUMINAR_SELECT_SEND ? c.channel->sendq : c.channel->recvq;
}

// Mutexes held (announcements change only under them: WaitQueue::add_announced).
void announce(const LuminarSelectCase *cases, std::size_t count) {
  bool any_buffered = false;
  for (std::size_t i = 0; i < count; ++i) {
    queue_of(cases[i]).add_announced(1);
    any_buffered = any_buffered || cases[i].channel->ring != nullptr;
  }
  // Pairs with the seq_cst claim and load of a lock-free push/pop (channel.hpp, invariant
  // 2). Unbuffered channels have no lock-free path: their counterparts read the queues
  // under the mutex.
  if (any_buffered) handshake_fence();
}

void withdraw(const LuminarSelectCase *cases, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) queue_of(cases[i]).add_announced(-1);
}

int32_t attempt_locked(const LuminarSelectCase &c) {
  return c.dir == LUMINAR_SELECT_SEND ? try_send_locked(c.channel, c.buffer) : try_recv_locked(c.channel, c.buffer);
}

int32_t attempt_unlocked(const LuminarSelectCase &c) {
  return c.dir == LUMINAR_SELECT_SEND ? try_send_unlocked(c.channel, c.buffer) : try_recv_unlocked(c.channel, c.buffer);
}

bool all_buffered(const LuminarSelectCase *cases, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    if (cases[i].channel->ring == nullptr) return false;
  return true;
}

// Step 0: every case once, lock-free, in a random order (uniform among the ready ones).
int32_t poll_unlocked(const LuminarSelectCase *cases, std::size_t count, std::size_t *chosen) {
  const auto attempt = [&](std::size_t i) {
    const int32_t status = attempt_unlocked(cases[i]);
    if (status != kWouldBlock) *chosen = i;
    return status;
  };
  if (count == 1) return attempt(0);
  if (count == 2) {  // both orders equally likely, without an array to shuffle
    const std::size_t first = random_engine().below(2);
    const int32_t status = attempt(first);
    return status != kWouldBlock ? status : attempt(1 - first);
  }
  CaseArray<std::size_t> order(count);
  shuffled_order(order, count);
  for (std::size_t k = 0; k < count; ++k) {
    const int32_t status = attempt(order[k]);
    if (status != kWouldBlock) return status;
  }
  return kWouldBlock;
}

void on_deadline(void *op) {
  auto *blocked = static_cast<BlockedOp *>(op);
  if (blocked->try_claim()) blocked->complete(0, LUMINAR_CHAN_TIMEOUT);
}

// One round of steps 1-4; returns a final status or kRetry.
int32_t select_round(const Caller &caller, const LuminarSelectCase *cases, std::size_t count, bool has_deadline,
                     Clock::time_point deadline, bool has_default, std::size_t *chosen) {
  CaseArray<std::size_t> order(count);
  shuffled_order(order, count);

  BlockedOp op(caller.fiber_task);
  CaseArray<Waiter> waiters(count);
  ChannelLocks locks(cases, count);
  announce(cases, count);
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = order[k];
    const int32_t status = attempt_locked(cases[i]);
    if (status != kWouldBlock) {
      withdraw(cases, count);
      *chosen = i;
      return status;
    }
  }
  if (has_default) {
    withdraw(cases, count);
    return LUMINAR_CHAN_EMPTY;
  }
  if (has_deadline && Clock::now() >= deadline) {
    withdraw(cases, count);
    return LUMINAR_CHAN_TIMEOUT;
  }
  if (!begin_blocking(caller.task, &op)) {
    withdraw(cases, count);
    return LUMINAR_CHAN_CANCELLED;
  }
  for (std::size_t i = 0; i < count; ++i) {
    waiters[i].op = &op;
    waiters[i].case_index = i;
    waiters[i].elem = cases[i].buffer;
    queue_of(cases[i]).push_back(&waiters[i]);  // the announcement now belongs to the waiter
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
  end_blocking(caller.task);

  // Whoever completes an op through a channel (a counterpart, a close) first unlinks the
  // waiter it claims (claim_first). So a one-case select completed that way has nothing
  // left to unlink; otherwise (a cancel, the timer, other cases) unlink under the locks.
  const int32_t status = op.status();
  if (count > 1 || (status != LUMINAR_CHAN_OK && status != kRetry)) {
    locks.lock();  // unlocked again by ~ChannelLocks
    for (std::size_t i = 0; i < count; ++i) queue_of(cases[i]).unlink(&waiters[i]);
  }
  if (status == LUMINAR_CHAN_OK || status == LUMINAR_CHAN_CLOSED) *chosen = op.case_index();
  return status;
}

}  // namespace

int32_t select(const LuminarSelectCase *cases, std::size_t count, int64_t timeout_ns, int32_t has_default,
               std::size_t *chosen) {
  const bool has_deadline = timeout_ns >= 0;
  const Clock::time_point deadline = has_deadline ? Clock::now() + std::chrono::nanoseconds(timeout_ns) : Clock::time_point();
  metrics().channel_operations(count);
  const Caller caller = current_caller();
  for (;;) {
    // A blocking operation of a cancelled task fails even when it could proceed, so that a
    // task looping over a busy channel still stops (SPEC 1.4).
    if (!has_default && caller.task != nullptr && cancel_reason_of(caller.task) != LUMINAR_NOT_CANCELLED)
      return LUMINAR_CHAN_CANCELLED;
    if (count > 0 && all_buffered(cases, count)) {
      const int32_t status = poll_unlocked(cases, count, chosen);
      if (status != kWouldBlock) return status;
      // Non-blocking: the rings' answers stand (for buffered channels the locked poll
      // would try the very same ring operations).
      if (has_default) return LUMINAR_CHAN_EMPTY;
      if (timeout_ns == 0) return LUMINAR_CHAN_TIMEOUT;
    }
    const int32_t status = select_round(caller, cases, count, has_deadline, deadline, has_default != 0, chosen);
    if (status != kRetry) return status;
  }
}

}  // namespace luminar_steal
