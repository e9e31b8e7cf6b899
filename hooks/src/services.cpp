// The non-template runtime services of <luminar/luminar.hpp>: I/O, memory, metrics.
#include <luminar/luminar.hpp>

#include <new>
#include <system_error>

namespace luminar {
namespace {

std::int64_t checked(std::int64_t result, const char *what) {
  if (result < 0) throw std::system_error(static_cast<int>(-result), std::generic_category(), what);
  return result;
}

}  // namespace

namespace io {

std::size_t read(int fd, void *buf, std::size_t n, std::int64_t offset) {
  return static_cast<std::size_t>(checked(detail::runtime_hooks().io_read(fd, buf, n, offset), "luminar::io::read"));
}

std::size_t write(int fd, const void *buf, std::size_t n, std::int64_t offset) {
  return static_cast<std::size_t>(checked(detail::runtime_hooks().io_write(fd, buf, n, offset), "luminar::io::write"));
}

std::uint64_t copy_file(const std::string &from, const std::string &to) {
  const std::int64_t copied = detail::runtime_hooks().io_copy_file(from.c_str(), to.c_str());
  return static_cast<std::uint64_t>(checked(copied, ("luminar::io::copy_file " + from + " -> " + to).c_str()));
}

}  // namespace io

void *alloc_shared(std::size_t bytes, int numa_node) {
  void *p = detail::runtime_hooks().allocate_shared(bytes, numa_node);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void free_shared(void *p, std::size_t bytes) noexcept {
  if (p != nullptr) detail::loaded_runtime_hooks()->free_shared(p, bytes);  // p came from a loaded runtime
}

metrics_snapshot metrics() {
  LuminarMetrics m{};
  m.struct_size = sizeof m;
  detail::runtime_hooks().get_metrics(&m);
  metrics_snapshot s;
  s.tasks_spawned = m.tasks_spawned;
  s.tasks_completed = m.tasks_completed;
  s.tasks_failed = m.tasks_failed;
  s.tasks_cancelled = m.tasks_cancelled;
  s.tasks_active = m.tasks_active;
  s.peak_concurrency = m.peak_concurrency;
  s.steal_attempts = m.steal_attempts;
  s.steal_successes = m.steal_successes;
  s.context_switches = m.context_switches;
  s.channel_operations = m.channel_operations;
  s.io_operations = m.io_operations;
  s.memory_current_bytes = m.memory_current_bytes;
  s.memory_peak_bytes = m.memory_peak_bytes;
  s.mean_task_duration = std::chrono::nanoseconds(m.mean_task_duration_ns);
  return s;
}

}  // namespace luminar
