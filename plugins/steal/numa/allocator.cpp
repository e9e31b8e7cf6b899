// NumaAllocator (behaviour and invariants in allocator.hpp).
#include "allocator.hpp"

#include "system.hpp"

#include <cstdlib>

namespace luminar_steal::numa {
namespace {

constexpr std::size_t kAlignment = 64;  // a cache line: blocks shared by threads do not share lines

std::size_t plain_size(std::size_t bytes) { return bytes == 0 ? kAlignment : (bytes + kAlignment - 1) / kAlignment * kAlignment; }

std::size_t page_size(std::size_t bytes) { return bytes == 0 ? 1 : bytes; }

}  // namespace

NumaAllocator::NumaAllocator(bool numa_aware, int nodes)
    : numa_aware_(numa_aware && system::numa_supported()), nodes_(nodes) {}

void *NumaAllocator::allocate(std::size_t bytes, int node) {
  void *p;
  if (!numa_aware_) {
    p = std::aligned_alloc(kAlignment, plain_size(bytes));
  } else if (node >= 0 && node < nodes_) {
    p = system::alloc_on_node(page_size(bytes), node);
  } else {
    // Counters only: no memory is published through them, so relaxed suffices.
    if (node >= nodes_) fallbacks_.fetch_add(1, std::memory_order_relaxed);
    p = system::alloc_any_node(page_size(bytes));
  }
  if (p != nullptr) account_allocation(bytes);
  return p;
}

void NumaAllocator::deallocate(void *p, std::size_t bytes) {
  if (p == nullptr) return;
  if (numa_aware_) {
    system::free_pages(p, page_size(bytes));
  } else {
    std::free(p);
  }
  // A counter for the metrics: it orders nothing else, so relaxed suffices.
  current_.fetch_sub(bytes, std::memory_order_relaxed);
}

void NumaAllocator::account_allocation(std::size_t bytes) {
  // Counters for the metrics: they order nothing else, and the atomic read-modify-writes keep
  // each exact, so relaxed suffices. The peak is raised by a CAS loop to at least this sum.
  const std::uint64_t now = current_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  std::uint64_t peak = peak_.load(std::memory_order_relaxed);
  while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

// Metrics reads: a snapshot of a counter, ordering nothing else, so relaxed suffices.
std::uint64_t NumaAllocator::current_bytes() const { return current_.load(std::memory_order_relaxed); }
std::uint64_t NumaAllocator::peak_bytes() const { return peak_.load(std::memory_order_relaxed); }
std::uint64_t NumaAllocator::fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }

}  // namespace luminar_steal::numa
