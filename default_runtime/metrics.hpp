// Runtime-wide counters behind get_metrics and the LUMINAR_METRICS=1 report.
#ifndef LUMINAR_DEFAULT_METRICS_HPP
#define LUMINAR_DEFAULT_METRICS_HPP

#include <luminar/hooks.h>

#include <atomic>
#include <cstdint>

namespace luminar_default {

// Every counter is relaxed: each is an independent statistic, read only for a snapshot
// that need not be consistent across fields, and no other data is published through them.
class Metrics {
 public:
  void task_spawned() { spawned_.fetch_add(1, std::memory_order_relaxed); }  // relaxed: a statistic (see above)
  void task_started();
  void task_finished(int32_t result, std::uint64_t duration_ns);
  void task_skipped() { cancelled_.fetch_add(1, std::memory_order_relaxed); }  // relaxed: a statistic; counts tasks cancelled before they started
  void channel_operation() { channel_ops_.fetch_add(1, std::memory_order_relaxed); }  // relaxed: a statistic (see above)
  void io_operation() { io_ops_.fetch_add(1, std::memory_order_relaxed); }  // relaxed: a statistic (see above)
  void memory_allocated(std::uint64_t bytes);
  void memory_freed(std::uint64_t bytes) { memory_.fetch_sub(bytes, std::memory_order_relaxed); }  // relaxed: a statistic (see above)

  LuminarMetrics snapshot() const;  // every field (struct_size = sizeof(LuminarMetrics))

 private:
  static void raise_peak(std::atomic<std::uint64_t> &peak, std::uint64_t value);

  std::atomic<std::uint64_t> spawned_{0}, completed_{0}, failed_{0}, cancelled_{0};
  std::atomic<std::uint64_t> active_{0}, peak_active_{0};
  std::atomic<std::uint64_t> channel_ops_{0}, io_ops_{0};
  std::atomic<std::uint64_t> memory_{0}, peak_memory_{0};
  std::atomic<std::uint64_t> total_duration_ns_{0}, timed_tasks_{0};
};

Metrics &metrics();

}  // namespace luminar_default

#endif
