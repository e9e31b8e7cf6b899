// luminar::select (SPEC 2.2), with ports of Go's test/chan doubleselect and select
// fairness programs and of runtime/chan_test.go's non-blocking receive race.
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using luminar::channel;
using luminar::on_default;
using luminar::on_recv;
using luminar::on_send;
using luminar::on_timeout;
using luminar::select;
using luminar::runtime::task_group;
using luminar_test::scaled;

TEST_CASE("select returns the position of the case it ran") {
  channel<int> a(1), b(1);
  b.send(5);
  int got = 0;
  CHECK(select(on_recv(a, [&](int v) { got = v; }), on_recv(b, [&](int v) { got = v * 10; })) == 1);
  CHECK(got == 50);

  bool sent = false;
  CHECK(select(on_recv(a, [](int) {}), on_send(b, 3, [&] { sent = true; })) == 1);
  CHECK(sent);
  CHECK(*b.recv() == 3);
}

TEST_CASE("select default and timeout") {
  channel<int> ch;
  CHECK(select(on_recv(ch, [](int) { FAIL("no item"); }), on_default([] {})) == 1);
  const auto start = std::chrono::steady_clock::now();
  CHECK(select(on_recv(ch, [](int) { FAIL("no item"); }), on_timeout(20ms, [] {})) == 1);
  CHECK(std::chrono::steady_clock::now() - start >= 20ms);
  CHECK(select(on_timeout(50ms, [] {}), on_timeout(1ms, [] {})) == 1);  // the shortest wins
}

TEST_CASE("on closed channels: optional handlers fire with nullopt, plain ones never") {
  channel<std::string> closed_ch;
  closed_ch.close();
  std::optional<std::string> seen = std::string("x");
  CHECK(select(on_recv(closed_ch, [&](std::optional<std::string> s) { seen = s; })) == 0);
  CHECK_FALSE(seen);
  CHECK(select(on_recv(closed_ch, [](std::string) { FAIL("fired on close"); }), on_timeout(5ms, [] {})) == 1);
  CHECK(select(on_send(closed_ch, "lost", [] { FAIL("sent on closed"); }), on_default([] {})) == 1);
  for (int i = 0; i < 20; ++i) {  // whichever is polled first, the plain case is dropped
    CHECK(select(on_recv(closed_ch, [](std::string) { FAIL("fired on close"); }),
                 on_send(closed_ch, "lost", [] { FAIL("sent on closed"); }),
                 on_recv(closed_ch, [](std::optional<std::string> s) { CHECK_FALSE(s); })) == 2);
  }
}

TEST_CASE("select wakes when a blocked case becomes ready") {
  channel<int> a, b;
  task_group group;
  group.spawn([&] {
    luminar::this_task::sleep_for(10ms);
    b.send(9);
  });
  int got = 0;
  CHECK(select(on_recv(a, [](int) {}), on_recv(b, [&](int v) { got = v; })) == 1);
  CHECK(got == 9);
  group.wait();
}

// Go TestSelectFairness: with two ready cases each is chosen about half the time.
TEST_CASE("select chooses uniformly among ready cases") {
  const int rounds = static_cast<int>(scaled(20000));
  channel<int> a(1), b(1);
  int counts[2] = {0, 0};
  for (int i = 0; i < rounds; ++i) {
    a.try_send(1);
    b.try_send(2);
    counts[select(on_recv(a, [](int) {}), on_recv(b, [](int) {}))]++;
  }
  CHECK(counts[0] > rounds * 4 / 10);
  CHECK(counts[1] > rounds * 4 / 10);
}

// Go test/chan/doubleselect.go: several senders select over several channels, several
// receivers drain them; every value arrives exactly once.
TEST_CASE("doubleselect: no value lost or duplicated") {
  const int per_sender = static_cast<int>(scaled(5000));
  constexpr int senders = 4;
  channel<int> c1, c2, c3;
  std::vector<std::atomic<int>> seen(static_cast<std::size_t>(per_sender * senders));
  task_group group;
  std::atomic<int> senders_left{senders};
  for (int s = 0; s < senders; ++s) {
    group.spawn([&, s] {
      for (int i = 0; i < per_sender; ++i) {
        const int v = s * per_sender + i;
        select(on_send(c1, v, [] {}), on_send(c2, v, [] {}), on_send(c3, v, [] {}));
      }
      if (--senders_left == 0) {
        c1.close();
        c2.close();
        c3.close();
      }
    });
  }
  auto drain = [&](channel<int> in) {
    for (int v : in) seen[static_cast<std::size_t>(v)]++;
  };
  group.spawn([&] { drain(c1); });
  group.spawn([&] { drain(c2); });
  group.spawn([&] { drain(c3); });
  // A fourth receiver takes from all three through select until they are closed.
  group.spawn([&] {
    int open = 3;
    bool done[3] = {false, false, false};
    while (open > 0) {
      auto take = [&](int k) {
        return [&, k](std::optional<int> v) {
          if (v) {
            seen[static_cast<std::size_t>(*v)]++;
          } else if (!done[k]) {
            done[k] = true;
            --open;
          }
        };
      };
      select(on_recv(c1, take(0)), on_recv(c2, take(1)), on_recv(c3, take(2)));
    }
  });
  group.wait();
  for (auto &count : seen) REQUIRE(count == 1);
}

// Go runtime/chan_test.go TestNonblockRecvRace: a buffered item is ready for a
// non-blocking select even while the channel is being closed.
TEST_CASE("non-blocking receive race with close") {
  const int rounds = static_cast<int>(scaled(2000));
  for (int i = 0; i < rounds; ++i) {
    channel<int> c(1);
    c.send(1);
    task_group group;
    group.spawn([c] {
      bool ready = true;
      select(on_recv(c, [](std::optional<int>) {}), on_default([&] { ready = false; }));
      CHECK(ready);
    });
    c.close();
    group.wait();
  }
}

// Go test/chan/select.go-style: a select sending and receiving on the same channel pairs
// with another goroutine, never with itself.
TEST_CASE("select with send and receive on the same unbuffered channel") {
  channel<int> ch;
  task_group group;
  std::atomic<int> sends{0}, recvs{0};
  for (int t = 0; t < 2; ++t) {
    group.spawn([&, t] {
      for (int i = 0; i < static_cast<int>(scaled(500)); ++i)
        select(on_send(ch, t, [&] { ++sends; }), on_recv(ch, [&](int) { ++recvs; }));
    });
  }
  group.wait();
  CHECK(sends == recvs);
  CHECK(sends + recvs == 2 * static_cast<int>(scaled(500)));
}
