// See stack_pool.hpp for the layout and the mapping budget.
#include "stack_pool.hpp"

#include "atomics.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#ifdef LUMINAR_STEAL_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace luminar_steal {
namespace {

std::size_t read_max_map_count() {
  std::size_t value = 65530;  // the kernel default, if /proc is unavailable
  if (std::FILE *f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
    unsigned long long read = 0;
    if (std::fscanf(f, "%llu", &read) == 1 && read > 0) value = static_cast<std::size_t>(read);
    std::fclose(f);
  }
  return value;
}

[[noreturn]] void out_of_stacks(const char *why) {
  std::fprintf(stderr, "luminar: cannot allocate fiber stacks: %s\n", why);
  std::abort();
}

}  // namespace

char *Stack::usable_bottom() const {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return guarded ? base + page : base;
}

StackPool::StackPool(std::size_t stack_size)
    : page_(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE))),
      stack_size_(std::max<std::size_t>(4 * page_, (stack_size + page_ - 1) / page_ * page_)),
      stacks_per_slab_(std::max<std::size_t>(1, kSlabBytes / stack_size_)),
      guards_left_(read_max_map_count() / 4 / 2),  // a guard costs up to two VMAs
      views_(new SlabView[kMaxSlabs]) {}

void StackPool::new_slab_locked() {
  const std::size_t count = slab_count_.load(std::memory_order_relaxed);  // relaxed: we are the only writer (m_)
  if (count == kMaxSlabs) out_of_stacks("too many fiber stacks");
  const std::size_t bytes = stacks_per_slab_ * stack_size_;
  void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) out_of_stacks(std::strerror(errno));
  slabs_.push_back(Slab{static_cast<char *>(p), 0});
  // Relaxed: published by the release store of slab_count_ below.
  views_[count].base.store(static_cast<char *>(p), std::memory_order_relaxed);
  // Release: pairs with the acquire load in is_guard_address, so the view is complete.
  slab_count_.store(count + 1, std::memory_order_release);
}

Stack StackPool::acquire() {
  Stack stack;
  {
    std::lock_guard<std::mutex> lock(m_);
    if (!free_.empty()) {
      stack = free_.back();
      free_.pop_back();
    } else if (!cold_.empty()) {
      stack = cold_.back();
      cold_.pop_back();
    } else {
      if (slabs_.empty() || slabs_.back().stacks_carved == stacks_per_slab_) new_slab_locked();
      Slab &slab = slabs_.back();
      stack.base = slab.base + slab.stacks_carved * stack_size_;
      stack.size = stack_size_;
      SlabView &view = views_[slabs_.size() - 1];
      // Guards form a prefix of each slab: only while the budget lasts and only if every
      // earlier stack of this slab got one (so the signal handler's prefix test holds).
      if (guards_left_ > 0 && view.guarded.load(std::memory_order_relaxed) == slab.stacks_carved &&
          ::mprotect(stack.base, page_, PROT_NONE) == 0) {
        --guards_left_;
        stack.guarded = true;
        // Release: pairs with the acquire load in is_guard_address. Relaxed load above:
        // we are the only writer (m_).
        view.guarded.store(slab.stacks_carved + 1, std::memory_order_release);
      }
      ++slab.stacks_carved;
    }
  }
  return stack;  // fresh or released stacks: the canary is still zero (never written)
}

void StackPool::release(const Stack &stack) {
#ifdef LUMINAR_STEAL_ASAN
  // Frames abandoned on this stack (a fiber dropped while suspended) leave their redzones
  // poisoned; the next fiber on this stack must start clean.
  ASAN_UNPOISON_MEMORY_REGION(stack.usable_bottom(), stack.usable_size());
#endif
  std::vector<Stack> oldest;
  {
    std::lock_guard<std::mutex> lock(m_);
    free_.push_back(stack);
    if (free_.size() < kWarmStacks + kTrimBatch) return;
    // Out of the free list while they are trimmed: nobody can be handed one meanwhile.
    oldest.assign(free_.begin(), free_.begin() + kTrimBatch);
    free_.erase(free_.begin(), free_.begin() + kTrimBatch);
  }
  trim(oldest);
  std::lock_guard<std::mutex> lock(m_);
  cold_.insert(cold_.end(), oldest.begin(), oldest.end());
}

void StackPool::trim(std::vector<Stack> &stacks) const {
  std::sort(stacks.begin(), stacks.end(), [](const Stack &a, const Stack &b) { return a.base < b.base; });
  for (std::size_t first = 0; first < stacks.size();) {
    std::size_t last = first;  // stacks[first .. last] lie end to end
    while (last + 1 < stacks.size() && stacks[last].top() == stacks[last + 1].base) ++last;
    // A run may cover guard pages of its inner stacks: they have no pages to drop.
    char *begin = stacks[first].usable_bottom();
    ::madvise(begin, static_cast<std::size_t>(stacks[last].top() - begin), MADV_DONTNEED);
    first = last + 1;
  }
}

bool StackPool::canary_intact(const Stack &stack) {
  std::uint64_t words[kCanaryBytes / sizeof(std::uint64_t)];
  std::memcpy(words, stack.usable_bottom(), sizeof words);
  std::uint64_t any = 0;
  for (std::uint64_t word : words) any |= word;
  return any == 0;
}

bool StackPool::is_guard_address(const void *addr) const {
  const char *p = static_cast<const char *>(addr);
  // Acquire: pairs with the release store in new_slab_locked.
  const std::size_t count = slab_count_.load(std::memory_order_acquire);
  const std::size_t slab_bytes = stacks_per_slab_ * stack_size_;
  for (std::size_t i = 0; i < count; ++i) {
    // Relaxed: published by the acquire above.
    const char *base = views_[i].base.load(std::memory_order_relaxed);
    if (p < base || p >= base + slab_bytes) continue;
    const std::size_t offset = static_cast<std::size_t>(p - base);
    // Acquire: pairs with the release store in acquire().
    return offset / stack_size_ < views_[i].guarded.load(std::memory_order_acquire) && offset % stack_size_ < page_;
  }
  return false;
}

}  // namespace luminar_steal
