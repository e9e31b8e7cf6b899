// Fiber stacks: pooled, mmap'ed, carved out of large slabs.
//
// Why slabs, and why guard pages only up to a budget: every separate mmap, and every guard
// page mprotect'ed inside a mapping, is a VMA, and a process may hold at most
// vm.max_map_count of them (65530 by default, not something users can be asked to raise).
// One mapping plus one guard page per stack would cap parked tasks near 32,000, yet a
// million tasks must be able to park at once. So:
//   * stacks are carved out of slabs of kSlabBytes (one VMA each; MAP_NORESERVE, so only the
//     pages a fiber touches cost memory);
//   * the first stacks carved get a PROT_NONE guard page at their low end (each splits its
//     slab's VMA, costing up to two more) while the mapping budget allows: a quarter of
//     max_map_count for guards, leaving the rest of the process its mappings;
//   * every stack has a canary at its lowest usable address, checked for a stack without
//     a guard page when a task on it returns and then at every switch away from it
//     (fiber.cpp), so an overflow of such a stack is still reported, though late and after
//     it may have written into the neighbouring stack. The canary is kCanaryBytes of
//     zeros, so it costs nothing until it is read: a written canary would cost a whole
//     page of every one of a million stacks, and so does a read one on kernels without
//     the shared zero page (hence no read before the first task returns);
//   * a fault on a guard page is reported by overflow.cpp, which asks is_guard_address().
// Stacks return to a free list and are reused, most recently freed first (warm pages).
// Idle stacks give their memory back: once kWarmStacks + kTrimBatch stacks are free, the
// kTrimBatch least recently freed ones are madvise(MADV_DONTNEED)'d in one pass, outside
// the lock, with one call per run of adjacent stacks, and move to the cold list, used
// only when no warm stack is left. Batches, because every madvise call flushes the TLB of
// every CPU the process runs on: one call per stack made a million parked tasks take
// 100 s to finish on a 2-vCPU VM, most of it in those flushes and in waiting for the lock
// they were made under. Slabs are never unmapped.
#ifndef LUMINAR_STEAL_STACK_POOL_HPP
#define LUMINAR_STEAL_STACK_POOL_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace luminar_steal {

struct Stack {
  char *base = nullptr;  // lowest address of the stack's region (its guard page, if any)
  std::size_t size = 0;  // whole region, guard included
  bool guarded = false;

  char *usable_bottom() const;  // above the guard page; the canary lives here
  char *top() const { return base + size; }
  std::size_t usable_size() const { return static_cast<std::size_t>(top() - usable_bottom()); }
};

class StackPool {
 public:
  static constexpr std::size_t kSlabBytes = std::size_t{16} << 20;
  static constexpr std::size_t kMaxSlabs = std::size_t{1} << 16;
  static constexpr std::size_t kWarmStacks = 1024;
  static constexpr std::size_t kTrimBatch = 1024;
  static constexpr std::size_t kCanaryBytes = 64;

  // stack_size is rounded up to whole pages (at least 4 pages).
  explicit StackPool(std::size_t stack_size);
  StackPool(const StackPool &) = delete;
  StackPool &operator=(const StackPool &) = delete;

  // A stack whose canary is intact. Aborts when memory or the mapping budget run out.
  Stack acquire();
  void release(const Stack &stack);

  // Async-signal-safe: whether addr lies in the guard page of one of the pool's stacks.
  bool is_guard_address(const void *addr) const;
  static bool canary_intact(const Stack &stack);

  std::size_t stack_size() const { return stack_size_; }

 private:
  struct Slab {
    char *base;
    std::size_t stacks_carved;   // under m_
  };
  struct SlabView {  // what the signal handler reads
    std::atomic<char *> base{nullptr};
    std::atomic<std::size_t> guarded{0};  // stacks [0, guarded) of this slab have guard pages
  };
  void new_slab_locked();
  void trim(std::vector<Stack> &stacks) const;  // sorts them; no lock needed

  const std::size_t page_;
  const std::size_t stack_size_;
  const std::size_t stacks_per_slab_;
  std::mutex m_;
  std::vector<Stack> free_;   // under m_: warm, most recently freed last
  std::vector<Stack> cold_;   // under m_: trimmed (their pages given back)
  std::vector<Slab> slabs_;   // under m_
  std::size_t guards_left_;   // under m_: the guard budget (see the file comment)
  // Written under m_ (release), read by the signal handler (acquire), which takes no lock.
  std::atomic<std::size_t> slab_count_{0};
  std::unique_ptr<SlabView[]> views_;
};

}  // namespace luminar_steal

#endif
