// Where each worker thread runs: spread round-robin across the nodes that have CPUs, so that
// node-local allocations of a worker's data land near it and the nodes share the load evenly.
#ifndef LUMINAR_STEAL_NUMA_PLACEMENT_HPP
#define LUMINAR_STEAL_NUMA_PLACEMENT_HPP

#include "topology.hpp"

#include <vector>

namespace luminar_steal::numa {

struct WorkerPlacement {
  int node;               // the node the worker belongs to
  std::vector<int> cpus;  // the CPUs it may run on: all of its node's, the kernel picks among them
};

// Worker w goes to the (w mod k)-th of the k nodes that have CPUs, so node loads differ by at
// most one. Pinning to a whole node rather than to one CPU leaves the kernel free to move a
// worker off a CPU that another process is using. Empty when `workers` is 0.
std::vector<WorkerPlacement> place_workers(const NumaTopology &topology, unsigned workers);

// Restricts the calling thread to `cpus`. 0, or -errno (EINVAL: empty or not allowed).
int pin_current_thread(const std::vector<int> &cpus);

}  // namespace luminar_steal::numa

#endif
