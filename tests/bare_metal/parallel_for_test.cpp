// parallel_for: work distribution for every schedule, serial mode, reductions, team reuse,
// nesting and the three error strategies.
#include <luminar/bare_metal.hpp>
#include <luminar/errors.hpp>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace bm = luminar::bare_metal;
using luminar_test::scaled;

namespace {

struct schedule_case {
  const char *name;
  bm::schedule_kind kind;
  std::uint64_t chunk;
};

const schedule_case kSchedules[] = {
    {"static", bm::schedule_kind::static_, 0},
    {"static,3", bm::schedule_kind::static_, 3},
    {"dynamic", bm::schedule_kind::dynamic, 0},
    {"dynamic,5", bm::schedule_kind::dynamic, 5},
};

bm::loop_options options(const schedule_case &s, std::size_t threads) {
  bm::loop_options opts;
  opts.max_threads = threads;
  opts.schedule = s.kind;
  opts.chunk = s.chunk;
  return opts;
}

// What one parallel_for did, gathered without doctest assertions on worker threads.
struct distribution {
  explicit distribution(std::uint64_t count) : hits(count) {}
  std::vector<std::atomic<int>> hits;
  std::atomic<int> bad_chunks{0};        // empty, out of range or not increasing per thread
  std::atomic<int> bad_thread_info{0};   // thread_index >= thread_count, or count changed
  std::atomic<std::size_t> thread_count{0};
  std::atomic<int> calls{0};
};

void run_and_record(std::uint64_t count, const bm::loop_options &opts, distribution &d) {
  bm::error_state errors(bm::error_strategy::stop);
  bm::parallel_for(count, opts, errors, [&](bm::loop_worker &w) {
    d.calls.fetch_add(1);
    if (w.thread_index() >= w.thread_count()) d.bad_thread_info.fetch_add(1);
    std::size_t expected = 0;
    if (!d.thread_count.compare_exchange_strong(expected, w.thread_count()) && expected != w.thread_count()) {
      d.bad_thread_info.fetch_add(1);
    }
    std::uint64_t previous_hi = 0;
    w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
      if (lo >= hi || hi > count || lo < previous_hi) d.bad_chunks.fetch_add(1);
      previous_hi = hi;
      for (std::uint64_t i = lo; i < hi && i < count; ++i) d.hits[i].fetch_add(1, std::memory_order_relaxed);
    });
  });
  CHECK(errors.count() == 0);
}

}  // namespace

TEST_CASE("parallel_for: every schedule, thread count and size runs each iteration exactly once") {
  const std::uint64_t counts[] = {0, 1, 2, 3, 7, 1000, 100003};
  for (const schedule_case &s : kSchedules) {
    for (std::size_t threads = 1; threads <= 4; ++threads) {
      for (std::uint64_t count : counts) {
        CAPTURE(s.name);
        CAPTURE(threads);
        CAPTURE(count);
        distribution d(count);
        run_and_record(count, options(s, threads), d);
        CHECK(d.bad_chunks.load() == 0);
        CHECK(d.bad_thread_info.load() == 0);
        std::uint64_t wrong = 0;
        for (auto &h : d.hits) wrong += h.load() != 1 ? 1 : 0;
        CHECK(wrong == 0);
        if (count == 0) {
          CHECK(d.calls.load() == 0);
        } else {
          CHECK(d.calls.load() >= 1);
          CHECK(static_cast<std::size_t>(d.calls.load()) == d.thread_count.load());
          CHECK(d.thread_count.load() <= std::min<std::uint64_t>(threads, count));
        }
      }
    }
  }
}

TEST_CASE("parallel_for: static schedule without chunk gives each thread one contiguous range") {
  const std::uint64_t count = 10007;
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges(4, {UINT64_MAX, 0});
  bm::error_state errors(bm::error_strategy::stop);
  bm::loop_options opts;
  opts.max_threads = 4;
  std::atomic<int> gaps{0};
  bm::parallel_for(count, opts, errors, [&](bm::loop_worker &w) {
    std::uint64_t first = UINT64_MAX, last = 0, expected_lo = UINT64_MAX;
    w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
      if (expected_lo != UINT64_MAX && lo != expected_lo) gaps.fetch_add(1);
      expected_lo = hi;
      first = std::min(first, lo);
      last = std::max(last, hi);
    });
    std::lock_guard<std::mutex> lock(mutex);
    ranges[w.thread_index()] = {first, last};
  });
  CHECK(gaps.load() == 0);
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t next = 0;
  for (auto &r : ranges) {
    if (r.first == UINT64_MAX) continue;  // fewer threads than asked for (nested run)
    CHECK(r.first == next);
    CHECK(r.second - r.first <= count / 4 + 1);
    next = r.second;
  }
  CHECK(next == count);
}

