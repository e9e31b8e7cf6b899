// atomic_update, defer, reductions and the unnamed critical mutex.
#include <luminar/bare_metal.hpp>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <climits>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace bm = luminar::bare_metal;
using bm::atomic_op;
using bm::reduction_op;

namespace {

// Runs body(thread_index) on `threads` std::threads at once.
template <class Body>
void on_threads(int threads, Body body) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(body, t);
  for (auto &th : pool) th.join();
}

const int kPerThread = static_cast<int>(luminar_test::scaled(100000));

}  // namespace

TEST_CASE("atomic_update: integer add, sub and xor under contention") {
  int sum = 0;
  int difference = 1000;
  unsigned bits = 0;
  on_threads(4, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      bm::atomic_update<atomic_op::add>(sum, 1);
      bm::atomic_update<atomic_op::sub>(difference, 2);
      bm::atomic_update<atomic_op::bit_xor>(bits, 1u << (t * 8 + i % 8));
    }
  });
  CHECK(sum == 4 * kPerThread);
  CHECK(difference == 1000 - 8 * kPerThread);
  unsigned expected_bits = 0;
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < kPerThread; ++i) expected_bits ^= 1u << (t * 8 + i % 8);
  }
  CHECK(bits == expected_bits);
}

TEST_CASE("atomic_update: double add and long mul/div under contention") {
  double total = 0.0;
  long product = 1;
  long quotient = 1L << 60;
  on_threads(4, [&](int) {
    for (int i = 0; i < kPerThread; ++i) {
      bm::atomic_update<atomic_op::add>(total, 0.5);      // exact in binary floating point
      bm::atomic_update<atomic_op::mul>(product, 1L);     // contention without changing the value
      if (i < 15) {
        bm::atomic_update<atomic_op::mul>(product, 2);    // 4 threads * 15 = 2^60
        bm::atomic_update<atomic_op::div>(quotient, 2L);  // 2^60 / 2^60
      }
    }
  });
  CHECK(total == 0.5 * 4 * kPerThread);
  CHECK(product == 1L << 60);
  CHECK(quotient == 1);
}

TEST_CASE("atomic_update: long double and other types without lock-free atomics") {
  long double total = 0;
  on_threads(4, [&](int) {
    for (int i = 0; i < kPerThread / 10; ++i) bm::atomic_update<atomic_op::add>(total, 0.25L);
  });
  CHECK(total == 0.25L * 4 * (kPerThread / 10));
}

TEST_CASE("atomic_update: every operator gives the result of the compound assignment") {
  const int values[] = {-17, -3, 0, 5, 1000};
  for (int start : values) {
    CAPTURE(start);
    auto check_int = [start](auto op_constant, int operand, int expected) {
      int x = start;
      bm::atomic_update<decltype(op_constant)::value>(x, operand);
      CHECK(x == expected);
    };
    check_int(std::integral_constant<atomic_op, atomic_op::add>{}, 7, start + 7);
    check_int(std::integral_constant<atomic_op, atomic_op::sub>{}, 7, start - 7);
    check_int(std::integral_constant<atomic_op, atomic_op::mul>{}, -3, start * -3);
    check_int(std::integral_constant<atomic_op, atomic_op::div>{}, 4, start / 4);
    check_int(std::integral_constant<atomic_op, atomic_op::mod>{}, 4, start % 4);
    check_int(std::integral_constant<atomic_op, atomic_op::bit_and>{}, 0x3c, start & 0x3c);
    check_int(std::integral_constant<atomic_op, atomic_op::bit_or>{}, 0x3c, start | 0x3c);
    check_int(std::integral_constant<atomic_op, atomic_op::bit_xor>{}, 0x3c, start ^ 0x3c);
    if (start >= 0) check_int(std::integral_constant<atomic_op, atomic_op::shl>{}, 3, start << 3);
    check_int(std::integral_constant<atomic_op, atomic_op::shr>{}, 2, start >> 2);

    int mixed = start;
    bm::atomic_update<atomic_op::add>(mixed, 2.5);  // int += double: computed in double
    int reference = start;
    reference += 2.5;
    CHECK(mixed == reference);
  }
  unsigned char small = 250;
  bm::atomic_update<atomic_op::add>(small, 10);  // wraps like `small += 10`
  CHECK(small == 4);
  unsigned u = 1;
  bm::atomic_update<atomic_op::sub>(u, 2L);
  CHECK(u == UINT_MAX);
  float f = 1.5f;
  bm::atomic_update<atomic_op::mul>(f, 2.0);
  CHECK(f == 3.0f);
  int array[10] = {};
  int *p = array;
  bm::atomic_update<atomic_op::add>(p, 3);  // pointer arithmetic in elements, not bytes
  CHECK(p == array + 3);
  bm::atomic_update<atomic_op::sub>(p, 1);
  CHECK(p == array + 2);
}

