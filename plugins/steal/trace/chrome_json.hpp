// Serialisation of recorded events as Chrome Trace Event Format objects.
#ifndef LUMINAR_STEAL_TRACE_CHROME_JSON_HPP
#define LUMINAR_STEAL_TRACE_CHROME_JSON_HPP

#include "worker_trace.hpp"

#include <string>

namespace luminar_steal::trace {

// One event of worker `tid` as a JSON object, times relative to `origin_ns`.
std::string event_json(const Event &event, unsigned tid, std::int64_t origin_ns);
// The "M" metadata event naming worker `tid` ("worker N").
std::string thread_name_json(unsigned tid);
// The "M" metadata event naming the process.
std::string process_name_json();

}  // namespace luminar_steal::trace

#endif
