// Chrome Trace Event objects through nlohmann/json, which escapes names (quotes, backslashes,
// control characters) and, with error_handler_t::replace, never throws on invalid UTF-8.
#include "chrome_json.hpp"

#include <nlohmann/json.hpp>

namespace luminar_steal::trace {
namespace {

constexpr int kPid = 1;

std::string dump(const nlohmann::json &value) { return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

double microseconds(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

const char *instant_name(EventKind kind) {
  switch (kind) {
    case EventKind::steal:
      return "steal";
    case EventKind::park:
      return "park";
    case EventKind::unpark:
      return "unpark";
    case EventKind::span:
      break;
  }
  return "span";
}

}  // namespace

std::string event_json(const Event &event, unsigned tid, std::int64_t origin_ns) {
  nlohmann::json object{{"pid", kPid}, {"tid", tid}, {"ts", microseconds(event.begin_ns - origin_ns)}};
  nlohmann::json args{{"task", event.task}};
  if (event.kind == EventKind::span) {
    object["name"] = event.name;
    object["cat"] = "task";
    object["ph"] = "X";
    object["dur"] = microseconds(event.end_ns - event.begin_ns);
  } else {
    object["name"] = instant_name(event.kind);
    object["cat"] = "scheduler";
    object["ph"] = "i";
    object["s"] = "t";  // thread-scoped instant: drawn on the worker's track
    if (event.kind == EventKind::steal && event.detail >= 0) args["victim"] = event.detail;
  }
  object["args"] = std::move(args);
  return dump(object);
}

std::string thread_name_json(unsigned tid) {
  return dump({{"name", "thread_name"}, {"ph", "M"}, {"pid", kPid}, {"tid", tid},
               {"args", {{"name", "worker " + std::to_string(tid)}}}});
}

std::string process_name_json() {
  return dump({{"name", "process_name"}, {"ph", "M"}, {"pid", kPid}, {"tid", 0}, {"args", {{"name", "luminar steal"}}}});
}

}  // namespace luminar_steal::trace