TEST_CASE("parallel_for: serial option runs everything in order on the calling thread") {
  for (const schedule_case &s : kSchedules) {
    CAPTURE(s.name);
    bm::loop_options opts = options(s, 4);
    opts.serial = true;
    const auto caller = std::this_thread::get_id();
    std::vector<std::uint64_t> order;
    std::vector<std::thread::id> ids;
    std::size_t seen_threads = 0;
    bm::error_state errors(bm::error_strategy::stop);
    bm::parallel_for(10000, opts, errors, [&](bm::loop_worker &w) {
      seen_threads = w.thread_count();
      ids.push_back(std::this_thread::get_id());
      w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
        for (std::uint64_t i = lo; i < hi; ++i) order.push_back(i);
      });
    });
    CHECK(seen_threads == 1);
    REQUIRE(ids.size() == 1);
    CHECK(ids[0] == caller);
    REQUIRE(order.size() == 10000);
    bool in_order = true;
    for (std::size_t i = 0; i < order.size(); ++i) in_order = in_order && order[i] == i;
    CHECK(in_order);
  }
}

TEST_CASE("parallel_for: reductions through combine equal the serial result") {
  const std::uint64_t count = 100003;
  for (const schedule_case &s : kSchedules) {
    for (std::size_t threads = 1; threads <= 4; ++threads) {
      CAPTURE(s.name);
      CAPTURE(threads);
      std::uint64_t sum = bm::reduction_identity<bm::reduction_op::add, std::uint64_t>();
      long min = bm::reduction_identity<bm::reduction_op::min, long>();
      double max = bm::reduction_identity<bm::reduction_op::max, double>();
      bm::error_state errors(bm::error_strategy::stop);
      bm::parallel_for(count, options(s, threads), errors, [&](bm::loop_worker &w) {
        auto my_sum = bm::reduction_identity<bm::reduction_op::add, std::uint64_t>();
        auto my_min = bm::reduction_identity<bm::reduction_op::min, long>();
        auto my_max = bm::reduction_identity<bm::reduction_op::max, double>();
        w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
          for (std::uint64_t i = lo; i < hi; ++i) {
            my_sum += i;
            const long value = static_cast<long>((i * 7919) % 100003) - 50000;
            my_min = std::min(my_min, value);
            my_max = std::max(my_max, static_cast<double>(value) / 2);
          }
        });
        w.combine([&] {
          bm::reduction_combine<bm::reduction_op::add>(sum, my_sum);
          bm::reduction_combine<bm::reduction_op::min>(min, my_min);
          bm::reduction_combine<bm::reduction_op::max>(max, my_max);
        });
      });
      CHECK(sum == count * (count - 1) / 2);
      CHECK(min == -50000);
      CHECK(max == 50002 / 2.0);
    }
  }
}

TEST_CASE("parallel_for: never more threads than iterations") {
  for (std::uint64_t count = 1; count <= 3; ++count) {
    std::set<std::thread::id> ids;
    std::mutex mutex;
    std::atomic<std::size_t> reported{0};
    bm::error_state errors(bm::error_strategy::stop);
    bm::loop_options opts;
    opts.max_threads = 8;
    bm::parallel_for(count, opts, errors, [&](bm::loop_worker &w) {
      reported.store(w.thread_count());
      std::lock_guard<std::mutex> lock(mutex);
      ids.insert(std::this_thread::get_id());
    });
    CHECK(ids.size() <= count);
    CHECK(reported.load() <= count);
  }
}

TEST_CASE("parallel_for: many back-to-back constructs reuse the team") {
  const int rounds = static_cast<int>(scaled(10000));
  bm::loop_options opts;
  opts.max_threads = 2;
  bm::error_state warmup(bm::error_strategy::stop);
  bm::parallel_for(2, opts, warmup, [](bm::loop_worker &) {});
  const std::size_t team_before = bm::detail::the_team().size();

  std::uint64_t total = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    std::uint64_t round_sum = 0;
    bm::error_state errors(bm::error_strategy::stop);
    bm::parallel_for(2, opts, errors, [&](bm::loop_worker &w) {
      std::uint64_t mine = 0;
      w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
        for (std::uint64_t i = lo; i < hi; ++i) mine += i + 1;
      });
      w.combine([&] { round_sum += mine; });
    });
    total += round_sum;
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  MESSAGE("per construct: " << std::chrono::duration<double, std::micro>(elapsed).count() / rounds << " us");
  CHECK(total == 3u * static_cast<std::uint64_t>(rounds));
  CHECK(bm::detail::the_team().size() == team_before);  // no growth: workers came back each time
}

