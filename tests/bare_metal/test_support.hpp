// Shared helpers of the bare-metal tests.
#ifndef LUMINAR_TESTS_BARE_METAL_TEST_SUPPORT_HPP
#define LUMINAR_TESTS_BARE_METAL_TEST_SUPPORT_HPP

#include <cstdint>

#if defined(__SANITIZE_THREAD__)
#define LUMINAR_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LUMINAR_TEST_TSAN 1
#endif
#endif

#if defined(LUMINAR_TEST_TSAN) || defined(__SANITIZE_ADDRESS__)
#define LUMINAR_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUMINAR_TEST_SANITIZED 1
#endif
#endif

namespace luminar_test {

#ifdef LUMINAR_TEST_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// Iteration counts shrink under sanitizers so that every test stays within a few seconds.
constexpr std::uint64_t scaled(std::uint64_t n) { return kSanitized ? n / 10 : n; }

}  // namespace luminar_test

#endif  // LUMINAR_TESTS_BARE_METAL_TEST_SUPPORT_HPP
