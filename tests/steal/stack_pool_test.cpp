// The stack pool's guard pages, mapping budget and canaries (plugins/steal/stack_pool.hpp).
// The fault path itself is covered by the death test in overflow_test.cpp.
#include "stack_pool.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

namespace {

std::size_t max_map_count() {
  unsigned long long value = 65530;
  if (std::FILE *f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
    if (std::fscanf(f, "%llu", &value) != 1) value = 65530;
    std::fclose(f);
  }
  return static_cast<std::size_t>(value);
}

}  // namespace

using luminar_steal::Stack;
using luminar_steal::StackPool;

TEST_CASE("stack pool: stacks are distinct, writable, guarded first, canaries intact") {
  StackPool pool(60 * 1024);  // rounded up to whole pages
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  CHECK(pool.stack_size() % page == 0);
  CHECK(pool.stack_size() >= 60 * 1024);
  std::vector<Stack> stacks;
  std::set<char *> bases;
  for (int i = 0; i < 8; ++i) {
    stacks.push_back(pool.acquire());
    const Stack &s = stacks.back();
    CHECK(bases.insert(s.base).second);
    CHECK(s.guarded);  // the budget is far from spent
    CHECK(StackPool::canary_intact(s));
    std::memset(s.top() - page, 0x5a, page);  // the top page is usable
    CHECK(pool.is_guard_address(s.base));
    CHECK(pool.is_guard_address(s.base + page - 1));
    CHECK_FALSE(pool.is_guard_address(s.usable_bottom()));
    CHECK_FALSE(pool.is_guard_address(s.top() - 1));
  }
  int outside = 0;
  CHECK_FALSE(pool.is_guard_address(&outside));
  for (const Stack &s : stacks) pool.release(s);
}

TEST_CASE("stack pool: a write into the canary is detected") {
  StackPool pool(64 * 1024);
  Stack s = pool.acquire();
  REQUIRE(StackPool::canary_intact(s));
  s.usable_bottom()[StackPool::kCanaryBytes - 1] = 1;  // what a frame overflowing the stack writes
  CHECK_FALSE(StackPool::canary_intact(s));
  s.usable_bottom()[StackPool::kCanaryBytes - 1] = 0;
  pool.release(s);
}

TEST_CASE("stack pool: guard pages stop at the mapping budget; later stacks rely on canaries") {
  StackPool pool(16 * 1024);
  const std::size_t budget = max_map_count() / 8;  // a quarter of the mappings, two per guard
  std::vector<Stack> stacks;
  std::size_t guarded = 0;
  for (std::size_t i = 0; i < budget + 64; ++i) {
    stacks.push_back(pool.acquire());
    if (stacks.back().guarded) ++guarded;
  }
  CHECK(guarded == budget);
  const Stack &last = stacks.back();
  CHECK_FALSE(last.guarded);
  CHECK(last.usable_bottom() == last.base);  // no guard: the whole region is stack
  CHECK(StackPool::canary_intact(last));
  CHECK_FALSE(pool.is_guard_address(last.base));
  // Released stacks are reused, guard and all: no new mappings.
  const Stack first = stacks.front();
  for (const Stack &s : stacks) pool.release(s);
  std::set<char *> reused;
  for (std::size_t i = 0; i < stacks.size(); ++i) reused.insert(pool.acquire().base);
  CHECK(reused.count(first.base) == 1);
  CHECK(reused.size() == stacks.size());
}

TEST_CASE("stack pool: idle stacks beyond the warm ones give their pages back, in batches") {
  StackPool pool(16 * 1024);
  const std::size_t count = StackPool::kWarmStacks + 2 * StackPool::kTrimBatch;
  std::vector<Stack> stacks;
  for (std::size_t i = 0; i < count; ++i) {
    stacks.push_back(pool.acquire());
    stacks.back().top()[-1] = 0x5a;
  }
  for (const Stack &s : stacks) pool.release(s);
  // Each time kWarmStacks + kTrimBatch were free, the kTrimBatch released first were
  // trimmed: their pages read as zeros again. The last kWarmStacks stay warm.
  std::size_t trimmed = 0, warm = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const bool zero = stacks[i].top()[-1] == 0;
    if (i < 2 * StackPool::kTrimBatch) {
      trimmed += zero ? 1 : 0;
    } else {
      warm += zero ? 0 : 1;
    }
  }
  CHECK(trimmed == 2 * StackPool::kTrimBatch);
  CHECK(warm == StackPool::kWarmStacks);
  // Warm stacks are handed out first, most recently freed first; then the trimmed ones.
  CHECK(pool.acquire().base == stacks.back().base);
  for (std::size_t i = 1; i < StackPool::kWarmStacks; ++i) pool.acquire();
  const Stack cold = pool.acquire();
  CHECK(cold.top()[-1] == 0);
  bool was_trimmed = false;
  for (std::size_t i = 0; i < 2 * StackPool::kTrimBatch; ++i) was_trimmed |= stacks[i].base == cold.base;
  CHECK(was_trimmed);
}