TEST_CASE("parallel_for: nested parallel_for uses idle workers only and never grows the team") {
  bm::loop_options outer;
  outer.max_threads = 4;
  bm::error_state warmup(bm::error_strategy::stop);
  bm::parallel_for(4, outer, warmup, [](bm::loop_worker &) {});
  const std::size_t team_before = bm::detail::the_team().size();

  const std::uint64_t inner_count = 1000;
  std::vector<std::atomic<int>> hits(8 * inner_count);
  bm::error_state errors(bm::error_strategy::stop);
  bm::parallel_for(8, outer, errors, [&](bm::loop_worker &w) {
    w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
      for (std::uint64_t i = lo; i < hi; ++i) {
        bm::loop_options inner;
        inner.max_threads = 4;
        inner.schedule = i % 2 == 0 ? bm::schedule_kind::static_ : bm::schedule_kind::dynamic;
        bm::error_state inner_errors(bm::error_strategy::stop);
        bm::parallel_for(inner_count, inner, inner_errors, [&](bm::loop_worker &iw) {
          iw.for_each_chunk([&](std::uint64_t ilo, std::uint64_t ihi) {
            for (std::uint64_t j = ilo; j < ihi; ++j) hits[i * inner_count + j].fetch_add(1);
          });
        });
        inner_errors.rethrow_first();
      }
    });
  });
  CHECK(errors.count() == 0);
  std::uint64_t wrong = 0;
  for (auto &h : hits) wrong += h.load() != 1 ? 1 : 0;
  CHECK(wrong == 0);
  CHECK(bm::detail::the_team().size() == team_before);
}

TEST_CASE("parallel_for: on_error(stop) rethrows the first exception and skips the rest") {
  const std::uint64_t count = scaled(4000000);
  // Failing iterations near the start of every static thread's range, so that each thread
  // fails within its first block whatever the OS scheduling.
  const std::uint64_t stride = count / 8;
  for (const schedule_case &s : kSchedules) {
    CAPTURE(s.name);
    std::atomic<std::uint64_t> executed{0};
    bm::error_state errors(bm::error_strategy::stop);
    bm::parallel_for(count, options(s, 4), errors, [&](bm::loop_worker &w) {
      w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
        for (std::uint64_t i = lo; i < hi; ++i) {
          executed.fetch_add(1, std::memory_order_relaxed);
          if (i % stride == 10) throw std::runtime_error("boom at " + std::to_string(i));
        }
      });
    });
    CHECK(errors.cancelled());
    CHECK(errors.count() >= 1);
    CHECK(executed.load() < count / 2);
    CHECK_THROWS_WITH_AS(errors.rethrow_first(), doctest::Contains("boom at "), std::runtime_error);
  }
}

TEST_CASE("parallel_for: on_error(stop) keeps the first of several errors") {
  bm::loop_options opts;
  opts.serial = true;  // deterministic order: iteration 3 fails first
  bm::error_state errors(bm::error_strategy::stop);
  bm::parallel_for(100, opts, errors, [&](bm::loop_worker &w) {
    w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
      for (std::uint64_t i = lo; i < hi; ++i) {
        try {
          if (i == 3 || i == 50) throw std::runtime_error("fail " + std::to_string(i));
        } catch (...) {
          w.errors().record(std::current_exception(), "iteration " + std::to_string(i));
        }
      }
    });
  });
  CHECK(errors.count() == 2);  // both counted (one block of iterations), only the first kept
  CHECK_THROWS_WITH_AS(errors.rethrow_first(), "fail 3", std::runtime_error);
  CHECK_NOTHROW(errors.throw_collected<luminar::error_list>());  // not `collect`
}

