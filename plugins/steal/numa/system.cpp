// libnuma behind system.hpp.
#include "system.hpp"

#include <numa.h>

namespace luminar_steal::numa::system {

bool numa_supported() { return numa_available() >= 0; }

std::vector<std::vector<int>> node_cpus() {
  std::vector<std::vector<int>> cpus;
  if (!numa_supported()) return cpus;
  struct bitmask *mask = numa_allocate_cpumask();
  if (mask == nullptr) return cpus;
  const int max_node = numa_max_node();
  const unsigned cpu_count = static_cast<unsigned>(numa_num_configured_cpus());
  for (int node = 0; node <= max_node; ++node) {
    cpus.emplace_back();
    if (numa_node_to_cpus(node, mask) != 0) continue;  // a hole in the node numbering
    for (unsigned cpu = 0; cpu < cpu_count; ++cpu) {
      if (numa_bitmask_isbitset(mask, cpu)) cpus.back().push_back(static_cast<int>(cpu));
    }
  }
  numa_free_cpumask(mask);
  return cpus;
}

void *alloc_on_node(std::size_t bytes, int node) { return numa_alloc_onnode(bytes, node); }

void *alloc_any_node(std::size_t bytes) { return numa_alloc(bytes); }

void free_pages(void *p, std::size_t bytes) { numa_free(p, bytes); }

}  // namespace luminar_steal::numa::system
