// The LUMINAR_METRICS=1 report (SPEC 4.3) every plugin prints to stderr at shutdown, in one
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

}  // namespace luminar_plugin

#endif