TEST_CASE("parallel_for: on_error(collect) throws an error_list with every failure") {
  const std::uint64_t count = 1000;
  for (const schedule_case &s : kSchedules) {
    CAPTURE(s.name);
    std::atomic<std::uint64_t> executed{0};
    bm::error_state errors(bm::error_strategy::collect);
    bm::parallel_for(count, options(s, 4), errors, [&](bm::loop_worker &w) {
      w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
        for (std::uint64_t i = lo; i < hi; ++i) {
          executed.fetch_add(1);
          try {
            if (i % 100 == 7) throw std::runtime_error("bad " + std::to_string(i));
          } catch (...) {
            w.errors().record(std::current_exception(), "iteration " + std::to_string(i));
          }
        }
      });
    });
    CHECK(executed.load() == count);  // collect: everything runs
    CHECK_FALSE(errors.cancelled());
    CHECK_NOTHROW(errors.rethrow_first());  // not `stop`
    std::set<std::string> labels;
    std::set<std::string> messages;
    try {
      errors.throw_collected<luminar::error_list>();
      FAIL("throw_collected did not throw");
    } catch (const luminar::error_list &list) {
      CHECK(list.size() == 10);
      for (const auto &entry : list) {
        labels.insert(entry.task);
        try {
          std::rethrow_exception(entry.error);
        } catch (const std::runtime_error &e) {
          messages.insert(e.what());
        }
      }
      CHECK(std::string(list.what()).find("10 tasks failed") == 0);
    }
    std::set<std::string> expected_labels;
    std::set<std::string> expected_messages;
    for (int i = 7; i < 1000; i += 100) {
      expected_labels.insert("iteration " + std::to_string(i));
      expected_messages.insert("bad " + std::to_string(i));
    }
    CHECK(labels == expected_labels);
    CHECK(messages == expected_messages);
  }
}

TEST_CASE("parallel_for: an exception escaping the body is recorded as 'iteration range'") {
  bm::loop_options opts;
  opts.max_threads = 3;
  bm::error_state errors(bm::error_strategy::collect);
  bm::parallel_for(3, opts, errors, [&](bm::loop_worker &) { throw 42; });
  CHECK(errors.count() >= 1);
  try {
    errors.throw_collected<luminar::error_list>();
    FAIL("throw_collected did not throw");
  } catch (const luminar::error_list &list) {
    CHECK(list.size() == errors.count());
    for (const auto &entry : list) CHECK(entry.task == "iteration range");
  }
}

TEST_CASE("parallel_for: on_error(ignore) only counts") {
  std::atomic<std::uint64_t> executed{0};
  bm::error_state errors(bm::error_strategy::ignore);
  bm::loop_options opts;
  opts.max_threads = 4;
  opts.schedule = bm::schedule_kind::dynamic;
  bm::parallel_for(1000, opts, errors, [&](bm::loop_worker &w) {
    w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
      for (std::uint64_t i = lo; i < hi; ++i) {
        executed.fetch_add(1);
        try {
          if (i % 100 == 0) throw std::logic_error("ignored");
        } catch (...) {
          w.errors().record(std::current_exception(), "iteration " + std::to_string(i));
        }
      }
    });
  });
  CHECK(executed.load() == 1000);
  CHECK(errors.count() == 10);
  CHECK_FALSE(errors.cancelled());
  CHECK_NOTHROW(errors.rethrow_first());
  CHECK_NOTHROW(errors.throw_collected<luminar::error_list>());
}

TEST_CASE("parallel_for: constructs from several user threads at once") {
  std::vector<std::thread> users;
  std::atomic<int> wrong{0};
  const int rounds = static_cast<int>(scaled(300));
  for (int u = 0; u < 3; ++u) {
    users.emplace_back([&] {
      for (int r = 0; r < rounds; ++r) {
        std::atomic<std::uint64_t> sum{0};
        bm::error_state errors(bm::error_strategy::stop);
        bm::loop_options opts;
        opts.max_threads = 3;
        opts.schedule = r % 2 == 0 ? bm::schedule_kind::static_ : bm::schedule_kind::dynamic;
        bm::parallel_for(100, opts, errors, [&](bm::loop_worker &w) {
          w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
            for (std::uint64_t i = lo; i < hi; ++i) sum.fetch_add(i);
          });
        });
        if (sum.load() != 4950) wrong.fetch_add(1);
      }
    });
  }
  for (auto &t : users) t.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("parallel_for: workers that fell asleep are woken up") {
  bm::loop_options opts;
  opts.max_threads = 3;
  for (int r = 0; r < 3; ++r) {
    // Longer than the spin budget, so the workers are asleep on the futex.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::atomic<int> ran{0};
    bm::error_state errors(bm::error_strategy::stop);
    bm::parallel_for(3, opts, errors, [&](bm::loop_worker &w) {
      // A slow thread 0 makes the caller's own join wait long enough to sleep, too.
      if (w.thread_index() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) { ran.fetch_add(static_cast<int>(hi - lo)); });
    });
    CHECK(ran.load() == 3);
  }
}
