// The Luminar header API (SPEC 2): channels, select, errors, the current task, runtime
// services. Everything here runs on the runtime plugin loaded by libluminar (link with
// -lluminar); the first use loads it.
#ifndef LUMINAR_LUMINAR_HPP
#define LUMINAR_LUMINAR_HPP

#include <luminar/detail/channel.hpp>
#include <luminar/detail/parallel_for.hpp>
#include <luminar/detail/runtime.hpp>
#include <luminar/detail/select.hpp>
#include <luminar/detail/task_group.hpp>
#include <luminar/errors.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

namespace luminar {

namespace this_task {

// True inside a task that was cancelled (its own, its block's, or an enclosing block's
// cancellation, or a timeout). Outside tasks, and before the runtime is loaded, false.
inline bool cancelled() {
  const ConcurrencyHooks *hooks = detail::loaded_runtime_hooks();
  return hooks != nullptr && hooks->cancelled() != LUMINAR_NOT_CANCELLED;
}

inline void yield() {
  if (const ConcurrencyHooks *hooks = detail::loaded_runtime_hooks()) {
    hooks->yield();
  } else {
    std::this_thread::yield();
  }
}

// Throws task_cancelled if the task is cancelled while sleeping.
template <class Rep, class Period>
void sleep_for(std::chrono::duration<Rep, Period> d) {
  if (const ConcurrencyHooks *hooks = detail::loaded_runtime_hooks()) {
    detail::check_cancelled(hooks->sleep_for_ns(detail::to_timeout_ns(d)));
  } else {
    std::this_thread::sleep_for(d);  // no runtime, so no task to cancel
  }
}

}  // namespace this_task

namespace io {

// pread/pwrite through the runtime (a fiber plugin suspends the task, not its thread).
// Return the bytes transferred; throw std::system_error on failure.
LUMINAR_API std::size_t read(int fd, void *buf, std::size_t n, std::int64_t offset);
LUMINAR_API std::size_t write(int fd, const void *buf, std::size_t n, std::int64_t offset);
// Copies a file (without user-space buffers where the OS allows); returns bytes copied.
LUMINAR_API std::uint64_t copy_file(const std::string &from, const std::string &to);

}  // namespace io

// Memory from the runtime (NUMA-aware where the plugin is). Throws std::bad_alloc.
LUMINAR_API void *alloc_shared(std::size_t bytes, int numa_node = -1);
LUMINAR_API void free_shared(void *p, std::size_t bytes) noexcept;

// SPEC 4.3.
struct metrics_snapshot {
  std::uint64_t tasks_spawned = 0;
  std::uint64_t tasks_completed = 0;
  std::uint64_t tasks_failed = 0;
  std::uint64_t tasks_cancelled = 0;
  std::uint64_t tasks_active = 0;
  std::uint64_t peak_concurrency = 0;
  std::uint64_t steal_attempts = 0;
  std::uint64_t steal_successes = 0;
  std::uint64_t context_switches = 0;
  std::uint64_t channel_operations = 0;
  std::uint64_t io_operations = 0;
  std::uint64_t memory_current_bytes = 0;
  std::uint64_t memory_peak_bytes = 0;
  std::chrono::nanoseconds mean_task_duration{0};
};

LUMINAR_API metrics_snapshot metrics();

}  // namespace luminar

#endif  // LUMINAR_LUMINAR_HPP
