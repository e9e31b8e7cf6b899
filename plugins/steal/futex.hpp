// Linux futex wait/wake on a std::atomic<uint32_t> (lock-free and address-free on Linux,
// so the kernel may wait on its address).
#ifndef LUMINAR_STEAL_FUTEX_HPP
#define LUMINAR_STEAL_FUTEX_HPP

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace luminar_steal {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t), "futex word layout");

// Sleeps while *word == expected (spurious returns possible: callers re-check).
inline void futex_wait(std::atomic<std::uint32_t> *word, std::uint32_t expected) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

inline void futex_wake(std::atomic<std::uint32_t> *word, int count) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

}  // namespace luminar_steal

#endif
