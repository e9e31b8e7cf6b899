// LUMINAR_TRACE: what the scheduler records into the trace recorder (trace/recorder.hpp),
// when one is configured. A task's run is recorded as one span per stretch it runs on one
// worker: it starts when a worker starts or resumes it and ends when it parks or finishes
// (a parked task may resume on another worker). Steals, parks and resumptions are instants.
// Only worker threads record (each into its own buffer, without locks); tasks on the
// blocking pool are not traced.
#ifndef LUMINAR_STEAL_TRACING_HPP
#define LUMINAR_STEAL_TRACING_HPP

#include <luminar/hooks.h>

#include <cstddef>

namespace luminar_steal {

// At init, before the workers start. trace_path may be null (tracing off).
void init_tracing(const char *trace_path, std::size_t workers);
// At shutdown: writes the file; a failure is reported on stderr.
void finish_tracing();

// Whether LUMINAR_TRACE is on: set once by init_tracing, before any task exists, so a
// plain read suffices. Lets the hot paths skip the calls below when it is off.
extern bool tracing_on;

// On the worker running `task`, at the moment named.
void record_run_begins(LuminarTask *task);
void record_run_ends(LuminarTask *task, bool parks);
void record_resumed(LuminarTask *task);
void record_stolen(LuminarTask *task, std::size_t victim);

inline void trace_run_begins(LuminarTask *task) {
  if (tracing_on) record_run_begins(task);
}
inline void trace_run_ends(LuminarTask *task, bool parks) {
  if (tracing_on) record_run_ends(task, parks);
}
inline void trace_resumed(LuminarTask *task) {
  if (tracing_on) record_resumed(task);
}
inline void trace_stolen(LuminarTask *task, std::size_t victim) {
  if (tracing_on) record_stolen(task, victim);
}

}  // namespace luminar_steal

#endif
