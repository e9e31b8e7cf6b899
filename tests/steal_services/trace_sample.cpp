// Writes a realistic trace for plugins/steal/trace/example_trace.png and checks it reads back.
//
// Four threads each own a range of tasks of uneven cost (worker 0's are the heaviest, so the
// others run out first); a thread whose range is empty steals the next task from the fullest
// other range. Every task is a span, every steal an instant, and a thread parks when nothing
// is left anywhere. Usage: steal_trace_sample <out.json>
#include "trace/recorder.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace luminar_steal::trace;

namespace {

constexpr unsigned kWorkers = 4;
constexpr int kTasksPerWorker = 24;
const char *const kKinds[] = {"decode frame", "resize tile", "hash block", "compress chunk"};

struct Range {
  std::atomic<int> next{0};
  int end = kTasksPerWorker;
};

// The task's "work". It sleeps rather than spins: four spinning threads on a machine with
// fewer cores would be preempted for whole time slices, and the spans would show the
// machine's load instead of the tasks' costs.
void work_for(std::chrono::microseconds us) { std::this_thread::sleep_for(us); }

std::chrono::microseconds cost(unsigned owner, int task) {
  return std::chrono::microseconds(60 + 90 * ((owner * 7 + static_cast<unsigned>(task) * 13) % 5) + (owner == 0 ? 400 : 0));
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <out.json>\n", argv[0]);
    return 2;
  }
  TraceRecorder recorder(kWorkers);
  std::array<Range, kWorkers> ranges;
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      WorkerTrace &trace = recorder.worker(w);
      for (;;) {
        unsigned owner = w;
        int task = ranges[w].next.fetch_add(1);
        if (task >= ranges[w].end) {
          // Steal from the range with the most left.
          unsigned victim = w;
          int most = 0;
          for (unsigned v = 0; v < kWorkers; ++v) {
            const int left = ranges[v].end - ranges[v].next.load();
            if (v != w && left > most) {
              most = left;
              victim = v;
            }
          }
          if (victim == w) break;
          task = ranges[victim].next.fetch_add(1);
          if (task >= ranges[victim].end) continue;
          owner = victim;
          trace.instant(EventKind::steal, owner * 100 + static_cast<unsigned>(task), TraceRecorder::now_ns(), victim);
        }
        const std::uint64_t id = owner * 100 + static_cast<unsigned>(task);
        const std::string name = std::string(kKinds[(owner + static_cast<unsigned>(task)) % 4]) + " #" + std::to_string(id);
        const std::int64_t begin = TraceRecorder::now_ns();
        work_for(cost(owner, task));
        trace.span(name, id, begin, TraceRecorder::now_ns());
      }
      trace.instant(EventKind::park, 0, TraceRecorder::now_ns());
    });
  }
  for (auto &thread : threads) thread.join();

  std::string error;
  if (!recorder.write(argv[1], error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::ifstream in(argv[1]);
  const nlohmann::json trace = nlohmann::json::parse(in, nullptr, false);
  if (trace.is_discarded()) {
    std::fprintf(stderr, "%s: not valid JSON\n", argv[1]);
    return 1;
  }
  const auto &events = trace["traceEvents"];
  const auto spans = std::count_if(events.begin(), events.end(), [](const auto &e) { return e["ph"] == "X"; });
  const auto steals = std::count_if(events.begin(), events.end(), [](const auto &e) { return e["name"] == "steal"; });
  std::printf("%s: %ld task spans, %ld steals\n", argv[1], static_cast<long>(spans), static_cast<long>(steals));
  return spans == kWorkers * kTasksPerWorker ? 0 : 1;
}
