// task_group: blocking tasks, bounded concurrency, serial mode, error strategies, joins.
#include <luminar/bare_metal.hpp>
#include <luminar/errors.hpp>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace bm = luminar::bare_metal;

namespace {

// Tracks how many tasks run at the same time.
struct concurrency_meter {
  std::atomic<int> now{0};
  std::atomic<int> peak{0};

  void enter() {
    const int n = now.fetch_add(1) + 1;
    int p = peak.load();
    while (n > p && !peak.compare_exchange_weak(p, n)) {
    }
  }
  void leave() { now.fetch_sub(1); }
};

// A chain of `n` tasks where task i waits for task i+1; only the last one can finish on its
// own, so the group completes only if every task has a thread at the same time.
void run_waiting_chain(int n) {
  std::vector<std::promise<void>> promises(static_cast<std::size_t>(n));
  std::atomic<int> finished{0};
  bm::error_state errors(bm::error_strategy::stop);
  {
    bm::task_group group(0, false, errors);
    for (int i = 0; i < n; ++i) {
      group.spawn(
          [&, i] {
            if (i + 1 < n) promises[static_cast<std::size_t>(i) + 1].get_future().wait();
            promises[static_cast<std::size_t>(i)].set_value();
            finished.fetch_add(1);
          },
          "link");
    }
    group.join();
  }
  CHECK(errors.count() == 0);
  CHECK(finished.load() == n);
}

}  // namespace

TEST_CASE("task_group: max_threads 0 gives every task a thread, so tasks may block on each other") {
  std::promise<int> from_b;
  std::atomic<int> a_saw{0};
  bm::error_state errors(bm::error_strategy::stop);
  bm::task_group group(0, false, errors);
  group.spawn([&] { a_saw = from_b.get_future().get(); }, "A");  // waits for B, spawned later
  group.spawn(
      [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        from_b.set_value(7);
      },
      "B");
  group.join();
  CHECK(a_saw.load() == 7);
  CHECK(errors.count() == 0);

  run_waiting_chain(12);
}

TEST_CASE("task_group: max_threads 0 grows the team even from inside a team worker") {
  bm::loop_options opts;
  opts.max_threads = 2;
  std::atomic<int> chains{0};
  bm::error_state errors(bm::error_strategy::stop);
  bm::parallel_for(2, opts, errors, [&](bm::loop_worker &w) {
    w.for_each_chunk([&](std::uint64_t, std::uint64_t) {
      std::promise<void> go;
      std::atomic<bool> done{false};
      bm::error_state inner(bm::error_strategy::stop);
      bm::task_group group(0, false, inner);
      group.spawn([&] { go.get_future().wait(); done = true; }, "waiter");
      group.spawn([&] { go.set_value(); }, "signaller");
      group.join();
      if (done.load() && inner.count() == 0) chains.fetch_add(1);
    });
  });
  CHECK(errors.count() == 0);
  CHECK(chains.load() == 2);
}

TEST_CASE("task_group: max_threads 2 runs every task, at most 2 at a time") {
  concurrency_meter meter;
  std::atomic<int> ran{0};
  std::vector<std::atomic<int>> hits(200);
  bm::error_state errors(bm::error_strategy::stop);
  {
    bm::task_group group(2, false, errors);
    for (int i = 0; i < 200; ++i) {
      group.spawn(
          [&, i] {
            meter.enter();
            hits[static_cast<std::size_t>(i)].fetch_add(1);
            if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
            ran.fetch_add(1);
            meter.leave();
          },
          "bounded");
    }
    group.join();
    CHECK(ran.load() == 200);
  }
  int wrong = 0;
  for (auto &h : hits) wrong += h.load() != 1 ? 1 : 0;
  CHECK(wrong == 0);
  CHECK(meter.peak.load() <= 2);
  CHECK(errors.count() == 0);
}

