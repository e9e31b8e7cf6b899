// Scheduling policy of the steal plugin: priorities and the bounded blocking pool (run by
// ctest with LUMINAR_THREADS=1 and LUMINAR_BLOCKING_THREADS=2), and who runs a woken task
// whose waker keeps running (LUMINAR_THREADS=2; see CMakeLists.txt).
#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using luminar::channel;
using luminar::runtime::spawn_options;
using luminar::runtime::task_group;

TEST_CASE("scheduling: critical runs before high, before normal, before low") {
  std::atomic<bool> started{false}, release{false};
  std::mutex m;
  std::vector<int> order;
  task_group group;
  // Occupies the only worker without parking, so that every task below is queued first.
  group.spawn([&] {
    started = true;
    while (!release.load()) {
    }
  });
  while (!started.load()) std::this_thread::yield();
  for (int round = 0; round < 3; ++round) {
    for (LuminarPriority p : {LUMINAR_PRIORITY_LOW, LUMINAR_PRIORITY_NORMAL, LUMINAR_PRIORITY_HIGH, LUMINAR_PRIORITY_CRITICAL}) {
      spawn_options options;
      options.priority = p;
      group.spawn([&, p] {
        std::lock_guard<std::mutex> lock(m);
        order.push_back(p);
      }, options);
    }
  }
  release = true;
  group.wait();
  REQUIRE(order.size() == 12);
  CHECK(std::is_sorted(order.begin(), order.end(), [](int a, int b) { return a > b; }));
  CHECK(order.front() == LUMINAR_PRIORITY_CRITICAL);
  CHECK(order.back() == LUMINAR_PRIORITY_LOW);
}

TEST_CASE("scheduling: blocking tasks run on a pool bounded by LUMINAR_BLOCKING_THREADS") {
  constexpr int tasks = 6;
  std::atomic<int> running{0}, peak{0}, done{0};
  task_group group;
  for (int i = 0; i < tasks; ++i) {
    spawn_options options;
    options.blocking = true;
    group.spawn([&] {
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // blocks its OS thread
      --running;
      ++done;
    }, options);
  }
  group.wait();
  CHECK(done.load() == tasks);
  CHECK(peak.load() <= 2);
  CHECK(peak.load() >= 1);
}

// The receiver, woken by the send, goes into the `next` slot of the sender's worker, and
// the sender then spins until the receiver has run: only the other worker can run it, by
// taking it from that slot (scheduler.hpp). Without that this test never ends.
TEST_CASE("next slot: a woken task whose waker keeps running is taken by the other worker") {
  for (int round = 0; round < 20; ++round) {
    channel<int> values;
    std::atomic<bool> receiving{false}, received{false};
    task_group group;
    group.spawn([&] {
      receiving = true;
      CHECK(*values.recv() == round);
      received = true;
    });
    while (!receiving.load()) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // until it has parked in recv
    group.spawn([&] {
      values.send(round);
      while (!received.load()) {
      }
    });
    group.wait();
    CHECK(received.load());
  }
}
