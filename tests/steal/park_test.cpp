// Many tasks parked at once: each blocks in recv, so each holds a parked fiber (and its
// stack) until an item arrives. A million must fit (vm.max_map_count is 65530, so the stack
// pool cannot map a stack, let alone a guard page, per fiber); fewer under sanitizers, and
// fewer still under ThreadSanitizer, which counts every fiber against its 8128-thread limit.
#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using luminar::channel;
using luminar::runtime::task_group;

namespace {
#if defined(__SANITIZE_THREAD__)
constexpr long kParked = 4000;
#else
constexpr long kParked = 1000000 / (LUMINAR_TEST_SCALE_DIVISOR == 1 ? 1 : 100);
#endif

long resident_bytes() {
  long pages = 0, resident = 0;
  if (std::FILE *f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * ::sysconf(_SC_PAGESIZE);
}
}  // namespace

TEST_CASE("a million tasks parked on channels at once all complete") {
  constexpr long channels = 1000;
  std::vector<channel<long>> chans(channels);
  std::atomic<long> arrived{0}, sum{0};
  const long resident_before = resident_bytes();
  task_group group;
  for (long i = 0; i < kParked; ++i) {
    channel<long> ch = chans[static_cast<std::size_t>(i % channels)];
    group.spawn([ch, &arrived, &sum] {
      arrived.fetch_add(1);
      sum.fetch_add(*ch.recv());
    });
  }
  // Every task is inside its recv (or about to be) before any item is sent.
  while (arrived.load() < kParked) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // A parked task holds one page of its stack and nothing else: spawned from this thread,
  // outside the runtime, its record moved onto its stack when it started and the record's
  // chunk went back to the OS (record_arena.hpp). The record left behind, a second page (a
  // canary read on a kernel without the shared zero page, a frame too big) would show
  // here. Sanitizers add shadow memory and redzones: checked without them.
  if (LUMINAR_TEST_SCALE_DIVISOR == 1) {
    const double per_task = static_cast<double>(resident_bytes() - resident_before) / kParked;
    INFO("resident bytes per parked task: " << per_task);
    CHECK(per_task < 4096 + 128);
  }
  for (long i = 1; i <= kParked; ++i) REQUIRE(chans[static_cast<std::size_t>(i % channels)].send(i) == luminar::chan_status::ok);
  group.wait();
  CHECK(sum.load() == kParked * (kParked + 1) / 2);
}

TEST_CASE("parked tasks are cancelled out of their wait") {
  const long tasks = kParked / 10;
  channel<int> never;
  std::atomic<long> arrived{0}, unwound{0};
  task_group group;
  for (long i = 0; i < tasks; ++i) {
    group.spawn([never, &arrived, &unwound] {
      arrived.fetch_add(1);
      try {
        never.recv();
      } catch (const luminar::task_cancelled &) {
        unwound.fetch_add(1);
        throw;
      }
    });
  }
  // Cancelled before it starts, a task never runs (hooks.h): cancel once all have started.
  while (arrived.load() < tasks) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  group.cancel();
  CHECK_NOTHROW(group.wait());
  CHECK(unwound.load() == tasks);
}
