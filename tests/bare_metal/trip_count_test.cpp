// trip_count_* and iteration_value against the serial loop they describe.
#include <luminar/bare_metal.hpp>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <string>
#include <vector>

namespace bm = luminar::bare_metal;

// The reference loops compare and step exactly as users write them (int against size_t
// included), which is what the library must reproduce.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"

namespace {

// Runs `for (v = lb; cond(v); step_fn(v))` and returns the values v took.
template <class L, class Cond, class Step>
std::vector<L> serial_values(L lb, Cond cond, Step step_fn) {
  std::vector<L> values;
  for (L v = lb; cond(v); step_fn(v)) {
    values.push_back(v);
    if (values.size() > 100000) break;  // a test case that does not terminate
  }
  return values;
}

template <class L, class S>
void check_against(const std::vector<L> &expected, std::uint64_t trip, const L &lb, const S &step, bool ascending) {
  REQUIRE(trip == expected.size());
  for (std::uint64_t k = 0; k < trip; ++k) {
    CAPTURE(k);
    CHECK(bm::iteration_value(lb, k, step, ascending) == expected[k]);
  }
}

template <class L, class U, class S>
void check_less(L lb, U ub, S step) {
  auto expected = serial_values(lb, [&](const L &v) { return v < ub; }, [&](L &v) { v += step; });
  check_against(expected, bm::trip_count_less(lb, ub, step), lb, step, true);
}

template <class L, class U, class S>
void check_less_equal(L lb, U ub, S step) {
  auto expected = serial_values(lb, [&](const L &v) { return v <= ub; }, [&](L &v) { v += step; });
  check_against(expected, bm::trip_count_less_equal(lb, ub, step), lb, step, true);
}

template <class L, class U, class S>
void check_greater(L lb, U ub, S step) {
  auto expected = serial_values(lb, [&](const L &v) { return v > ub; }, [&](L &v) { v -= step; });
  check_against(expected, bm::trip_count_greater(lb, ub, step), lb, step, false);
}

template <class L, class U, class S>
void check_greater_equal(L lb, U ub, S step) {
  auto expected = serial_values(lb, [&](const L &v) { return v >= ub; }, [&](L &v) { v -= step; });
  check_against(expected, bm::trip_count_greater_equal(lb, ub, step), lb, step, false);
}

template <class L, class U, class S>
void check_not_equal(L lb, U ub, S step, bool ascending) {
  auto expected = serial_values(
      lb, [&](const L &v) { return v != ub; },
      [&](L &v) {
        if (ascending) {
          v += step;
        } else {
          v -= step;
        }
      });
  check_against(expected, bm::trip_count_not_equal(lb, ub, step, ascending), lb, step, ascending);
}

}  // namespace

TEST_CASE("trip counts: int") {
  check_less(0, 10, 1);
  check_less(0, 10, 3);  // 0 3 6 9: odd trip count with a step > 1
  check_less(0, 9, 3);
  check_less(-7, 5, 2);
  check_less(-20, -3, 4);
  check_less(5, 5, 1);   // empty
  check_less(10, 0, 1);  // empty
  check_less_equal(0, 10, 3);
  check_less_equal(0, 9, 3);
  check_less_equal(5, 5, 1);
  check_less_equal(6, 5, 1);
  check_less_equal(-9, -1, 2);
  check_greater(10, 0, 1);
  check_greater(10, -10, 3);
  check_greater(0, 0, 1);
  check_greater(-1, 0, 1);
  check_greater_equal(10, 0, 1);
  check_greater_equal(9, 0, 2);
  check_greater_equal(9, -5, 7);
  check_greater_equal(0, 1, 1);
  check_not_equal(0, 12, 3, true);
  check_not_equal(12, 0, 4, false);
  check_not_equal(-6, 6, 1, true);
  check_not_equal(3, 3, 1, true);
}

TEST_CASE("trip counts: unsigned, size_t and small types") {
  check_less(0u, 10u, 3u);
  check_less(std::size_t{0}, std::size_t{100}, std::size_t{7});
  check_less_equal(std::size_t{1}, std::size_t{100}, 9);
  check_greater(10u, 0u, 1u);                          // descending unsigned to 0
  check_greater(std::size_t{99}, std::size_t{0}, 1);   // for (size_t i = 99; i > 0; --i)
  check_greater_equal(10u, 2u, 3u);                    // 10 7 4
  check_greater_equal(std::size_t{13}, std::size_t{2}, std::size_t{6});  // 13 7
  check_not_equal(20u, 0u, 5u, false);
  check_less_equal(static_cast<unsigned char>(0), static_cast<unsigned char>(200), 50);
  check_less(static_cast<short>(-300), static_cast<short>(300), 7);
  check_greater(static_cast<std::int8_t>(100), static_cast<std::int8_t>(-100), 9);
  check_less(std::uint64_t{1} << 40, (std::uint64_t{1} << 40) + 1000, std::uint64_t{333});
}

