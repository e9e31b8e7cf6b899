// Worker placement across NUMA nodes.
#include "placement.hpp"

#include <pthread.h>
#include <sched.h>

#include <cerrno>

namespace luminar_steal::numa {

std::vector<WorkerPlacement> place_workers(const NumaTopology &topology, unsigned workers) {
  std::vector<int> usable;
  for (int node = 0; node < topology.nodes(); ++node) {
    if (!topology.cpus_of_node(node).empty()) usable.push_back(node);
  }
  std::vector<WorkerPlacement> placement;
  if (usable.empty()) return placement;  // no allowed CPU known: nothing to pin to
  placement.reserve(workers);
  for (unsigned w = 0; w < workers; ++w) {
    const int node = usable[w % usable.size()];
    placement.push_back(WorkerPlacement{node, topology.cpus_of_node(node)});
  }
  return placement;
}

int pin_current_thread(const std::vector<int> &cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -EINVAL;
    CPU_SET(cpu, &set);
  }
  if (cpus.empty()) return -EINVAL;
  return -::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
}

}  // namespace luminar_steal::numa
