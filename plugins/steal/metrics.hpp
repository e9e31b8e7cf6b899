// Runtime-wide counters behind get_metrics and the LUMINAR_METRICS=1 report (SPEC 4.3).
#ifndef LUMINAR_STEAL_METRICS_HPP
#define LUMINAR_STEAL_METRICS_HPP

#include <luminar/hooks.h>

#include "tls_access.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace luminar_steal {

// Counters that every task or channel operation touches (spawned, outcomes,
// started/finished, durations, channel and I/O operations, steals, switches) are per thread: each thread owns a Shard (its own cache line) and is its only writer, so an
// increment is a plain load and store, no locked instruction; a snapshot sums the shards.
// Shards are never freed: a thread that exits leaves its shard to the next new thread, so
// the list grows only to the most threads alive at once. Two figures are sampled, not
// exact: the mean task duration is the mean over every kSampleEvery-th task a thread
// starts (its first one included), timed with two clock reads; peak_concurrency is the
// highest number of active tasks seen at those sampled starts (a lower bound of the true
// peak).
//
// Every counter is relaxed unless said otherwise: each is an independent statistic, read
// only for a snapshot that need not be consistent across fields, and no other data is
// published through them.
class Metrics {
 public:
  static constexpr unsigned kSampleEvery = 256;

  // The one-counter events are inline: each is a load and a store in the calling thread's
  // shard (reached as tls_access.hpp says).
  void task_spawned() { add(my_shard().spawned, 1); }
  // Returns whether this task is one of the sampled ones (to be timed).
  bool task_started() {
    ThreadState &state = thread_state();
    Shard &shard = state.shard != nullptr ? *state.shard : claim_for_this_thread();
    // Relaxed: ordered before this task's finished increment (release) by the task's own
    // program order, which snapshot() relies on (see active()).
    add(shard.started, 1);
    if (state.starts++ % kSampleEvery != 0) return false;
    sample_peak();
    return true;
  }
  void task_finished(int32_t result, std::uint64_t duration_ns, bool timed) {
    Shard &shard = my_shard();
    if (timed) add_duration(shard, duration_ns);
    add(result == LUMINAR_TASK_OK ? shard.completed : result == LUMINAR_TASK_CANCELLED ? shard.cancelled : shard.failed, 1);
    // Release, last: pairs with the acquire loads in active(), so a snapshot that sees this
    // task no longer active also sees its outcome counted (and its start).
    add(shard.finished, 1, std::memory_order_release);
  }
  void task_skipped() { add(my_shard().cancelled, 1); }  // cancelled before it started
  void channel_operations(std::uint64_t count = 1) { add(my_shard().channel_ops, count); }
  void io_operation() { add(my_shard().io_ops, 1); }
  void steal_attempt() { add(my_shard().steal_attempts, 1); }
  void steal_success() { add(my_shard().steal_successes, 1); }
  void context_switch() { add(my_shard().switches, 1); }
  void memory_allocated(std::uint64_t bytes);
  void memory_freed(std::uint64_t bytes) { memory_.fetch_sub(bytes, std::memory_order_relaxed); }  // relaxed: a statistic (see above)

  LuminarMetrics snapshot() const;  // every field (struct_size = sizeof(LuminarMetrics))

  // One thread's counters: written only by the thread that owns the shard (atomics so
  // that snapshots may read them), by add() below.
  struct alignas(64) Shard {
    std::atomic<std::uint64_t> spawned{0}, completed{0}, failed{0}, cancelled{0};
    std::atomic<std::uint64_t> started{0}, finished{0};  // active = sum(started) - sum(finished)
    std::atomic<std::uint64_t> total_duration_ns{0}, timed_tasks{0};
    std::atomic<std::uint64_t> channel_ops{0}, io_ops{0}, steal_attempts{0}, steal_successes{0}, switches{0};
    Shard *next = nullptr;  // in the list of every shard; set before the shard is published
  };
  // The owner's increment: its only writer, so no read-modify-write is needed.
  static void add(std::atomic<std::uint64_t> &counter, std::uint64_t value,
                  std::memory_order order = std::memory_order_relaxed) {
    // Relaxed load: the owner reads its own last store.
    counter.store(counter.load(std::memory_order_relaxed) + value, order);
  }
  Shard *claim_shard();                 // for a new thread: a left shard, or a new one
  void leave_shard(Shard *shard);       // at thread exit

  // The calling thread's metrics state: its shard (claimed on first use) and its count of
  // started tasks (every kSampleEvery-th is sampled). A constant-initialised thread_local
  // (metrics.cpp), reached at its offset.
  struct ThreadState {
    Shard *shard = nullptr;
    unsigned starts = 0;
  };
  static ThreadState &thread_state() { return thread_local_at<ThreadState>(kThreadStateOffset); }
  static const std::ptrdiff_t kThreadStateOffset;
  Shard &my_shard() {
    ThreadState &state = thread_state();
    return state.shard != nullptr ? *state.shard : claim_for_this_thread();
  }
  Shard &claim_for_this_thread();  // first use on a thread: claims a shard, returned at exit

 private:
  static void raise_peak(std::atomic<std::uint64_t> &peak, std::uint64_t value);
  void sample_peak();  // a sampled start: peak_concurrency from a scan of every shard
  static void add_duration(Shard &shard, std::uint64_t duration_ns);
  std::uint64_t active() const;

  // Every shard ever made, newest first; push-only, so readers need no lock. Release on
  // the push, acquire on the read of the head: a reader sees each shard's next link.
  std::atomic<Shard *> shards_{nullptr};
  std::mutex left_m_;
  std::vector<Shard *> left_;  // under left_m_: shards of exited threads, to reuse
  std::atomic<std::uint64_t> peak_active_{0};
  std::atomic<std::uint64_t> memory_{0}, peak_memory_{0};
};

// Never destroyed: tasks may outlive static destructors.
inline Metrics &metrics() {
  static Metrics *const instance = new Metrics();
  return *instance;
}

}  // namespace luminar_steal

#endif
