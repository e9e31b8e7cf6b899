// Metrics as every plugin hands them out: to get_metrics' caller, and as the
// LUMINAR_METRICS=1 report (SPEC 4.3), which every plugin prints to stderr at shutdown, in one
// format, so tools and tests read any plugin's report alike:
//   luminar metrics (runtime '<name>')
//     tasks: spawned N, completed N, failed N, cancelled N, active N
//     peak concurrency N, mean task duration N ns
//     steal attempts N, steal successes N, context switches N
//     channel operations N, I/O operations N
//     runtime memory: current N bytes, peak N bytes
// A plugin may print lines of its own after it.
#ifndef LUMINAR_PLUGIN_COMMON_METRICS_REPORT_HPP
#define LUMINAR_PLUGIN_COMMON_METRICS_REPORT_HPP

#include <luminar/hooks.h>

namespace luminar_plugin {

void print_metrics_report(const char *runtime_name, const LuminarMetrics &m);

// The get_metrics hook's contract: copies the fields of `m` that fit in out->struct_size
// (a caller built against an older, shorter LuminarMetrics gets its prefix) and leaves
// out->struct_size as the caller set it.
void deliver_metrics(const LuminarMetrics &m, LuminarMetrics *out);

}  // namespace luminar_plugin

#endif
