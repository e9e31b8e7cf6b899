#include "block_cache.hpp"

#include "tls_access.hpp"

#include <sanitizer/asan_interface.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace luminar_steal {
namespace {

constexpr std::size_t kMaxCaches = 2;  // tasks and groups
std::atomic<std::size_t> caches_created{0};

}  // namespace

// The calling thread's lists: trivially destructible, so that reaching them costs no
// thread_local initialisation check; the first use of a list arms a ThreadExit, whose
// destructor hands the lists back when the thread exits.
struct BlockCache::ThreadLists {
  ThreadList lists[kMaxCaches];
};

namespace {

struct ThreadExit {
  BlockCache::ThreadLists *lists = nullptr;
  ~ThreadExit();
};

}  // namespace

BlockCache::BlockCache(std::size_t block_size)
    // Relaxed: only hands out distinct slots; caches are created before any task runs.
    : block_size_(block_size), index_(caches_created.fetch_add(1, std::memory_order_relaxed)) {
  if (index_ >= kMaxCaches) std::abort();  // a programming error: raise kMaxCaches
}

namespace {

thread_local BlockCache::ThreadLists thread_lists;  // constant-initialised (tls_access.hpp)
const std::ptrdiff_t kThreadListsOffset = tls_offset_of(&thread_lists);

}  // namespace

// The address is computed afresh on every call: see the file comment.
BlockCache::ThreadList &BlockCache::thread_list() {
  ThreadLists *p = &thread_local_at<ThreadLists>(kThreadListsOffset);
  ThreadList &list = p->lists[index_];
  if (list.cache == nullptr) {  // this thread's first use of this cache
    list.cache = this;
    thread_local ThreadExit at_exit;
    at_exit.lists = p;
  }
  return list;
}

void BlockCache::release_thread_lists(ThreadLists *lists) {
  for (ThreadList &list : lists->lists)
    if (list.cache != nullptr) list.cache->park_list(list.head, list.count);
}

ThreadExit::~ThreadExit() {
  if (lists != nullptr) BlockCache::release_thread_lists(lists);
}

void *BlockCache::allocate() {
  ThreadList &list = thread_list();
  if (list.head == nullptr) {
    list.head = take_batch();
    list.count = list.head != nullptr ? kMagazine : 0;
    if (list.head == nullptr) {
      void *block = std::malloc(block_size_);  // 16-aligned on every 64-bit glibc
      if (block == nullptr) throw std::bad_alloc();
      return block;
    }
  }
  FreeBlock *block = list.head;
  ASAN_UNPOISON_MEMORY_REGION(block, block_size_);
  list.head = block->next;
  --list.count;
  return block;
}

void BlockCache::release(void *pointer) {
  ThreadList &list = thread_list();
  auto *block = static_cast<FreeBlock *>(pointer);
  block->next = list.head;
  ASAN_POISON_MEMORY_REGION(reinterpret_cast<char *>(block) + sizeof(FreeBlock), block_size_ - sizeof(FreeBlock));
  list.head = block;
  if (++list.count < 2 * kMagazine) return;
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
