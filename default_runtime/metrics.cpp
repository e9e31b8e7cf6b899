#include "metrics.hpp"

#include <cstring>

namespace luminar_default {

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

void Metrics::task_started() {
  // Relaxed: see the class comment.
  raise_peak(peak_active_, active_.fetch_add(1, std::memory_order_relaxed) + 1);
}

void Metrics::task_finished(int32_t result, std::uint64_t duration_ns) {
  // Relaxed: see the class comment.
  total_duration_ns_.fetch_add(duration_ns, std::memory_order_relaxed);
  timed_tasks_.fetch_add(1, std::memory_order_relaxed);
  auto &counter = result == LUMINAR_TASK_OK ? completed_ : result == LUMINAR_TASK_CANCELLED ? cancelled_ : failed_;
  counter.fetch_add(1, std::memory_order_relaxed);
  // Release, last: pairs with the acquire load in snapshot(), so a snapshot that sees this
  // task no longer active also sees its outcome counted.
  active_.fetch_sub(1, std::memory_order_release);
}

void Metrics::memory_allocated(std::uint64_t bytes) {
  // Relaxed: see the class comment.
  raise_peak(peak_memory_, memory_.fetch_add(bytes, std::memory_order_relaxed) + bytes);
}

LuminarMetrics Metrics::snapshot() const {
  LuminarMetrics m;
  std::memset(&m, 0, sizeof m);
  m.struct_size = sizeof m;
  // Acquire, first: pairs with the release in task_finished() (outcomes of finished tasks
  // are visible below). The other loads are relaxed: see the class comment.
  m.tasks_active = active_.load(std::memory_order_acquire);
  m.tasks_spawned = spawned_.load(std::memory_order_relaxed);
  m.tasks_completed = completed_.load(std::memory_order_relaxed);
  m.tasks_failed = failed_.load(std::memory_order_relaxed);
  m.tasks_cancelled = cancelled_.load(std::memory_order_relaxed);
  m.peak_concurrency = peak_active_.load(std::memory_order_relaxed);
  m.channel_operations = channel_ops_.load(std::memory_order_relaxed);
  m.io_operations = io_ops_.load(std::memory_order_relaxed);
  m.memory_current_bytes = memory_.load(std::memory_order_relaxed);
  m.memory_peak_bytes = peak_memory_.load(std::memory_order_relaxed);
  const std::uint64_t timed = timed_tasks_.load(std::memory_order_relaxed);
  m.mean_task_duration_ns = timed == 0 ? 0 : total_duration_ns_.load(std::memory_order_relaxed) / timed;
  // No work stealing and no fibers in this plugin: steal and context-switch counters stay 0.
  return m;
}

}  // namespace luminar_default
