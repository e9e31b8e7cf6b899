// The few libnuma calls the module needs, behind one seam: system.cpp implements them with
// libnuma, system_none.cpp (built when libnuma is missing) as "no NUMA".
#ifndef LUMINAR_STEAL_NUMA_SYSTEM_HPP
#define LUMINAR_STEAL_NUMA_SYSTEM_HPP

#include <cstddef>
#include <vector>

namespace luminar_steal::numa::system {

// Whether the kernel supports NUMA policies (libnuma's numa_available).
bool numa_supported();
// CPUs of each configured node (index = node), unfiltered; empty when unsupported.
std::vector<std::vector<int>> node_cpus();
// Page-granular allocations freed with free_pages(p, bytes); nullptr on failure.
void *alloc_on_node(std::size_t bytes, int node);
void *alloc_any_node(std::size_t bytes);
void free_pages(void *p, std::size_t bytes);

}  // namespace luminar_steal::numa::system

#endif
