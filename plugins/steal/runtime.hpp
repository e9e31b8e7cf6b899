// The plugin's process-wide state, created by init.
#ifndef LUMINAR_STEAL_RUNTIME_HPP
#define LUMINAR_STEAL_RUNTIME_HPP

#include "scheduler.hpp"
#include "timers.hpp"

#include <luminar/hooks.h>

namespace luminar_steal {

struct Runtime {
  explicit Runtime(const LuminarRuntimeConfig &config);

  const bool report_metrics;
  Timers timers;
  Scheduler scheduler;
};

// Valid after init. Never destroyed: parked tasks and pool threads may still use it at exit.
Runtime &runtime();
void create_runtime(const LuminarRuntimeConfig &config);

}  // namespace luminar_steal

#endif
