// Shared helpers of the runtime conformance tests.
#ifndef LUMINAR_TESTS_RUNTIME_TEST_SUPPORT_HPP
#define LUMINAR_TESTS_RUNTIME_TEST_SUPPORT_HPP

#include <atomic>
#include <cstddef>

namespace luminar_test {

// Stress counts shrink under sanitizers (LUMINAR_TEST_SCALE_DIVISOR, set by CMake).
constexpr std::size_t scaled(std::size_t n) {
  return n / LUMINAR_TEST_SCALE_DIVISOR == 0 ? 1 : n / LUMINAR_TEST_SCALE_DIVISOR;
}

// Counts live instances, to prove channels neither leak nor destroy twice.
struct counted {
  static std::atomic<long> live;
  int value;
  explicit counted(int v) : value(v) { live.fetch_add(1); }
  counted(const counted &other) : value(other.value) { live.fetch_add(1); }
  counted(counted &&other) noexcept : value(other.value) { live.fetch_add(1); }
  counted &operator=(const counted &) = default;
  ~counted() { live.fetch_sub(1); }
};

}  // namespace luminar_test

#endif
