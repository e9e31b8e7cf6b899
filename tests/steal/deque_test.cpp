// Stress tests of the Chase–Lev deque (plugins/steal/deque.hpp): one owner pushing and
// popping against several thieves. Items are tagged (id) and counted; every item must be
// taken exactly once, by the owner or by a thief.
#include "deque.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t scaled(std::size_t n) { return n / LUMINAR_TEST_SCALE_DIVISOR; }

struct Item {
  std::size_t id;
};

// Runs the owner's `pattern` (push/pop calls) against `thieves` stealing threads until the
// owner is done and the deque is empty; returns how many times each item was taken.
// Thieves other than the first also take items pushed as held.
template <class Pattern>
std::vector<int> run(std::size_t items, int thieves, std::size_t initial_capacity, Pattern pattern) {
  luminar_steal::WorkStealingDeque<Item> deque(initial_capacity);
  std::vector<Item> storage(items);
  for (std::size_t i = 0; i < items; ++i) storage[i].id = i;
  std::vector<std::atomic<int>> taken(items);
  std::atomic<bool> owner_done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < thieves; ++t) {
    threads.emplace_back([&, t] {
      const bool take_held = t != 0;  // the first thief leaves held items (if any) alone
      for (;;) {
        Item *item = nullptr;
        const auto result = deque.steal(&item, take_held);
        if (result == luminar_steal::WorkStealingDeque<Item>::StealResult::ok) {
          taken[item->id].fetch_add(1);
        } else if (result == luminar_steal::WorkStealingDeque<Item>::StealResult::empty && owner_done.load()) {
          return;
        }
      }
    });
  }
  pattern(deque, storage, taken);
  while (Item *item = deque.pop()) taken[item->id].fetch_add(1);
  owner_done.store(true);
  for (auto &thread : threads) thread.join();
  std::vector<int> counts(items);
  for (std::size_t i = 0; i < items; ++i) counts[i] = taken[i].load();
  return counts;
}

void check_each_once(const std::vector<int> &counts) {
  std::size_t lost = 0, duplicated = 0;
  for (int c : counts) {
    if (c == 0) ++lost;
    if (c > 1) ++duplicated;
  }
  CHECK(lost == 0);
  CHECK(duplicated == 0);
}

// The owner's pattern: bursts of `burst` pushes (every `held_every`-th item held, or none
// if 0), each followed by `burst / pop_divisor` pops.
auto bursts(std::size_t burst, std::size_t pop_divisor, std::size_t held_every) {
  return [=](auto &deque, auto &storage, auto &taken) {
    std::size_t next = 0;
    while (next < storage.size()) {
      const std::size_t count = std::min<std::size_t>(burst, storage.size() - next);
      for (std::size_t i = 0; i < count; ++i, ++next) deque.push(&storage[next], held_every != 0 && next % held_every == 0);
      for (std::size_t i = 0; i < count / pop_divisor; ++i)
        if (auto *item = deque.pop()) taken[item->id].fetch_add(1);
    }
  };
}

}  // namespace

TEST_CASE("deque: owner pushes everything, thieves and owner drain") {
  const std::size_t items = scaled(200000);
  check_each_once(run(items, 3, 256, [](auto &deque, auto &storage, auto &) {
    for (auto &item : storage) deque.push(&item);
  }));
}

TEST_CASE("deque: resize under contention (initial capacity 2)") {
  const std::size_t items = scaled(200000);
  // Bursts that outgrow the array while thieves are stealing from it.
  check_each_once(run(items, 3, 2, bursts(1000, 4, 0)));
}

TEST_CASE("deque: near-empty thrashing (push one, pop one) against thieves") {
  const std::size_t items = scaled(300000);
  check_each_once(run(items, 3, 4, [](auto &deque, auto &storage, auto &taken) {
    for (auto &item : storage) {
      deque.push(&item);
      if (auto *got = deque.pop()) taken[got->id].fetch_add(1);
    }
  }));
}

TEST_CASE("deque: held items among plain ones, thieves that take them and one that does not") {
  const std::size_t items = scaled(200000);
  check_each_once(run(items, 3, 16, bursts(100, 2, 3)));
}

TEST_CASE("deque: a held item is held back from thieves that do not ask for it") {
  using Deque = luminar_steal::WorkStealingDeque<Item>;
  Deque deque(4);
  Item items[3] = {{0}, {1}, {2}};
  deque.push(&items[0], /*held=*/true);
  deque.push(&items[1]);
  deque.push(&items[2], /*held=*/true);
  Item *stolen = nullptr;
  CHECK(deque.steal(&stolen, /*take_held=*/false) == Deque::StealResult::held_back);
  REQUIRE(deque.steal(&stolen, /*take_held=*/true) == Deque::StealResult::ok);
  CHECK(stolen == &items[0]);  // the item itself, not its marked pointer
  REQUIRE(deque.steal(&stolen, /*take_held=*/false) == Deque::StealResult::ok);
  CHECK(stolen == &items[1]);
  CHECK(deque.pop() == &items[2]);  // the owner pops held items like any other
  CHECK(deque.pop() == nullptr);
}

TEST_CASE("deque: LIFO for the owner, FIFO for thieves") {
  luminar_steal::WorkStealingDeque<Item> deque(2);
  Item items[5] = {{0}, {1}, {2}, {3}, {4}};
  for (auto &item : items) deque.push(&item);
  Item *stolen = nullptr;
  REQUIRE(deque.steal(&stolen) == luminar_steal::WorkStealingDeque<Item>::StealResult::ok);
  CHECK(stolen->id == 0);
  CHECK(deque.pop()->id == 4);
  CHECK(deque.pop()->id == 3);
  REQUIRE(deque.steal(&stolen) == luminar_steal::WorkStealingDeque<Item>::StealResult::ok);
  CHECK(stolen->id == 1);
  CHECK(deque.pop()->id == 2);
  CHECK(deque.pop() == nullptr);
  CHECK(deque.steal(&stolen) == luminar_steal::WorkStealingDeque<Item>::StealResult::empty);
}
