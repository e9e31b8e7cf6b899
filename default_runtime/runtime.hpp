// The plugin's process-wide state, created by init.
#ifndef LUMINAR_DEFAULT_RUNTIME_HPP
#define LUMINAR_DEFAULT_RUNTIME_HPP

#include "scheduler.hpp"
#include "timers.hpp"

#include <luminar/hooks.h>

namespace luminar_default {

struct Runtime {
  explicit Runtime(const LuminarRuntimeConfig &config);

  const bool report_metrics;
  Scheduler scheduler;
  Timers timers;
};

// Valid after init. Never destroyed: threads of detached tasks may still use it at exit.
Runtime &runtime();
void create_runtime(const LuminarRuntimeConfig &config);

}  // namespace luminar_default

#endif
