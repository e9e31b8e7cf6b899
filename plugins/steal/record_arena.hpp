// Task records of spawns made by threads that run no fibers: the program's own threads
// (a main thread that spawns a burst of tasks, as a loop over a million receivers does)
// and the blocking pool's. The workers drain such a burst later, and the block cache
// (block_cache.hpp) would keep its peak resident for good. So these records are carved,
// in order, from chunks that go back to the OS once every record in them is released;
// and a task whose record came from here moves its record onto the stack it runs on when
// it starts (run_task in tasks.cpp), so a burst of tasks that then park holds no record
// memory of its own beyond the stack page each parked task keeps anyway.
//
// Invariants: a thread carves from one chunk at a time, and no other thread carves from
// it; chunk->live is kCarving while its thread may still carve from it, plus records
// carved, minus records released; so it reaches 0 exactly once per carving, after the
// thread moved on and every record came back, and whoever takes it there unmaps the chunk
// or keeps it as one of a few spares (record_arena.cpp), which a thread may carve anew. A
// chunk is aligned to its size, so a record finds its chunk by masking its address.
#ifndef LUMINAR_STEAL_RECORD_ARENA_HPP
#define LUMINAR_STEAL_RECORD_ARENA_HPP

#include <cstddef>

namespace luminar_steal {

class RecordArena {
 public:
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

  // record_size: a multiple of 16, at most kChunkBytes / 2. One arena per process: the
  // chunk a thread carves from is one thread_local, whichever arena asks (a second one aborts).
  explicit RecordArena(std::size_t record_size);
  RecordArena(const RecordArena &) = delete;
  RecordArena &operator=(const RecordArena &) = delete;

  // record_size bytes, 16-aligned, from the calling thread's chunk; throws bad_alloc.
  // Only on a thread that runs no fibers (the chunk is found through a thread_local).
  void *allocate();
  // A record from allocate(), on any thread.
  void release(void *record);

 private:
  const std::size_t record_size_;
};

}  // namespace luminar_steal

#endif
