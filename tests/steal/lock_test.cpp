// The plugin's two locks (plugins/steal/spin_mutex.hpp, yielding_lock.hpp): more threads
// than this machine has cores increment a plain counter under the lock, so that holders are
// preempted inside the critical section and waiters reach each lock's slow path (the futex
// sleep, the yields). A lost update or a lost wake-up (a hang) fails the test; under TSan
// a missing happens-before between holders is reported as a race on the counter.
#include "spin_mutex.hpp"
#include "yielding_lock.hpp"

#include <doctest/doctest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr long scaled(long n) { return n / LUMINAR_TEST_SCALE_DIVISOR; }

template <class Lock>
void count_under(Lock &lock) {
  constexpr int kThreads = 8;
  const long per_thread = scaled(200000);
  long counter = 0;  // plain: only the lock orders the increments
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (long i = 0; i < per_thread; ++i) {
        std::lock_guard<Lock> guard(lock);
        ++counter;
      }
    });
  }
  for (auto &thread : threads) thread.join();
  CHECK(counter == per_thread * kThreads);
  CHECK(lock.try_lock());
  lock.unlock();
}

}  // namespace

TEST_CASE("locks: SpinMutex excludes, wakes its sleepers and is free afterwards") {
  luminar_steal::SpinMutex lock;
  count_under(lock);
}

TEST_CASE("locks: YieldingLock excludes and is free afterwards") {
  luminar_steal::YieldingLock lock;
  count_under(lock);
}
