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
// batches, beyond which freed blocks go back to malloc (so a burst of a million tasks does
// not pin its memory forever); a thread's list goes to the depot (or malloc) at thread exit.
// A cached block is poisoned under AddressSanitizer (but for its link), so a use after
// free is still reported.
//
// Fibers migrate between threads: the thread's list is reached by an address computed
// afresh on every call (tls_access.hpp) and never held across a switch (allocate and
// release do not switch).
#ifndef LUMINAR_STEAL_BLOCK_CACHE_HPP
#define LUMINAR_STEAL_BLOCK_CACHE_HPP

#include "spin_mutex.hpp"

#include <cstddef>
#include <mutex>
#include <vector>

namespace luminar_steal {

class BlockCache {
 public:
  static constexpr std::size_t kMagazine = 64;
  static constexpr std::size_t kMaxBatches = 1024;

  explicit BlockCache(std::size_t block_size);  // block_size: a multiple of 16, ≥ 16
  BlockCache(const BlockCache &) = delete;
  BlockCache &operator=(const BlockCache &) = delete;

  void *allocate();              // 16-byte aligned, block_size bytes; throws bad_alloc
  void release(void *block);     // a block from allocate() of this cache

  std::size_t block_size() const { return block_size_; }

  struct ThreadLists;  // the calling thread's lists, one per cache
  static void release_thread_lists(ThreadLists *lists);  // at thread exit

 private:
  struct FreeBlock {
    FreeBlock *next;
  };
  // One thread's list for one cache (a thread keeps one per cache it used).
  struct ThreadList {
    BlockCache *cache = nullptr;
    FreeBlock *head = nullptr;
    std::size_t count = 0;
  };
  ThreadList &thread_list();
  void give_back(FreeBlock *batch);      // a list of kMagazine blocks → depot or malloc
  FreeBlock *take_batch();               // a depot batch, or null
  void free_list(FreeBlock *head);       // to malloc
  void park_list(FreeBlock *head, std::size_t count);  // a thread's leftovers at exit

  const std::size_t block_size_;
  const std::size_t index_;  // slot of this cache in every thread's ThreadLists
  SpinMutex m_;
  std::vector<FreeBlock *> batches_;  // under m_: full batches
};

}  // namespace luminar_steal

#endif
