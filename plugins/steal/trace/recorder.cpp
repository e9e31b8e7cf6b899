// TraceRecorder: the per-worker buffers and the file they are written to.
#include "recorder.hpp"

#include "atomic_file.hpp"
#include "chrome_json.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace luminar_steal::trace {

TraceRecorder::TraceRecorder(unsigned workers, std::size_t max_events_per_worker)
    : origin_ns_(now_ns()), max_events_per_worker_(max_events_per_worker) {
  workers_.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) workers_.push_back(std::make_unique<WorkerTrace>(max_events_per_worker));
}

std::int64_t TraceRecorder::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::uint64_t TraceRecorder::dropped() const {
  std::uint64_t total = 0;
  for (const auto &w : workers_) total += w->dropped();
  return total;
}

bool TraceRecorder::write(const std::string &path, std::string &error) const {
  AtomicFile file(path);
  file.append("{\"traceEvents\":[\n");
  file.append(process_name_json());
  nlohmann::json dropped_per_worker = nlohmann::json::array();
  for (unsigned tid = 0; tid < workers(); ++tid) {
    file.append(",\n" + thread_name_json(tid));
    const WorkerTrace &trace = *workers_[tid];
    trace.for_each([&](const Event &event) { file.append(",\n" + event_json(event, tid, origin_ns_)); });
    dropped_per_worker.push_back(trace.dropped());
  }
  const nlohmann::json other{{"clock", "steady_clock"},
                             {"dropped_events", dropped()},
                             {"dropped_per_worker", dropped_per_worker},
                             {"max_events_per_worker", max_events_per_worker_}};
  file.append("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":" + other.dump() + "}\n");
  if (file.commit()) return true;
  error = "LUMINAR_TRACE: " + file.error();
  return false;
}

}  // namespace luminar_steal::trace