TEST_CASE("task_group: max_threads 1 runs every task on the calling thread in join()") {
  const auto caller = std::this_thread::get_id();
  std::vector<int> order;
  std::atomic<int> other_thread{0};
  bm::error_state errors(bm::error_strategy::stop);
  bm::task_group group(1, false, errors);
  for (int i = 0; i < 5; ++i) {
    group.spawn(
        [&, i] {
          if (std::this_thread::get_id() != caller) other_thread.fetch_add(1);
          order.push_back(i);
        },
        "queued");
  }
  CHECK(order.empty());  // nothing ran yet
  group.join();
  CHECK(other_thread.load() == 0);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("task_group: serial runs each task inline at spawn, on a copy of the function") {
  const auto caller = std::this_thread::get_id();
  std::vector<int> order;
  bool all_on_caller = true;
  bm::error_state errors(bm::error_strategy::stop);
  bm::task_group group(0, true, errors);
  int value = 1;
  auto task = [&order, &all_on_caller, caller, value]() mutable {
    all_on_caller = all_on_caller && std::this_thread::get_id() == caller;
    order.push_back(value++);
  };
  group.spawn(task, "first");
  CHECK(order == std::vector<int>{1});  // ran before spawn returned
  group.spawn(task, "second");          // decay-copied: `task` itself is unchanged
  CHECK(order == std::vector<int>{1, 1});
  value = 5;
  group.spawn([&order, value] { order.push_back(value); }, "third");
  group.join();
  CHECK(order == std::vector<int>{1, 1, 5});
  CHECK(all_on_caller);
}

TEST_CASE("task_group: spawned tasks work on copies of their function objects") {
  std::vector<std::atomic<int>> seen(50);
  bm::error_state errors(bm::error_strategy::stop);
  {
    bm::task_group group(0, false, errors);
    for (int i = 0; i < 50; ++i) {
      auto shared_number = std::make_shared<int>(i);
      group.spawn([&seen, shared_number] { seen[static_cast<std::size_t>(*shared_number)].fetch_add(1); }, "copy");
    }
  }  // destructor joins
  int wrong = 0;
  for (auto &s : seen) wrong += s.load() != 1 ? 1 : 0;
  CHECK(wrong == 0);
}

TEST_CASE("task_group: on_error(stop) rethrows the first exception and skips tasks not started") {
  SUBCASE("parallel") {
    std::atomic<int> ran{0};
    bm::error_state errors(bm::error_strategy::stop);
    {
      bm::task_group group(0, false, errors);
      group.spawn([] { throw std::runtime_error("task failed"); }, "failing");
      for (int i = 0; i < 4; ++i) group.spawn([&] { ran.fetch_add(1); }, "other");
      group.join();
    }
    CHECK(errors.count() == 1);
    CHECK(ran.load() <= 4);
    CHECK_THROWS_WITH_AS(errors.rethrow_first(), "task failed", std::runtime_error);
  }
  SUBCASE("queued tasks after the failure are skipped") {
    std::atomic<int> ran{0};
    bm::error_state errors(bm::error_strategy::stop);
    bm::task_group group(1, false, errors);  // everything runs in join(), in spawn order
    group.spawn([&] { ran.fetch_add(1); }, "before");
    group.spawn([] { throw std::runtime_error("second task failed"); }, "failing");
    for (int i = 0; i < 5; ++i) group.spawn([&] { ran.fetch_add(1); }, "after");
    group.join();
    CHECK(ran.load() == 1);
    CHECK(errors.count() == 1);
    CHECK_THROWS_WITH_AS(errors.rethrow_first(), "second task failed", std::runtime_error);
  }
  SUBCASE("serial: spawns after the failure are skipped") {
    std::atomic<int> ran{0};
    bm::error_state errors(bm::error_strategy::stop);
    bm::task_group group(0, true, errors);
    group.spawn([] { throw std::logic_error("serial failure"); }, "failing");
    group.spawn([&] { ran.fetch_add(1); }, "after");
    group.join();
    CHECK(ran.load() == 0);
    CHECK_THROWS_AS(errors.rethrow_first(), std::logic_error);
  }
}

TEST_CASE("task_group: on_error(collect) runs everything and lists every failure with its label") {
  for (std::size_t max_threads : {std::size_t{0}, std::size_t{2}, std::size_t{1}}) {
    for (bool serial : {false, true}) {
      CAPTURE(max_threads);
      CAPTURE(serial);
      std::atomic<int> ran{0};
      bm::error_state errors(bm::error_strategy::collect);
      {
        bm::task_group group(max_threads, serial, errors);
        group.spawn([&] { ran.fetch_add(1); }, "fine");
        group.spawn([] { throw std::runtime_error("a"); }, "fails-a");
        group.spawn([&] { ran.fetch_add(1); }, "fine");
        group.spawn([] { throw 17; }, "fails-int");
        group.spawn([] { throw std::runtime_error("c"); }, "fails-c");
        group.join();
      }
      CHECK(ran.load() == 2);
      CHECK(errors.count() == 3);
      try {
        errors.throw_collected<luminar::error_list>();
        FAIL("throw_collected did not throw");
      } catch (const luminar::error_list &list) {
        std::set<std::string> labels;
        for (const auto &entry : list) labels.insert(entry.task);
        CHECK(labels == std::set<std::string>{"fails-a", "fails-int", "fails-c"});
        const std::string what = list.what();
        CHECK(what.find("3 tasks failed") == 0);
        CHECK(what.find("fails-int: unknown exception") != std::string::npos);
      }
    }
  }
}

TEST_CASE("task_group: on_error(ignore) counts only") {
  std::atomic<int> ran{0};
  bm::error_state errors(bm::error_strategy::ignore);
  {
    bm::task_group group(3, false, errors);
    for (int i = 0; i < 10; ++i) {
      group.spawn(
          [&, i] {
            ran.fetch_add(1);
            if (i % 2 == 0) throw std::runtime_error("ignored");
          },
          "task");
    }
  }
  CHECK(ran.load() == 10);
  CHECK(errors.count() == 5);
  CHECK_NOTHROW(errors.rethrow_first());
  CHECK_NOTHROW(errors.throw_collected<luminar::error_list>());
}

TEST_CASE("task_group: the destructor joins when the spawning scope is left by an exception") {
  for (std::size_t max_threads : {std::size_t{0}, std::size_t{2}}) {
    std::atomic<int> finished{0};
    bm::error_state errors(bm::error_strategy::stop);
    try {
      bm::task_group group(max_threads, false, errors);
      group.spawn(
          [&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            finished.fetch_add(1);
          },
          "slow");
      group.spawn([&] { finished.fetch_add(1); }, "quick");
      throw std::runtime_error("spawning scope failed");
    } catch (const std::runtime_error &) {
    }
    CHECK(finished.load() == 2);  // both ran to completion before the group was destroyed
  }
}

TEST_CASE("task_group: join twice and reuse") {
  std::atomic<int> ran{0};
  bm::error_state errors(bm::error_strategy::stop);
  bm::task_group group(2, false, errors);
  group.spawn([&] { ran.fetch_add(1); }, "one");
  group.join();
  group.join();
  CHECK(ran.load() == 1);
  group.spawn([&] { ran.fetch_add(1); }, "two");
  group.spawn([&] { ran.fetch_add(1); }, "three");
  group.join();
  CHECK(ran.load() == 3);
}

TEST_CASE("task_group: many short groups in a row") {
  const int rounds = static_cast<int>(luminar_test::scaled(2000));
  std::atomic<int> ran{0};
  for (int r = 0; r < rounds; ++r) {
    bm::error_state errors(bm::error_strategy::stop);
    bm::task_group group(r % 2 == 0 ? 0 : 3, false, errors);
    group.spawn([&] { ran.fetch_add(1); }, "a");
    group.spawn([&] { ran.fetch_add(1); }, "b");
    group.join();
  }
  CHECK(ran.load() == 2 * rounds);
}
