// The LUMINAR_TRACE recorder: task spans and scheduler events per worker, written at
// shutdown as Chrome Trace Event Format JSON (opens in https://ui.perfetto.dev and
// chrome://tracing).
//
// Each worker records into its own WorkerTrace (no lock on the hot path). write() may run at
// any time, also while workers record: it writes what has been published so far.
//
// File layout:
//   {"traceEvents": [
//      {"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"luminar steal"}},
//      {"name":"thread_name","ph":"M","pid":1,"tid":W,"args":{"name":"worker W"}}, ...
//      {"name":TASK,"cat":"task","ph":"X","ts":US,"dur":US,"pid":1,"tid":W,"args":{"task":ID}},
//      {"name":"steal","cat":"scheduler","ph":"i","s":"t","ts":US,"pid":1,"tid":W,
//       "args":{"task":ID,"victim":V}}, ... park, unpark],
//    "displayTimeUnit":"ns",
//    "otherData":{"clock":"steady_clock","dropped_events":N,"dropped_per_worker":[...],
//                 "max_events_per_worker":M}}
//   ts and dur are microseconds (fractional, nanosecond precision) since the recorder was
//   created. Task names are JSON-escaped; invalid UTF-8 is replaced by U+FFFD.
#ifndef LUMINAR_STEAL_TRACE_RECORDER_HPP
#define LUMINAR_STEAL_TRACE_RECORDER_HPP

#include "worker_trace.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace luminar_steal::trace {

class TraceRecorder {
 public:
  // 256 Ki events per worker: about 20 MB per worker at most, plus long task names.
  static constexpr std::size_t kDefaultMaxEventsPerWorker = std::size_t{1} << 18;

  explicit TraceRecorder(unsigned workers, std::size_t max_events_per_worker = kDefaultMaxEventsPerWorker);

  // The clock of every timestamp: std::chrono::steady_clock in nanoseconds.
  static std::int64_t now_ns();

  // Worker w's buffer, for its owner thread to record into. w < workers().
  WorkerTrace &worker(unsigned w) { return *workers_.at(w); }
  unsigned workers() const { return static_cast<unsigned>(workers_.size()); }
  std::uint64_t dropped() const;

  // Writes the trace to `path` atomically: into a temporary file in the same directory, then
  // renamed over `path`, so `path` is either untouched or complete. false with a message
  // naming the path and the cause on failure (the temporary file is removed). Any thread.
  bool write(const std::string &path, std::string &error) const;

 private:
  std::int64_t origin_ns_;
  std::size_t max_events_per_worker_;
  std::vector<std::unique_ptr<WorkerTrace>> workers_;
};

}  // namespace luminar_steal::trace

#endif
