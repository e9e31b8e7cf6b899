// A cache of equal-sized memory blocks (task records, groups) in the style of Bonwick's
// magazines: each thread allocates from and frees to a list of its own, with no atomic
// operation; a thread whose list grows past 2·kMagazine blocks hands kMagazine of them to
// a shared depot, and a thread whose list is empty takes a batch back from it before it
// falls back to malloc. So a spawner on one worker and a thief that frees what it ran on
// another meet once per kMagazine tasks on the depot's mutex, instead of on malloc's arena
// lock for every task.
//
// Invariants: a block is in at most one place (a thread list, a depot batch, or in use);
// every depot batch has exactly kMagazine blocks; the depot holds at most kMaxBatches
// batches (about a million blocks), beyond which freed blocks go back to malloc; a thread's
// list goes to the depot (or malloc) at thread exit. The cap is that high because handing
// blocks back to malloc early saves no memory (glibc keeps freed small blocks resident: a
// million tasks queued on one worker leave 287 MB resident with a depot of 65,536 blocks
// as with this one) and sends most of such a burst through malloc and free every time
// (one worker spawning and running a million queued tasks: 72 ns per task, 40 with this cap).
// A cached block is poisoned under AddressSanitizer (but for its link), so a use after
// free is still reported.
//
// Fibers migrate between threads: the thread's list is reached by an address computed
// afresh on every call (tls_access.hpp) and never held across a switch (allocate and
// release do not switch).
#ifndef LUMINAR_STEAL_BLOCK_CACHE_HPP
#define LUMINAR_STEAL_BLOCK_CACHE_HPP

#include "spin_mutex.hpp"
#include "tls_access.hpp"

#include <sanitizer/asan_interface.h>

#include <cstddef>
#include <mutex>
#include <vector>

namespace luminar_steal {

class BlockCache {
 public:
  static constexpr std::size_t kMagazine = 64;
  static constexpr std::size_t kMaxBatches = 16384;

  // block_size: a multiple of `alignment`, which is 16 or a larger power of two.
  explicit BlockCache(std::size_t block_size, std::size_t alignment = 16);
  BlockCache(const BlockCache &) = delete;
  BlockCache &operator=(const BlockCache &) = delete;

  static constexpr std::size_t kMaxCaches = 2;  // tasks and groups

  // The fast paths are inline: a pop or push on the calling thread's list.
  // block_size bytes, aligned as the constructor says; throws bad_alloc.
  void *allocate() {
    ThreadList &list = thread_list();
    FreeBlock *block = list.head;
    if (block == nullptr) return allocate_slow(list);
    ASAN_UNPOISON_MEMORY_REGION(block, block_size_);
    list.head = block->next;
    // The next allocation reads the next block's link, and a block freed on another
    // thread is in that thread's cache: fetch it now, not when the pop needs it.
    __builtin_prefetch(list.head, 1);
    --list.count;
    return block;
  }
  // A block from allocate() of this cache.
  void release(void *pointer) {
    ThreadList &list = thread_list();
    auto *block = static_cast<FreeBlock *>(pointer);
    block->next = list.head;
    ASAN_POISON_MEMORY_REGION(reinterpret_cast<char *>(block) + sizeof(FreeBlock), block_size_ - sizeof(FreeBlock));
    list.head = block;
    if (++list.count >= 2 * kMagazine) hand_over_older(list);
  }

  std::size_t block_size() const { return block_size_; }

  struct FreeBlock {
    FreeBlock *next;
  };
  // One thread's list for one cache (a thread keeps one per cache it used).
  struct ThreadList {
    BlockCache *cache = nullptr;
    FreeBlock *head = nullptr;
    std::size_t count = 0;
  };
  // The calling thread's lists: trivially destructible and constant-initialised, so that
  // reaching them costs no thread_local initialisation check (tls_access.hpp); the first
  // use of a list arms a ThreadExit, whose destructor hands the lists back at thread exit.
  struct ThreadLists {
    ThreadList lists[kMaxCaches];
  };
  static const std::ptrdiff_t kThreadListsOffset;
  static void release_thread_lists(ThreadLists *lists);  // at thread exit

 private:
  // The address is computed afresh on every call: see the file comment.
  ThreadList &thread_list() {
    ThreadLists &lists = thread_local_at<ThreadLists>(kThreadListsOffset);
    ThreadList &list = lists.lists[index_];
    if (list.cache == nullptr) adopt(lists, list);
    return list;
  }
  void adopt(ThreadLists &lists, ThreadList &list);  // this thread's first use of this cache
  void *allocate_slow(ThreadList &list);             // the list is empty: depot or malloc
  void hand_over_older(ThreadList &list);            // the list is full: half to the depot
  void give_back(FreeBlock *batch);      // a list of kMagazine blocks → depot or malloc
  FreeBlock *take_batch();               // a depot batch, or null
  void free_list(FreeBlock *head);       // to malloc
  void park_list(FreeBlock *head, std::size_t count);  // a thread's leftovers at exit

  const std::size_t block_size_;
  const std::size_t alignment_;
  const std::size_t index_;  // slot of this cache in every thread's ThreadLists
  SpinMutex m_;
  std::vector<FreeBlock *> batches_;  // under m_: full batches
};

}  // namespace luminar_steal

#endif
