// Stress tests of the bounded MPMC ring behind buffered channels (plugins/steal/mpmc_ring.hpp):
// producers push items tagged (producer, sequence); consumers pop; every item must arrive
// exactly once, and each consumer must see each producer's items in increasing order.
#include "mpmc_ring.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t scaled(std::size_t n) { return n / LUMINAR_TEST_SCALE_DIVISOR; }

struct Tagged {
  std::uint32_t producer;
  std::uint32_t sequence;
};

using luminar_steal::MpmcRing;

void stress(std::size_t capacity, int producers, int consumers) {
  const std::size_t per_producer = scaled(100000);
  MpmcRing ring(sizeof(Tagged), capacity);
  std::vector<std::vector<std::atomic<int>>> seen(static_cast<std::size_t>(producers));
  for (auto &row : seen) row = std::vector<std::atomic<int>>(per_producer);
  std::atomic<std::size_t> received{0};
  std::atomic<bool> ordered{true};
  const std::size_t total = per_producer * static_cast<std::size_t>(producers);
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (std::uint32_t s = 0; s < per_producer;) {
        const Tagged item{static_cast<std::uint32_t>(p), s};
        if (ring.try_push(&item) == MpmcRing::Result::ok) {
          ++s;
        } else {
          std::this_thread::yield();
        }
      }
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      std::vector<long> last(static_cast<std::size_t>(producers), -1);
      while (received.load() < total) {
        Tagged item;
        if (ring.try_pop(&item) != MpmcRing::Result::ok) {
          std::this_thread::yield();
          continue;
        }
        received.fetch_add(1);
        seen[item.producer][item.sequence].fetch_add(1);
        if (static_cast<long>(item.sequence) <= last[item.producer]) ordered = false;
        last[item.producer] = item.sequence;
      }
    });
  }
  for (auto &thread : threads) thread.join();
  CHECK(ordered.load());
  std::size_t lost = 0, duplicated = 0;
  for (auto &row : seen) {
    for (auto &count : row) {
      if (count == 0) ++lost;
      if (count > 1) ++duplicated;
    }
  }
  CHECK(lost == 0);
  CHECK(duplicated == 0);
  Tagged rest;
  CHECK(ring.try_pop(&rest) == MpmcRing::Result::empty);
}

}  // namespace

TEST_CASE("ring: capacity is exact, FIFO, close drains then reports closed") {
  for (std::size_t capacity : {1, 2, 3}) {
    MpmcRing ring(sizeof(int), capacity);
    for (int i = 0; i < static_cast<int>(capacity); ++i) REQUIRE(ring.try_push(&i) == MpmcRing::Result::ok);
    const int extra = 99;
    CHECK(ring.try_push(&extra) == MpmcRing::Result::full);
    CHECK(ring.size() == capacity);
    int out = -1;
    REQUIRE(ring.try_pop(&out) == MpmcRing::Result::ok);
    CHECK(out == 0);
    CHECK(ring.close());
    CHECK_FALSE(ring.close());
    CHECK(ring.try_push(&extra) == MpmcRing::Result::closed);
    for (int i = 1; i < static_cast<int>(capacity); ++i) {
      REQUIRE(ring.try_pop(&out) == MpmcRing::Result::ok);
      CHECK(out == i);
    }
    CHECK(ring.try_pop(&out) == MpmcRing::Result::closed);
  }
}

