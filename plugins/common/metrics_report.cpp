#include "metrics_report.hpp"

#include <cstdio>
#include <cstdint>
#include <cstring>

namespace luminar_plugin {

void print_metrics_report(const char *runtime_name, const LuminarMetrics &m) {
  std::fprintf(stderr,
               "luminar metrics (runtime '%s')\n"
               "  tasks: spawned %llu, completed %llu, failed %llu, cancelled %llu, active %llu\n"
               "  peak concurrency %llu, mean task duration %llu ns\n"
               "  steal attempts %llu, steal successes %llu, context switches %llu\n"
               "  channel operations %llu, I/O operations %llu\n"
               "  runtime memory: current %llu bytes, peak %llu bytes\n",
               runtime_name, (unsigned long long)m.tasks_spawned, (unsigned long long)m.tasks_completed,
               (unsigned long long)m.tasks_failed, (unsigned long long)m.tasks_cancelled,
               (unsigned long long)m.tasks_active, (unsigned long long)m.peak_concurrency,
               (unsigned long long)m.mean_task_duration_ns, (unsigned long long)m.steal_attempts,
               (unsigned long long)m.steal_successes, (unsigned long long)m.context_switches,
               (unsigned long long)m.channel_operations, (unsigned long long)m.io_operations,
               (unsigned long long)m.memory_current_bytes, (unsigned long long)m.memory_peak_bytes);
}

void deliver_metrics(const LuminarMetrics &m, LuminarMetrics *out) {
  const std::size_t fits = out->struct_size < sizeof m ? out->struct_size : sizeof m;
  const std::uint32_t caller_size = out->struct_size;
  std::memcpy(out, &m, fits);
  out->struct_size = caller_size;
}

}  // namespace luminar_plugin
