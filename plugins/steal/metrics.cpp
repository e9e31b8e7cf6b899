#include "metrics.hpp"

#include <cstring>

namespace luminar_steal {

Metrics &metrics() {
  static Metrics *instance = new Metrics();  // never destroyed: tasks may outlive static destructors
  return *instance;
}

void Metrics::raise_peak(std::atomic<std::uint64_t> &peak, std::uint64_t value) {
  // Relaxed: see the class comment; the CAS loop only keeps the maximum.
  std::uint64_t seen = peak.load(std::memory_order_relaxed);
  while (value > seen && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

namespace {

struct ThreadMetrics {
  Metrics::Shard *shard = nullptr;
  unsigned starts = 0;  // tasks this thread started: every kSampleEvery-th is sampled
};

// Not inlined and opaque to the optimiser: callers run on fibers that migrate between
// threads and must reach the state of the thread they are on now (see fiber.hpp).
__attribute__((noinline)) ThreadMetrics &thread_metrics(Metrics::Shard *shards) {
  thread_local ThreadMetrics state;
  ThreadMetrics *p = &state;
  asm volatile("" : "+r"(p)::"memory");
  if (p->shard == nullptr) {
    static std::atomic<unsigned> next_shard{0};
    // Relaxed: only spreads threads over the shards.
    p->shard = &shards[next_shard.fetch_add(1, std::memory_order_relaxed) % Metrics::kShards];
  }
  return *p;
}

}  // namespace

void Metrics::task_spawned() {
  // Relaxed: a statistic (see the class comment).
  thread_metrics(shards_).shard->spawned.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::task_skipped() {
  // Relaxed: a statistic (see the class comment).
  thread_metrics(shards_).shard->cancelled.fetch_add(1, std::memory_order_relaxed);
}

bool Metrics::task_started() {
  ThreadMetrics &state = thread_metrics(shards_);
  // Relaxed: ordered before this task's finished increment (release) by the task's own
  // program order, which snapshot() relies on (see active()).
  state.shard->started.fetch_add(1, std::memory_order_relaxed);
  if (state.starts++ % kSampleEvery != 0) return false;
  raise_peak(peak_active_, active());
  return true;
}

void Metrics::task_finished(int32_t result, std::uint64_t duration_ns, bool timed) {
  Shard &shard = *thread_metrics(shards_).shard;
  // Relaxed: see the class comment.
  if (timed) {
    shard.total_duration_ns.fetch_add(duration_ns, std::memory_order_relaxed);
    shard.timed_tasks.fetch_add(1, std::memory_order_relaxed);
  }
  auto &counter = result == LUMINAR_TASK_OK ? shard.completed : result == LUMINAR_TASK_CANCELLED ? shard.cancelled : shard.failed;
  counter.fetch_add(1, std::memory_order_relaxed);  // relaxed: published by the release below
  // Release, last: pairs with the acquire loads in active(), so a snapshot that sees this
  // task no longer active also sees its outcome counted (and its start).
  shard.finished.fetch_add(1, std::memory_order_release);
}

std::uint64_t Metrics::active() const {
  // Finished first, with acquire (pairs with the release in task_finished): every start
  // of a task counted here is then visible below, so the difference is never negative.
  std::uint64_t finished = 0, started = 0;
  for (const Shard &shard : shards_) finished += shard.finished.load(std::memory_order_acquire);
  // Relaxed: ordered after the acquire loads above.
  for (const Shard &shard : shards_) started += shard.started.load(std::memory_order_relaxed);
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
  for (const Shard &shard : shards_) {
    m.tasks_spawned += shard.spawned.load(std::memory_order_relaxed);
    m.tasks_completed += shard.completed.load(std::memory_order_relaxed);
    m.tasks_failed += shard.failed.load(std::memory_order_relaxed);
    m.tasks_cancelled += shard.cancelled.load(std::memory_order_relaxed);
    total_duration_ns += shard.total_duration_ns.load(std::memory_order_relaxed);
    timed += shard.timed_tasks.load(std::memory_order_relaxed);
  }
  m.peak_concurrency = peak_active_.load(std::memory_order_relaxed);
  m.channel_operations = channel_ops_.load(std::memory_order_relaxed);
  m.io_operations = io_ops_.load(std::memory_order_relaxed);
  m.memory_current_bytes = memory_.load(std::memory_order_relaxed);
  m.memory_peak_bytes = peak_memory_.load(std::memory_order_relaxed);
  m.mean_task_duration_ns = timed == 0 ? 0 : total_duration_ns / timed;
  m.steal_attempts = steal_attempts_.load(std::memory_order_relaxed);
  m.steal_successes = steal_successes_.load(std::memory_order_relaxed);
  m.context_switches = switches_.load(std::memory_order_relaxed);
  return m;
}

}  // namespace luminar_steal
