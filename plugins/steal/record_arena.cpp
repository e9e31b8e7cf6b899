#include "record_arena.hpp"

#include "spin_mutex.hpp"

#include <sanitizer/asan_interface.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

namespace luminar_steal {
namespace {

// Larger than the records a chunk can hold: see the invariants (record_arena.hpp).
constexpr std::uint64_t kCarving = std::uint64_t{1} << 40;
// The chunk's first cache line holds its counter; records follow.
constexpr std::size_t kHeaderBytes = 64;

struct Chunk {
  std::atomic<std::uint64_t> live{kCarving};
};

// Emptied chunks kept for the next ones instead of unmapped, at most kSpareChunks: a
// thread that keeps spawning then carves pages that are already resident (a fresh chunk
// costs a page fault per 16 records), and a burst that has drained keeps at most 2 MiB.
constexpr std::size_t kSpareChunks = 2;
struct Spares {
  SpinMutex m;
  Chunk *chunks[kSpareChunks] = {};
  std::size_t count = 0;  // under m
};
Spares &spares() {
  static Spares *instance = new Spares;  // immortal, as the threads that use it may be
  return *instance;
}

Chunk *map_chunk() {
  // Twice the size, then the unaligned ends cut off: one aligned mapping.
  constexpr std::size_t size = RecordArena::kChunkBytes;
  void *mapped = mmap(nullptr, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  const auto begin = reinterpret_cast<std::uintptr_t>(mapped);
  const std::uintptr_t aligned = (begin + size - 1) & ~(size - 1);
  // aligned is within [begin, begin + size): the tail beyond the chunk is never empty.
  if (aligned != begin) munmap(mapped, aligned - begin);
  munmap(reinterpret_cast<void *>(aligned + size), begin + size - aligned);
  return new (reinterpret_cast<void *>(aligned)) Chunk;
}

// Takes `count` off the chunk's live count, and unmaps it if that was the rest.
void drop_live(Chunk *chunk, std::uint64_t count) {
  // acq_rel: the release half orders this thread's last use of its records before the
  // unmap; the acquire half makes the thread that unmaps see every other thread's.
  if (chunk->live.fetch_sub(count, std::memory_order_acq_rel) != count) return;
  {
    Spares &kept = spares();
    std::lock_guard<SpinMutex> lock(kept.m);
    if (kept.count < kSpareChunks) {
      kept.chunks[kept.count++] = chunk;
      return;
    }
  }
  // Poisoned records are unpoisoned first: the addresses may be mapped again for others.
  ASAN_UNPOISON_MEMORY_REGION(chunk, RecordArena::kChunkBytes);
  munmap(chunk, RecordArena::kChunkBytes);
}

// A spare chunk, or a new one.
Chunk *next_chunk() {
  {
    Spares &kept = spares();
    std::lock_guard<SpinMutex> lock(kept.m);
    if (kept.count > 0) {
      Chunk *chunk = kept.chunks[--kept.count];
      // Relaxed: the lock orders this after the last release; no one else holds it now.
      chunk->live.store(kCarving, std::memory_order_relaxed);
      return chunk;
    }
  }
  return map_chunk();
}

// The calling thread's chunk; handed back when the thread moves on or exits.
struct Carving {
  Chunk *chunk = nullptr;
  char *next = nullptr, *end = nullptr;
  std::uint64_t carved = 0;

  void retire() {
    if (chunk != nullptr) drop_live(chunk, kCarving - carved);
    chunk = nullptr;
    next = end = nullptr;
    carved = 0;
  }
  ~Carving() { retire(); }
};
thread_local Carving carving;

std::atomic<bool> arena_created{false};

}  // namespace

RecordArena::RecordArena(std::size_t record_size) : record_size_(record_size) {
  if (record_size % 16 != 0 || record_size > kChunkBytes / 2) std::abort();  // a programming error: see the header
  // Relaxed: only tells a second arena from the first.
  if (arena_created.exchange(true, std::memory_order_relaxed)) std::abort();  // a programming error: see the header
}

void *RecordArena::allocate() {
  Carving &own = carving;
  if (static_cast<std::size_t>(own.end - own.next) < record_size_) {
    Chunk *fresh = next_chunk();
    own.retire();
    own.chunk = fresh;
    own.next = reinterpret_cast<char *>(fresh) + kHeaderBytes;
    own.end = reinterpret_cast<char *>(fresh) + kChunkBytes;
  }
  void *record = own.next;
  ASAN_UNPOISON_MEMORY_REGION(record, record_size_);  // released before, if the chunk is a spare
  own.next += record_size_;
  ++own.carved;
  return record;
}

void RecordArena::release(void *record) {
  ASAN_POISON_MEMORY_REGION(record, record_size_);  // a use after release is reported
  drop_live(reinterpret_cast<Chunk *>(reinterpret_cast<std::uintptr_t>(record) & ~(kChunkBytes - 1)), 1);
}

}  // namespace luminar_steal
