// One worker's trace buffer: appended to by its owner thread without locks, read by the
// writer of the trace file.
//
// Invariants:
//   - Only the owner thread appends (span, instant); any thread may read (for_each, dropped).
//   - Events [0, published_) are complete and never change again. The owner fills event
//     `published_` and then stores published_ + 1 with release; a reader loads published_
//     with acquire and reads only below it. Events live in chunks allocated on demand; the
//     chunk pointers sit in a table sized once at construction (never reallocated), and a
//     chunk pointer is set before the first event in it is published.
//   - At most `max_events` events are kept; later ones are counted in dropped_, as are events
//     whose chunk could not be allocated.
#ifndef LUMINAR_STEAL_TRACE_WORKER_TRACE_HPP
#define LUMINAR_STEAL_TRACE_WORKER_TRACE_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace luminar_steal::trace {

enum class EventKind : std::uint8_t { span, steal, park, unpark };

struct Event {
  EventKind kind = EventKind::span;
  std::string name;        // spans: the task's name; instants: empty
  std::uint64_t task = 0;  // the task's id (0 = none)
  std::int64_t begin_ns = 0;
  std::int64_t end_ns = 0;   // spans only
  std::int64_t detail = -1;  // steal: the victim worker; -1 = none
};

class WorkerTrace {
 public:
  explicit WorkerTrace(std::size_t max_events);
  WorkerTrace(const WorkerTrace &) = delete;
  WorkerTrace &operator=(const WorkerTrace &) = delete;

  // Owner thread only. Timestamps are TraceRecorder::now_ns() values; a span whose end
  // precedes its begin is written with duration 0.
  void span(std::string_view name, std::uint64_t task, std::int64_t begin_ns, std::int64_t end_ns);
  // steal: `detail` is the victim worker; park/unpark: `task` is the task parked or resumed.
  void instant(EventKind kind, std::uint64_t task, std::int64_t at_ns, std::int64_t detail = -1);

  // Any thread: the events published so far, in recording order.
  void for_each(const std::function<void(const Event &)> &visit) const;
  std::size_t published() const;
  std::uint64_t dropped() const;

 private:
  static constexpr std::size_t kChunk = 1024;

  Event *slot();  // the next free event, or nullptr (full, or out of memory: counted as dropped)

  std::size_t max_events_;
  std::vector<std::unique_ptr<Event[]>> chunks_;  // ceil(max_events / kChunk) entries
  std::atomic<std::size_t> published_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace luminar_steal::trace

#endif
