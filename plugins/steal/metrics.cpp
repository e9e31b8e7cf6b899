#include "metrics.hpp"

#include "tls_access.hpp"

#include <cstring>

namespace luminar_steal {

void Metrics::raise_peak(std::atomic<std::uint64_t> &peak, std::uint64_t value) {
  // Relaxed: see the class comment; the CAS loop only keeps the maximum.
  std::uint64_t seen = peak.load(std::memory_order_relaxed);
  while (value > seen && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

Metrics::Shard *Metrics::claim_shard() {
  {
    std::lock_guard<std::mutex> lock(left_m_);
    if (!left_.empty()) {
      Shard *shard = left_.back();  // the mutex orders the old owner's writes before ours
      left_.pop_back();
      return shard;
    }
  }
  auto *shard = new Shard();
  // Relaxed load: the CAS below decides; release on success publishes shard->next.
  shard->next = shards_.load(std::memory_order_relaxed);
  while (!shards_.compare_exchange_weak(shard->next, shard, std::memory_order_release, std::memory_order_relaxed)) {
  }
  return shard;
}

void Metrics::leave_shard(Shard *shard) {
  std::lock_guard<std::mutex> lock(left_m_);
  left_.push_back(shard);
}

namespace {

// Leaves the thread's shard at thread exit; armed by claim_for_this_thread.
struct ShardReturn {
  Metrics::Shard *shard = nullptr;
  ~ShardReturn() {
    if (shard != nullptr) metrics().leave_shard(shard);
  }
};

thread_local Metrics::ThreadState thread_state_instance;  // constant-initialised (tls_access.hpp)

}  // namespace

const std::ptrdiff_t Metrics::kThreadStateOffset = tls_offset_of(&thread_state_instance);

Metrics::Shard &Metrics::claim_for_this_thread() {
  ThreadState &state = thread_state();
  state.shard = claim_shard();
  thread_local ShardReturn at_exit;
  at_exit.shard = state.shard;
  return *state.shard;
}

void Metrics::sample_peak() { raise_peak(peak_active_, active()); }

void Metrics::add_duration(Shard &shard, std::uint64_t duration_ns) {
  add(shard.total_duration_ns, duration_ns);
  add(shard.timed_tasks, 1);
}

std::uint64_t Metrics::active() const {
  // Finished first, with acquire (pairs with the release in task_finished): every start
  // of a task counted here is then visible below, so the difference is never negative.
  std::uint64_t finished = 0, started = 0;
  // Acquire: pairs with the release push in claim_shard (the next links are visible).
  Shard *const head = shards_.load(std::memory_order_acquire);
  for (const Shard *shard = head; shard != nullptr; shard = shard->next)
    finished += shard->finished.load(std::memory_order_acquire);
  // Relaxed: ordered after the acquire loads above.
  for (const Shard *shard = head; shard != nullptr; shard = shard->next)
    started += shard->started.load(std::memory_order_relaxed);
  return started - finished;
}

void Metrics::memory_allocated(std::uint64_t bytes) {
  // Relaxed: see the class comment.
  raise_peak(peak_memory_, memory_.fetch_add(bytes, std::memory_order_relaxed) + bytes);
}

LuminarMetrics Metrics::snapshot() const {
  LuminarMetrics m;
  std::memset(&m, 0, sizeof m);
  m.struct_size = sizeof m;
  // active() first: its acquire loads make the outcomes of the finished tasks it saw
  // visible below. The other loads are relaxed: see the class comment.
  m.tasks_active = active();
  std::uint64_t total_duration_ns = 0, timed = 0;
  // Acquire: as in active().
  for (const Shard *shard = shards_.load(std::memory_order_acquire); shard != nullptr; shard = shard->next) {
    m.tasks_spawned += shard->spawned.load(std::memory_order_relaxed);
    m.tasks_completed += shard->completed.load(std::memory_order_relaxed);
    m.tasks_failed += shard->failed.load(std::memory_order_relaxed);
    m.tasks_cancelled += shard->cancelled.load(std::memory_order_relaxed);
    total_duration_ns += shard->total_duration_ns.load(std::memory_order_relaxed);
    timed += shard->timed_tasks.load(std::memory_order_relaxed);
    m.channel_operations += shard->channel_ops.load(std::memory_order_relaxed);
    m.io_operations += shard->io_ops.load(std::memory_order_relaxed);
    m.steal_attempts += shard->steal_attempts.load(std::memory_order_relaxed);
    m.steal_successes += shard->steal_successes.load(std::memory_order_relaxed);
    m.context_switches += shard->switches.load(std::memory_order_relaxed);
  }
  m.peak_concurrency = peak_active_.load(std::memory_order_relaxed);
  m.memory_current_bytes = memory_.load(std::memory_order_relaxed);
  m.memory_peak_bytes = peak_memory_.load(std::memory_order_relaxed);
  m.mean_task_duration_ns = timed == 0 ? 0 : total_duration_ns / timed;
  return m;
}

}  // namespace luminar_steal