TEST_CASE("defer: runs in LIFO order at scope exit") {
  std::vector<int> order;
  {
    auto first = bm::defer([&] { order.push_back(1); });
    auto second = bm::defer([&] { order.push_back(2); });
    auto third = bm::defer([&] { order.push_back(3); });
    CHECK(order.empty());
  }
  CHECK(order == std::vector<int>{3, 2, 1});
}

TEST_CASE("defer: reads the variables it names when it runs") {
  int value = 1;
  int seen = 0;
  {
    auto d = bm::defer([&] { seen = value; });
    value = 42;
  }
  CHECK(seen == 42);
}

TEST_CASE("defer: runs when the scope is left by an exception, return or break") {
  std::vector<std::string> log;
  try {
    auto d = bm::defer([&] { log.push_back("deferred"); });
    throw std::runtime_error("leaving");
  } catch (const std::runtime_error &) {
    log.push_back("caught");
  }
  CHECK(log == std::vector<std::string>{"deferred", "caught"});

  int runs = 0;
  auto early_return = [&] {
    auto d = bm::defer([&] { ++runs; });
    return 5;
  };
  CHECK(early_return() == 5);
  for (int i = 0; i < 3; ++i) {
    auto d = bm::defer([&] { ++runs; });
    if (i == 1) break;
  }
  CHECK(runs == 3);
}

TEST_CASE("defer: its own exception propagates on normal exit and is swallowed while unwinding") {
  CHECK_THROWS_WITH_AS(([] { auto d = bm::defer([] { throw std::runtime_error("from defer"); }); }()),
                       "from defer", std::runtime_error);

  bool second_ran = false;
  try {
    auto later = bm::defer([&] { second_ran = true; });
    auto d = bm::defer([] { throw std::logic_error("swallowed"); });
    throw std::runtime_error("original");
  } catch (const std::runtime_error &e) {
    CHECK(std::string(e.what()) == "original");
  } catch (...) {
    FAIL("the deferred exception replaced the original one");
  }
  CHECK(second_ran);
}

namespace {

template <reduction_op Op, class T>
T fold(const std::vector<T> &values) {
  T shared = bm::reduction_identity<Op, T>();
  for (const T &v : values) bm::reduction_combine<Op>(shared, v);
  return shared;
}

}  // namespace

TEST_CASE("reductions: identities") {
  CHECK(bm::reduction_identity<reduction_op::add, int>() == 0);
  CHECK(bm::reduction_identity<reduction_op::sub, int>() == 0);
  CHECK(bm::reduction_identity<reduction_op::mul, int>() == 1);
  CHECK(bm::reduction_identity<reduction_op::bit_and, int>() == -1);
  CHECK(bm::reduction_identity<reduction_op::bit_and, unsigned>() == UINT_MAX);
  CHECK(bm::reduction_identity<reduction_op::bit_and, unsigned char>() == 0xFF);
  CHECK(bm::reduction_identity<reduction_op::bit_or, unsigned>() == 0u);
  CHECK(bm::reduction_identity<reduction_op::bit_xor, unsigned>() == 0u);
  CHECK(bm::reduction_identity<reduction_op::log_and, int>() == 1);
  CHECK(bm::reduction_identity<reduction_op::log_or, int>() == 0);
  CHECK(bm::reduction_identity<reduction_op::min, int>() == INT_MAX);
  CHECK(bm::reduction_identity<reduction_op::max, int>() == INT_MIN);
  CHECK(bm::reduction_identity<reduction_op::min, unsigned>() == UINT_MAX);
  CHECK(bm::reduction_identity<reduction_op::max, unsigned>() == 0u);
  CHECK(bm::reduction_identity<reduction_op::add, double>() == 0.0);
  CHECK(bm::reduction_identity<reduction_op::mul, double>() == 1.0);
  CHECK(bm::reduction_identity<reduction_op::min, double>() == std::numeric_limits<double>::infinity());
  CHECK(bm::reduction_identity<reduction_op::max, double>() == -std::numeric_limits<double>::infinity());
  CHECK(bm::reduction_identity<reduction_op::log_and, bool>() == true);
  CHECK(bm::reduction_identity<reduction_op::log_or, bool>() == false);
  CHECK(bm::reduction_identity<reduction_op::bit_and, bool>() == true);
  CHECK(bm::reduction_identity<reduction_op::bit_or, bool>() == false);
  CHECK(bm::reduction_identity<reduction_op::add, bool>() == false);
  CHECK(bm::reduction_identity<reduction_op::mul, bool>() == true);
}

