#include "tracing.hpp"

#include "scheduler.hpp"
#include "tasks.hpp"
#include "trace/recorder.hpp"

#include <cstdio>
#include <memory>
#include <string>

namespace luminar_steal {
namespace {

// Written once by init_tracing, before the workers exist; never destroyed (workers may
// still record while the process exits).
trace::TraceRecorder *recorder = nullptr;
std::string *trace_path = nullptr;

trace::WorkerTrace *this_worker_trace() {
  if (recorder == nullptr) return nullptr;
  const long index = current_worker_index();
  return index >= 0 ? &recorder->worker(static_cast<unsigned>(index)) : nullptr;
}

}  // namespace

bool tracing_on = false;

void init_tracing(const char *path, std::size_t workers) {
  if (path == nullptr || *path == '\0') return;
  trace_path = new std::string(path);
  recorder = new trace::TraceRecorder(static_cast<unsigned>(workers));
  tracing_on = true;
}

void finish_tracing() {
  if (recorder == nullptr) return;
  std::string error;
  if (!recorder->write(*trace_path, error)) std::fprintf(stderr, "luminar: LUMINAR_TRACE: %s\n", error.c_str());
}

void record_run_begins(LuminarTask *task) {
  if (this_worker_trace() != nullptr) task->run_begin_ns = trace::TraceRecorder::now_ns();
}

void record_run_ends(LuminarTask *task, bool parks) {
  trace::WorkerTrace *worker = this_worker_trace();
  if (worker == nullptr || task->run_begin_ns < 0) return;
  const std::int64_t now = trace::TraceRecorder::now_ns();
  worker->span(task->name.empty() ? "task" : task->name.c_str(), task->id, task->run_begin_ns, now);
  if (parks) worker->instant(trace::EventKind::park, task->id, now);
  task->run_begin_ns = -1;
}

void record_resumed(LuminarTask *task) {
  trace::WorkerTrace *worker = this_worker_trace();
  if (worker == nullptr) return;
  task->run_begin_ns = trace::TraceRecorder::now_ns();
  worker->instant(trace::EventKind::unpark, task->id, task->run_begin_ns);
}

void record_stolen(LuminarTask *task, std::size_t victim) {
  if (trace::WorkerTrace *worker = this_worker_trace())
    worker->instant(trace::EventKind::steal, task->id, trace::TraceRecorder::now_ns(), static_cast<std::int64_t>(victim));
}

}  // namespace luminar_steal
