// A runtime-assisted `parallel for` (mode(runtime), or a loop in a recursive function):
// the same loop machinery as the bare-metal one (loop_worker, schedules, reductions and
// error_state from bare_metal.hpp), but the shares run as runtime tasks of one group, so
// a loop inside a task nests without oversubscribing and a fiber runtime parks the
// waiting task instead of its thread.
#ifndef LUMINAR_DETAIL_PARALLEL_FOR_HPP
#define LUMINAR_DETAIL_PARALLEL_FOR_HPP

#include <luminar/bare_metal.hpp>
#include <luminar/detail/task_group.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

namespace luminar {
namespace runtime {

// Runs per_thread(loop_worker&) as min(num_threads or hardware threads, count) shares: the
// calling thread runs share 0, the others are tasks of a group named `name`. Returns once
// every share has finished; errors of the body end up in `errors`, like the bare-metal
// parallel_for. A share whose task is cancelled before it starts runs nothing.
template <class PerThread>
void parallel_for(std::uint64_t count, const bare_metal::loop_options &opts, bare_metal::error_state &errors,
                  PerThread &&per_thread, const char *name) {
  if (count == 0) return;
  using body = std::remove_reference_t<PerThread>;
  bare_metal::detail::loop_context loop(count, opts, errors);
  bare_metal::detail::loop_job<body> job{&loop, &per_thread};
  loop.thread_count = bare_metal::detail::loop_threads(opts, count);
  // Shares never throw (run_loop_share records what the body throws), so the group's own
  // strategy only matters for cancellation, which `ignore` leaves to the loop's errors.
  task_group shares(error_strategy::ignore, 0, -1, name);
  for (std::size_t index = 1; index < loop.thread_count; ++index) {
    spawn_options options;
    options.name = name;
    shares.spawn([&job, index] { bare_metal::detail::run_loop_share<body>(&job, index); }, options);
  }
  bare_metal::detail::run_loop_share<body>(&job, 0);
  shares.wait();
}

}  // namespace runtime
}  // namespace luminar

#endif  // LUMINAR_DETAIL_PARALLEL_FOR_HPP
