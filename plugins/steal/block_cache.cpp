#include "block_cache.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace luminar_steal {
namespace {

std::atomic<std::size_t> caches_created{0};

struct ThreadExit {
  BlockCache::ThreadLists *lists = nullptr;
  ~ThreadExit();
};

thread_local BlockCache::ThreadLists thread_lists;  // constant-initialised (tls_access.hpp)

}  // namespace

const std::ptrdiff_t BlockCache::kThreadListsOffset = tls_offset_of(&thread_lists);

BlockCache::BlockCache(std::size_t block_size, std::size_t alignment)
    // Relaxed: only hands out distinct slots; caches are created before any task runs.
    : block_size_(block_size), alignment_(alignment), index_(caches_created.fetch_add(1, std::memory_order_relaxed)) {
  if (index_ >= kMaxCaches) std::abort();  // a programming error: raise kMaxCaches
}

void BlockCache::adopt(ThreadLists &lists, ThreadList &list) {
  list.cache = this;
  thread_local ThreadExit at_exit;
  at_exit.lists = &lists;
}

void BlockCache::release_thread_lists(ThreadLists *lists) {
  for (ThreadList &list : lists->lists)
    if (list.cache != nullptr) list.cache->park_list(list.head, list.count);
}

ThreadExit::~ThreadExit() {
  if (lists != nullptr) BlockCache::release_thread_lists(lists);
}

void *BlockCache::allocate_slow(ThreadList &list) {
  list.head = take_batch();
  if (list.head == nullptr) {
    // malloc: 16-aligned on every 64-bit glibc. Both are released with free.
    void *block = alignment_ > 16 ? std::aligned_alloc(alignment_, block_size_) : std::malloc(block_size_);
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }
  list.count = kMagazine;
  return allocate();
}

void BlockCache::hand_over_older(ThreadList &list) {
  // Keep the newest kMagazine (warm in this core's cache); hand the older ones over.
  FreeBlock *last_kept = list.head;
  for (std::size_t i = 1; i < kMagazine; ++i) last_kept = last_kept->next;
  FreeBlock *batch = last_kept->next;
  last_kept->next = nullptr;
  list.count = kMagazine;
  give_back(batch);
}
void BlockCache::give_back(FreeBlock *batch) {
  {
    std::lock_guard<SpinMutex> lock(m_);
    if (batches_.size() < kMaxBatches) {
      batches_.push_back(batch);
      return;
    }
  }
  free_list(batch);
}

BlockCache::FreeBlock *BlockCache::take_batch() {
  std::lock_guard<SpinMutex> lock(m_);
  if (batches_.empty()) return nullptr;
  FreeBlock *batch = batches_.back();
  batches_.pop_back();
  return batch;
}

void BlockCache::free_list(FreeBlock *head) {
  while (head != nullptr) {
    ASAN_UNPOISON_MEMORY_REGION(head, block_size_);
    FreeBlock *next = head->next;
    std::free(head);
    head = next;
  }
}

void BlockCache::park_list(FreeBlock *head, std::size_t count) {
  while (count >= kMagazine) {
    FreeBlock *batch = head;
    FreeBlock *last = head;
    for (std::size_t i = 1; i < kMagazine; ++i) last = last->next;
    head = last->next;
    last->next = nullptr;
    count -= kMagazine;
    give_back(batch);
  }
  free_list(head);
}

}  // namespace luminar_steal
