// Memory for allocate_shared/free_shared, optionally on a chosen NUMA node, with the byte
// counts the metrics report.
//
// With NUMA awareness on (LUMINAR_NUMA=1) and kernel support, every block comes from libnuma
// (page-granular mmap): node >= 0 asks for that node (preferred, not strict: a full node
// spills to others, as libnuma does by default), node < 0 takes the default policy (usually
// the calling thread's node). A node outside 0..nodes-1 is not an error: the block comes from
// any node, as for node < 0, and fallbacks() counts it, so a program written for a larger
// machine still runs. With awareness off, blocks come from aligned_alloc, 64-byte aligned, and
// the node is ignored.
//
// Invariants: current_bytes() is the sum of the sizes of live blocks (as the callers gave
// them); peak_bytes() is the largest value current_bytes() has had. Any thread.
#ifndef LUMINAR_STEAL_NUMA_ALLOCATOR_HPP
#define LUMINAR_STEAL_NUMA_ALLOCATOR_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace luminar_steal::numa {

class NumaAllocator {
 public:
  // `numa_aware`: LUMINAR_NUMA=1. `nodes`: NumaTopology::nodes().
  NumaAllocator(bool numa_aware, int nodes);

  // A block of at least `bytes` (1 if 0), or nullptr when memory is exhausted.
  void *allocate(std::size_t bytes, int node);
  // `bytes` must be what allocate was given. nullptr is ignored.
  void deallocate(void *p, std::size_t bytes);

  // Whether blocks really come from libnuma (NUMA awareness asked for and supported).
  bool numa_aware() const { return numa_aware_; }
  std::uint64_t current_bytes() const;
  std::uint64_t peak_bytes() const;
  std::uint64_t fallbacks() const;

 private:
  void account_allocation(std::size_t bytes);

  bool numa_aware_;
  int nodes_;
  std::atomic<std::uint64_t> current_{0};
  std::atomic<std::uint64_t> peak_{0};
  std::atomic<std::uint64_t> fallbacks_{0};
};

}  // namespace luminar_steal::numa

#endif
