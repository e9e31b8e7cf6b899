// Ports of the ideas of Go's test/chan programs (sieve, fifo, nonblock) and of
// runtime/chan_test.go's multi-consumer test, plus the SPEC 4.1 ring of tasks.
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

using namespace std::chrono_literals;
using luminar::chan_status;
using luminar::channel;
using luminar::runtime::task_group;
using luminar_test::scaled;

// test/chan/sieve1.go: a chain of filter tasks, one per prime found.
TEST_CASE("sieve: the first primes through a chain of filters") {
  const int wanted = static_cast<int>(std::max<std::size_t>(scaled(100), 10));
  task_group group;
  channel<int> numbers;
  group.spawn([numbers] {
    for (int i = 2; numbers.send(i) == chan_status::ok; ++i) {
    }
  });
  std::vector<channel<int>> stages{numbers};
  std::vector<int> primes;
  channel<int> in = numbers;
  for (int n = 0; n < wanted; ++n) {
    const int prime = *in.recv();
    primes.push_back(prime);
    channel<int> out;
    group.spawn([in, out, prime] {
      while (auto v = in.recv()) {
        if (*v % prime != 0 && out.send(*v) != chan_status::ok) break;
      }
      out.close();
    });
    stages.push_back(out);
    in = out;
  }
  for (auto &stage : stages) stage.close();  // unwinds the pipeline
  group.wait();
  CHECK(primes[0] == 2);
  CHECK(primes[9] == 29);
  for (std::size_t i = 1; i < primes.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) CHECK(primes[i] % primes[j] != 0);
}

// test/chan/fifo.go: asynchronous FIFO order, then a synchronous chain of tasks that must
// pass items on in order.
TEST_CASE("fifo: buffered order and an ordered chain of tasks") {
  const int n = static_cast<int>(scaled(1000));
  channel<int> async(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) async.send(i);
  for (int i = 0; i < n; ++i) REQUIRE(*async.recv() == i);

  const int links = static_cast<int>(std::max<std::size_t>(scaled(100), 4));
  task_group group;
  channel<int> head;
  channel<int> in = head;
  for (int i = 0; i < links; ++i) {
    channel<int> out;
    group.spawn([in, out] {
      for (int v : in) out.send(v);
      out.close();
    });
    in = out;
  }
  group.spawn([head] {  // the chain holds fewer items than are sent: feed it concurrently
    for (int i = 0; i < 50; ++i) head.send(i);
    head.close();
  });
  int expected = 0;
  for (int v : in) CHECK(v == expected++);
  CHECK(expected == 50);
  group.wait();
}

// test/chan/nonblock.go: try_send/try_recv against a partner doing blocking operations,
// buffered and unbuffered; every item arrives, in order.
TEST_CASE("nonblock: try operations against blocking partners") {
  const int n = static_cast<int>(scaled(1000));
  for (std::size_t capacity : {std::size_t{0}, std::size_t{1}, std::size_t{16}}) {
    channel<int> ch(capacity);
    task_group group;
    group.spawn([ch, n] {
      for (int i = 0; i < n; ++i) REQUIRE(*ch.recv() == i);
    });
    for (int i = 0; i < n; ++i)
      while (ch.try_send(i) != chan_status::ok) luminar::this_task::yield();
    group.wait();

    group.spawn([ch, n] {
      for (int i = 0; i < n; ++i) ch.send(i);
    });
    for (int i = 0; i < n;) {
      auto got = ch.try_recv();
      if (got) {
        REQUIRE(got.value() == i);
        ++i;
      } else {
        luminar::this_task::yield();
      }
    }
    group.wait();
  }
}

// runtime/chan_test.go TestMultiConsumer: producers tag items (producer, sequence); several
// consumers take them; every item is received exactly once and, per producer, each
// consumer sees increasing sequence numbers. Capacities 1 and 2 keep both sides parking
// and waking each other (a lost wake-up hangs the test).
TEST_CASE("multi-consumer: tagged items, nothing lost or duplicated") {
  struct item {
    int producer;
    int sequence;
  };
  constexpr int producers = 4, consumers = 4;
  const int per_producer = static_cast<int>(scaled(10000));
  for (std::size_t capacity : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{64}}) {
    channel<item> ch(capacity);
    std::vector<std::vector<std::atomic<int>>> seen(producers);
    for (auto &row : seen) row = std::vector<std::atomic<int>>(static_cast<std::size_t>(per_producer));
    task_group group;
    std::atomic<int> producing{producers};
    for (int p = 0; p < producers; ++p) {
      group.spawn([&, p] {
        for (int s = 0; s < per_producer; ++s) ch.send(item{p, s});
        if (--producing == 0) ch.close();
      });
    }
    std::atomic<bool> ordered{true};
    for (int c = 0; c < consumers; ++c) {
      group.spawn([&] {
        std::vector<int> last(producers, -1);
        for (item it : ch) {
          seen[static_cast<std::size_t>(it.producer)][static_cast<std::size_t>(it.sequence)]++;
          if (it.sequence <= last[static_cast<std::size_t>(it.producer)]) ordered = false;
          last[static_cast<std::size_t>(it.producer)] = it.sequence;
        }
      });
    }
    group.wait();
    CHECK(ordered);
    for (auto &row : seen)
      for (auto &count : row) REQUIRE(count == 1);
  }
}

// SPEC 4.1: tasks that block on each other never deadlock the runtime because of its
// worker count. ctest also runs this suite with LUMINAR_THREADS=2.
TEST_CASE("ring of tasks passing a token through unbuffered channels") {
  const int tasks = static_cast<int>(std::max<std::size_t>(scaled(1000), 50));
  std::vector<channel<int>> ring(static_cast<std::size_t>(tasks) + 1);
  task_group group;
  for (int i = 0; i < tasks; ++i) {
    channel<int> in = ring[static_cast<std::size_t>(i)], out = ring[static_cast<std::size_t>(i) + 1];
    group.spawn([in, out] { out.send(*in.recv() + 1); });
  }
  ring.front().send(0);
  CHECK(*ring.back().recv() == tasks);
  group.wait();
}
