// Channel semantics (SPEC 2.1) against whichever plugin LUMINAR_RUNTIME names.
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using luminar::chan_status;
using luminar::channel;
using luminar::runtime::task_group;
using luminar_test::counted;

std::atomic<long> counted::live{0};

TEST_CASE("buffered channel is FIFO and reports size and capacity") {
  channel<int> ch(3);
  CHECK(ch.capacity() == 3);
  CHECK(ch.send(1) == chan_status::ok);
  CHECK(ch.send(2) == chan_status::ok);
  CHECK(ch.size() == 2);
  CHECK(*ch.recv() == 1);
  CHECK(*ch.recv() == 2);
  CHECK(ch.size() == 0);
}

TEST_CASE("try operations never block") {
  channel<int> buffered(1);
  CHECK(buffered.try_recv().status() == chan_status::empty);
  CHECK(buffered.try_send(7) == chan_status::ok);
  CHECK(buffered.try_send(8) == chan_status::full);
  auto got = buffered.try_recv();
  REQUIRE(got);
  CHECK(got.value() == 7);

  channel<int> unbuffered;
  CHECK(unbuffered.try_send(1) == chan_status::full);  // no receiver waiting
  CHECK(unbuffered.try_recv().status() == chan_status::empty);
}

TEST_CASE("unbuffered send completes when a receiver takes the item") {
  channel<int> ch;
  std::atomic<bool> received{false};
  task_group group;
  group.spawn([&] {
    luminar::this_task::sleep_for(20ms);
    received = true;
    CHECK(*ch.recv() == 42);
  });
  CHECK(ch.send(42) == chan_status::ok);
  CHECK(received.load());
  group.wait();
}

TEST_CASE("try_send on an unbuffered channel succeeds once a receiver waits") {
  channel<int> ch;
  task_group group;
  group.spawn([&] { CHECK(*ch.recv() == 5); });
  while (ch.try_send(5) != chan_status::ok) luminar::this_task::yield();
  group.wait();
}

TEST_CASE("close: true once, wakes blocked receivers and senders, receivers drain first") {
  SUBCASE("close returns true the first time") {
    channel<int> ch;
    CHECK(ch.close());
    CHECK_FALSE(ch.close());
    CHECK(ch.closed());
    CHECK(ch.send(1) == chan_status::closed);
    CHECK(ch.try_send(1) == chan_status::closed);
    CHECK_FALSE(ch.recv().has_value());
    CHECK(ch.try_recv().status() == chan_status::closed);
  }
  SUBCASE("buffered items are drained before closed is seen") {
    channel<int> ch(4);
    ch.send(1);
    ch.send(2);
    ch.close();
    CHECK(*ch.recv() == 1);
    CHECK(ch.try_recv().value() == 2);
    CHECK_FALSE(ch.recv());
  }
  SUBCASE("blocked receivers and senders wake up") {
    channel<int> empty;
    channel<int> full(1);
    full.send(0);
    std::atomic<int> woken{0};
    task_group group;
    for (int i = 0; i < 4; ++i) {
      group.spawn([&] {
        CHECK_FALSE(empty.recv());
        ++woken;
      });
      group.spawn([&] {
        CHECK(full.send(1) == chan_status::closed);
        ++woken;
      });
    }
    luminar::this_task::sleep_for(20ms);
    empty.close();
    full.close();
    group.wait();
    CHECK(woken == 8);
    CHECK(*full.recv() == 0);  // the buffered item survives the close
  }
}

TEST_CASE("timed operations time out") {
  channel<int> ch(1);
  auto start = std::chrono::steady_clock::now();
  CHECK(ch.recv_for(30ms).status() == chan_status::timeout);
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  CHECK(ch.send_for(1, 10ms) == chan_status::ok);
  CHECK(ch.send_for(2, 10ms) == chan_status::timeout);
  CHECK(ch.recv_for(0ms).value() == 1);
}

TEST_CASE("handles share one channel; it lives while any handle does") {
  channel<std::string> a(2);
  {
    channel<std::string> b = a;
    b.send("hello");
  }
  channel<std::string> c(0);
  c = a;
  CHECK(*c.recv() == "hello");
}

TEST_CASE("range-for receives until closed and drained") {
  channel<int> ch(8);
  for (int i = 0; i < 5; ++i) ch.send(i);
  ch.close();
  int expected = 0;
  for (auto v : ch) CHECK(v == expected++);
  CHECK(expected == 5);
}

TEST_CASE("move-only items and destructors: nothing leaks, nothing is destroyed twice") {
  SUBCASE("unique_ptr through a channel and left in the buffer") {
    channel<std::unique_ptr<int>> ch(4);
    ch.send(std::make_unique<int>(1));
    ch.send(std::make_unique<int>(2));
    CHECK(**ch.recv() == 1);
    for (auto p : channel<std::unique_ptr<int>>(ch)) {  // range-for over move-only items
      CHECK(*p == 2);
      break;
    }
    ch.send(std::make_unique<int>(3));  // left buffered: freed with the channel (ASan checks)
  }
  SUBCASE("counting type") {
    REQUIRE(counted::live == 0);
    {
      channel<counted> ch(8);
      for (int i = 0; i < 6; ++i) ch.send(counted(i));
      CHECK(ch.recv()->value == 0);
      ch.close();
      CHECK(ch.send(counted(99)) == chan_status::closed);  // dropped: destroyed once
      CHECK(ch.try_send(counted(99)) == chan_status::closed);
      CHECK(counted::live == 5);  // the five still buffered
    }
    CHECK(counted::live == 0);
  }
  SUBCASE("select send cases that are not chosen drop their item") {
    {
      channel<counted> full(1), open(1);
      full.send(counted(0));
      int which = luminar::select(luminar::on_send(full, counted(1), [] {}), luminar::on_send(open, counted(2), [] {}));
      CHECK(which == 1);
      CHECK(counted::live == 2);
    }
    CHECK(counted::live == 0);
  }
}
