// The plugin's process-wide state, created by init.
#ifndef LUMINAR_STEAL_RUNTIME_HPP
#define LUMINAR_STEAL_RUNTIME_HPP

#include "io/io_engine.hpp"
#include "numa/allocator.hpp"
#include "numa/topology.hpp"
#include "scheduler.hpp"
#include "timers.hpp"

#include <luminar/hooks.h>

#include <memory>
#include <string>

namespace luminar_steal {

struct Runtime {
  Runtime(const LuminarRuntimeConfig &config, std::unique_ptr<io::IoEngine> io_engine);

  const bool report_metrics;
  const numa::NumaTopology topology;
  numa::NumaAllocator allocator;  // allocate_shared/free_shared
  const std::unique_ptr<io::IoEngine> io;  // I/O of fiber tasks (io/io_engine.hpp)
  Timers timers;
  Scheduler scheduler;
};

// Valid after init. Never destroyed: parked tasks and pool threads may still use it at exit.
Runtime &runtime();
// False, with the reason in `error`, when a part cannot start (an invalid LUMINAR_IO_BACKEND).
bool create_runtime(const LuminarRuntimeConfig &config, std::string &error);

}  // namespace luminar_steal

#endif