TEST_CASE("trip counts: mixed int and size_t, as the user's comparison converts them") {
  const std::vector<int> v(17);
  check_less(0, v.size(), 1);              // for (int i = 0; i < v.size(); ++i)
  check_less(0, v.size(), 4);
  check_less(3, v.size(), 5);
  check_less(-3, std::size_t{5}, 1);       // -3 converts to a huge size_t: no iteration
  check_less_equal(2, v.size(), 3);
  check_less(std::size_t{0}, 10, 3);       // size_t against int
  check_greater(10, std::size_t{0}, 1);    // for (int i = 10; i > size_t(0); --i)
  check_greater_equal(16, std::size_t{2}, 5);  // 16 11 6
  check_less(0L, 20u, 6);                  // long against unsigned: compared as long
  check_less(-5L, 20u, 6);
  check_not_equal(0, v.size(), 1, true);
  CHECK(bm::trip_count_less(-3, std::size_t{5}, 1) == 0);
}

TEST_CASE("trip counts: extreme bounds do not overflow") {
  CHECK(bm::trip_count_less(INT_MIN, INT_MAX, 1) == 0xFFFFFFFFull);
  CHECK(bm::iteration_value(INT_MIN, 0xFFFFFFFEull, 1, true) == INT_MAX - 1);
  CHECK(bm::trip_count_less_equal(INT_MIN, INT_MAX, 1) == 0x100000000ull);
  CHECK(bm::trip_count_greater_equal(INT_MAX, INT_MIN, 1) == 0x100000000ull);
  CHECK(bm::iteration_value(INT_MAX, 0xFFFFFFFFull, 1, false) == INT_MIN);
  CHECK(bm::trip_count_less(INT_MIN, INT_MAX, 1 << 20) == 4096);
  CHECK(bm::iteration_value(INT_MIN, 4095, 1 << 20, true) == INT_MAX - (1 << 20) + 1);
  const std::int64_t min64 = std::numeric_limits<std::int64_t>::min();
  const std::int64_t max64 = std::numeric_limits<std::int64_t>::max();
  CHECK(bm::trip_count_less(min64, max64, 1) == UINT64_MAX);
  CHECK(bm::trip_count_greater(max64, min64, 2) == (UINT64_MAX - 1) / 2 + 1);
  CHECK(bm::trip_count_less(std::uint64_t{0}, UINT64_MAX, UINT64_MAX) == 1);
  CHECK(bm::trip_count_less_equal(std::uint64_t{0}, UINT64_MAX, std::uint64_t{1} << 63) == 2);
  CHECK(bm::trip_count_less(0u, UINT_MAX, 1u) == UINT_MAX);
  CHECK(bm::trip_count_greater(UINT_MAX, 0u, 1u) == UINT_MAX);
  // unsigned descending values wrap exactly as `v -= step` would for the last value
  CHECK(bm::iteration_value(5u, 6, 1u, false) == UINT_MAX);
}

TEST_CASE("trip counts: random-access iterators and pointers") {
  std::vector<int> v(12);
  for (int i = 0; i < 12; ++i) v[static_cast<std::size_t>(i)] = i;
  // Every case stops exactly at or before end()/begin(): stepping an iterator or pointer
  // past its range would be undefined in the reference loop itself.
  check_less(v.begin(), v.end(), 1);
  check_less(v.begin(), v.end(), 3);       // lands exactly on end()
  check_less(v.begin(), v.end() - 3, 3);   // 0 3 6: odd trip count
  check_less(v.cbegin(), v.cend(), 4);
  check_less_equal(v.begin(), v.end() - 1, 6);
  check_greater(v.end(), v.begin(), 1);    // for (it = end(); it > begin(); --it)
  check_greater(v.end(), v.begin(), 2);
  check_greater_equal(v.end() - 1, v.begin() + 1, 1);
  check_greater_equal(v.end(), v.begin() + 3, 5);  // 12 7
  check_not_equal(v.begin(), v.end(), 1, true);
  check_not_equal(v.end(), v.begin(), 4, false);
  check_less(v.begin(), v.begin(), 1);     // empty
  check_less(v.rbegin(), v.rend(), 4);     // reverse iterators are random access too

  int array[25] = {};
  int *first = array;
  int *last = array + 25;
  check_less(first, last - 1, 4);  // 0 4 ... 20
  check_less(first, last, 5);      // 0 5 10 15 20
  check_less_equal(first, first + 20, 5);  // 0 5 10 15 20, then stops at last
  check_greater(last, first, 5);
  check_not_equal(first, last - 1, 8, true);
  const char *text = "luminar";
  check_less(text, text + 7, 2);
}
#pragma GCC diagnostic pop
