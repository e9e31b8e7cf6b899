// Built when libnuma is missing: no NUMA support, and page allocations through mmap.
#include "system.hpp"

#include <sys/mman.h>

namespace luminar_steal::numa::system {

bool numa_supported() { return false; }

std::vector<std::vector<int>> node_cpus() { return {}; }

void *alloc_on_node(std::size_t bytes, int /*node: no NUMA support*/) { return alloc_any_node(bytes); }

void *alloc_any_node(std::size_t bytes) {
  void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void free_pages(void *p, std::size_t bytes) { ::munmap(p, bytes); }

}  // namespace luminar_steal::numa::system