// Positions wrap into a new lap at the capacity, which need not be a power of two: size,
// full and empty must stay exact across many laps, whatever the fill level at the wrap.
TEST_CASE("ring: size, full and empty stay exact across laps") {
  for (std::size_t capacity : {1, 3, 5, 100}) {
    MpmcRing ring(sizeof(int), capacity);
    int next_in = 0, next_out = 0;
    for (int round = 0; round < 50; ++round) {
      const std::size_t fill = static_cast<std::size_t>(round) % (capacity + 1);
      int out = -1;
      while (ring.size() > fill) {
        REQUIRE(ring.try_pop(&out) == MpmcRing::Result::ok);
        CHECK(out == next_out++);
      }
      for (; ring.size() < fill; ++next_in) REQUIRE(ring.try_push(&next_in) == MpmcRing::Result::ok);
      CHECK(ring.size() == fill);
      for (std::size_t i = fill; i < capacity; ++i, ++next_in) REQUIRE(ring.try_push(&next_in) == MpmcRing::Result::ok);
      CHECK(ring.try_push(&next_in) == MpmcRing::Result::full);
      CHECK(ring.size() == capacity);
      for (std::size_t i = 0; i < capacity - fill; ++i) {
        REQUIRE(ring.try_pop(&out) == MpmcRing::Result::ok);
        CHECK(out == next_out++);
      }
      CHECK(ring.size() == fill);
    }
    int out = -1;
    while (ring.try_pop(&out) == MpmcRing::Result::ok) CHECK(out == next_out++);
    CHECK(next_out == next_in);
    CHECK(ring.size() == 0);
    CHECK(ring.try_pop(&out) == MpmcRing::Result::empty);
  }
}

TEST_CASE("ring: tagged items through capacity 1, nothing lost or duplicated") { stress(1, 3, 3); }
TEST_CASE("ring: tagged items through capacity 7, nothing lost or duplicated") { stress(7, 4, 2); }
TEST_CASE("ring: tagged items through capacity 64, nothing lost or duplicated") { stress(64, 2, 4); }

TEST_CASE("ring: pushes racing a close are either received or refused") {
  const int rounds = static_cast<int>(scaled(2000));
  for (int round = 0; round < rounds; ++round) {
    MpmcRing ring(sizeof(int), 16);
    std::atomic<int> accepted{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < 3; ++p) {
      producers.emplace_back([&] {
        for (int i = 0; i < 8; ++i)
          if (ring.try_push(&i) == MpmcRing::Result::ok) accepted.fetch_add(1);
      });
    }
    ring.close();
    for (auto &thread : producers) thread.join();
    int drained = 0, out = 0;
    MpmcRing::Result result;
    while ((result = ring.try_pop(&out)) == MpmcRing::Result::ok) ++drained;
    REQUIRE(result == MpmcRing::Result::closed);
    REQUIRE(drained == accepted.load());
  }
}

// "Empty" means that no push has claimed the position, and "full" that no pop has claimed
// the cell (mpmc_ring.hpp): a channel's waiters rely on it to park without a lost wake-up.
// One producer, one consumer, elements of 16 KiB so that a claimed position stays
// unpublished for a while (its memcpy): a pop that follows a look showing items (size() > 0,
// and nobody else pops) must get one, and a push that follows a look showing room must
// succeed. Answering empty or full there is what a ring without the wait would do.
TEST_CASE("ring: a position claimed by the other side is waited for, not reported empty or full") {
  constexpr std::size_t kElem = 16 * 1024, kCapacity = 4;
  const std::size_t items = scaled(20000);
  MpmcRing ring(kElem, kCapacity);
  std::atomic<std::size_t> wrong_full{0}, wrong_empty{0}, wrong_content{0};
  std::thread producer([&] {
    std::vector<std::size_t> item(kElem / sizeof(std::size_t));
    for (std::size_t i = 0; i < items;) {
      std::fill(item.begin(), item.end(), i);
      const bool room = ring.size() < kCapacity;
      const MpmcRing::Result result = ring.try_push(item.data());
      if (result == MpmcRing::Result::ok) {
        ++i;
      } else if (room) {
        wrong_full.fetch_add(1);
      }
    }
  });
  std::vector<std::size_t> item(kElem / sizeof(std::size_t));
  for (std::size_t i = 0; i < items;) {
    const bool claimed = ring.size() > 0;
    const MpmcRing::Result result = ring.try_pop(item.data());
    if (result == MpmcRing::Result::ok) {
      if (item.front() != i || item.back() != i) wrong_content.fetch_add(1);
      ++i;
    } else if (claimed) {
      wrong_empty.fetch_add(1);
    }
  }
  producer.join();
  CHECK(wrong_full.load() == 0);
  CHECK(wrong_empty.load() == 0);
  CHECK(wrong_content.load() == 0);
}
