// WorkerTrace (invariants in worker_trace.hpp).
#include "worker_trace.hpp"

#include <new>

namespace luminar_steal::trace {

WorkerTrace::WorkerTrace(std::size_t max_events)
    : max_events_(max_events), chunks_((max_events + kChunk - 1) / kChunk) {}

Event *WorkerTrace::slot() {
  // Only the owner stores published_, so its own relaxed load sees its latest store.
  const std::size_t index = published_.load(std::memory_order_relaxed);
  if (index >= max_events_) {
    // A statistic for the trace's metadata: it publishes no other data, so relaxed suffices.
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  std::unique_ptr<Event[]> &chunk = chunks_[index / kChunk];
  if (!chunk) {
    chunk.reset(new (std::nothrow) Event[kChunk]);
    if (!chunk) {
      dropped_.fetch_add(1, std::memory_order_relaxed);  // as above: a statistic only
      return nullptr;
    }
  }
  return &chunk[index % kChunk];
}

void WorkerTrace::span(std::string_view name, std::uint64_t task, std::int64_t begin_ns, std::int64_t end_ns) {
  Event *event = slot();
  if (event == nullptr) return;
  event->kind = EventKind::span;
  event->name.assign(name.data(), name.size());
  event->task = task;
  event->begin_ns = begin_ns;
  event->end_ns = end_ns < begin_ns ? begin_ns : end_ns;
  event->detail = -1;
  // Release: pairs with the acquire in for_each/published, so a reader that sees the new
  // count also sees the event (and its chunk pointer) written above. The relaxed load reads
  // the owner's own last store.
  published_.store(published_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void WorkerTrace::instant(EventKind kind, std::uint64_t task, std::int64_t at_ns, std::int64_t detail) {
  Event *event = slot();
  if (event == nullptr) return;
  event->kind = kind;
  event->name.clear();
  event->task = task;
  event->begin_ns = at_ns;
  event->end_ns = at_ns;
  event->detail = detail;
  // Release (and relaxed load): as in span, publishes the event written above.
  published_.store(published_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void WorkerTrace::for_each(const std::function<void(const Event &)> &visit) const {
  const std::size_t count = published();
  for (std::size_t i = 0; i < count; ++i) visit(chunks_[i / kChunk][i % kChunk]);
}

// Acquire: pairs with the owner's release store, making events below the count visible.
std::size_t WorkerTrace::published() const { return published_.load(std::memory_order_acquire); }

// A statistic: a slightly stale value while the owner still records is acceptable.
std::uint64_t WorkerTrace::dropped() const { return dropped_.load(std::memory_order_relaxed); }

}  // namespace luminar_steal::trace
