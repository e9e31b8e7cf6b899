// The buffered channels' lock-free path against parked waiters (plugins/steal/channel.hpp,
// invariant 2): tiny capacities keep producers and consumers parking and waking all the
// time, fibers and OS threads alike (the main thread and a `blocking` task wait on a futex,
// tasks park their fibers). A lost wake-up hangs the test (ctest TIMEOUT); items are tagged
// (producer, sequence) and must each arrive exactly once, in order per producer.
#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <atomic>
#include <vector>

using luminar::channel;
using luminar::runtime::spawn_options;
using luminar::runtime::task_group;

namespace {

constexpr int scaled(int n) { return n / LUMINAR_TEST_SCALE_DIVISOR; }

struct Item {
  int producer;
  int sequence;
};

void exchange(std::size_t capacity) {
  constexpr int task_producers = 3, task_consumers = 3;
  constexpr int producers = task_producers + 1;  // + the main thread
  const int per_producer = scaled(20000);
  channel<Item> ch(capacity);
  std::vector<std::vector<std::atomic<int>>> seen(producers);
  for (auto &row : seen) row = std::vector<std::atomic<int>>(static_cast<std::size_t>(per_producer));
  std::atomic<bool> ordered{true};
  auto consume = [&] {
    std::vector<int> last(producers, -1);
    for (Item item : ch) {
      seen[static_cast<std::size_t>(item.producer)][static_cast<std::size_t>(item.sequence)]++;
      if (item.sequence <= last[static_cast<std::size_t>(item.producer)]) ordered = false;
      last[static_cast<std::size_t>(item.producer)] = item.sequence;
    }
  };
  auto produce = [&](int p) {
    for (int s = 0; s < per_producer; ++s) REQUIRE(ch.send(Item{p, s}) == luminar::chan_status::ok);
  };
  task_group consumers;
  for (int c = 0; c < task_consumers; ++c) consumers.spawn(consume);
  spawn_options on_a_thread;
  on_a_thread.blocking = true;  // runs on the blocking pool: waits as a thread, not a fiber
  consumers.spawn(consume, on_a_thread);
  {
    task_group producing;
    for (int p = 0; p < task_producers; ++p) producing.spawn([&, p] { produce(p); });
    produce(task_producers);  // the main thread is a producer too
    producing.wait();
  }
  ch.close();
  consumers.wait();
  CHECK(ordered.load());
  int lost = 0, duplicated = 0;
  for (auto &row : seen) {
    for (auto &count : row) {
      if (count == 0) ++lost;
      if (count > 1) ++duplicated;
    }
  }
  CHECK(lost == 0);
  CHECK(duplicated == 0);
}

}  // namespace

TEST_CASE("channels: capacity 1 under constant parking, fibers and threads") { exchange(1); }
TEST_CASE("channels: capacity 2 under constant parking, fibers and threads") { exchange(2); }
TEST_CASE("channels: capacity 16 under constant parking, fibers and threads") { exchange(16); }