TEST_CASE("reductions: combining partials gives the serial result for every operator") {
  const std::vector<int> ints = {5, -3, 12, 7, -8, 0x70};
  CHECK(fold<reduction_op::add>(ints) == 5 - 3 + 12 + 7 - 8 + 0x70);
  CHECK(fold<reduction_op::sub>(ints) == 5 - 3 + 12 + 7 - 8 + 0x70);  // `-` combines with `+`
  CHECK(fold<reduction_op::mul>(ints) == 5 * -3 * 12 * 7 * -8 * 0x70);
  CHECK(fold<reduction_op::bit_and>(ints) == (5 & -3 & 12 & 7 & -8 & 0x70));
  CHECK(fold<reduction_op::bit_or>(ints) == (5 | -3 | 12 | 7 | -8 | 0x70));
  CHECK(fold<reduction_op::bit_xor>(ints) == (5 ^ -3 ^ 12 ^ 7 ^ -8 ^ 0x70));
  CHECK(fold<reduction_op::log_and>(ints) == 1);
  CHECK(fold<reduction_op::log_and>(std::vector<int>{1, 0, 3}) == 0);
  CHECK(fold<reduction_op::log_or>(ints) == 1);
  CHECK(fold<reduction_op::log_or>(std::vector<int>{0, 0}) == 0);
  CHECK(fold<reduction_op::min>(ints) == -8);
  CHECK(fold<reduction_op::max>(ints) == 0x70);

  const std::vector<unsigned> uns = {6u, 3u, 0xF0u, 9u};
  CHECK(fold<reduction_op::add>(uns) == 6u + 3u + 0xF0u + 9u);
  CHECK(fold<reduction_op::sub>(uns) == 6u + 3u + 0xF0u + 9u);
  CHECK(fold<reduction_op::mul>(uns) == 6u * 3u * 0xF0u * 9u);
  CHECK(fold<reduction_op::bit_and>(uns) == (6u & 3u & 0xF0u & 9u));
  CHECK(fold<reduction_op::bit_or>(uns) == (6u | 3u | 0xF0u | 9u));
  CHECK(fold<reduction_op::bit_xor>(uns) == (6u ^ 3u ^ 0xF0u ^ 9u));
  CHECK(fold<reduction_op::log_and>(uns) == 1u);
  CHECK(fold<reduction_op::log_or>(uns) == 1u);
  CHECK(fold<reduction_op::min>(uns) == 3u);
  CHECK(fold<reduction_op::max>(uns) == 0xF0u);

  const std::vector<double> dbl = {1.5, -2.25, 8.0, 0.5};
  CHECK(fold<reduction_op::add>(dbl) == 1.5 - 2.25 + 8.0 + 0.5);
  CHECK(fold<reduction_op::sub>(dbl) == 1.5 - 2.25 + 8.0 + 0.5);
  CHECK(fold<reduction_op::mul>(dbl) == 1.5 * -2.25 * 8.0 * 0.5);
  CHECK(fold<reduction_op::log_and>(dbl) == 1.0);
  CHECK(fold<reduction_op::log_or>(std::vector<double>{0.0, 0.0}) == 0.0);
  CHECK(fold<reduction_op::min>(dbl) == -2.25);
  CHECK(fold<reduction_op::max>(dbl) == 8.0);
  CHECK(fold<reduction_op::min>(std::vector<double>{}) == std::numeric_limits<double>::infinity());

  const std::vector<bool> some = {true, false, true};
  const std::vector<bool> all = {true, true};
  const std::vector<bool> none = {false, false};
  CHECK(fold<reduction_op::log_and>(some) == false);
  CHECK(fold<reduction_op::log_and>(all) == true);
  CHECK(fold<reduction_op::log_or>(some) == true);
  CHECK(fold<reduction_op::log_or>(none) == false);
  CHECK(fold<reduction_op::bit_and>(some) == false);
  CHECK(fold<reduction_op::bit_and>(all) == true);
  CHECK(fold<reduction_op::bit_or>(some) == true);
  CHECK(fold<reduction_op::bit_xor>(some) == false);  // true ^ false ^ true
  CHECK(fold<reduction_op::add>(some) == true);
  CHECK(fold<reduction_op::add>(none) == false);
  CHECK(fold<reduction_op::mul>(some) == false);
  CHECK(fold<reduction_op::mul>(all) == true);
  CHECK(fold<reduction_op::min>(some) == false);
  CHECK(fold<reduction_op::max>(some) == true);
}

TEST_CASE("critical: one program-wide mutex") {
  CHECK(&bm::unnamed_critical_mutex() == &bm::unnamed_critical_mutex());
  long counter = 0;
  on_threads(4, [&](int) {
    for (int i = 0; i < kPerThread / 10; ++i) {
      std::lock_guard<std::mutex> lock(bm::unnamed_critical_mutex());
      ++counter;
    }
  });
  CHECK(counter == 4L * (kPerThread / 10));
}
