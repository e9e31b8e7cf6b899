// One timer thread with a binary min-heap of intrusive timers: sleeps, timed channel
// operations, select timeouts, task and group timeouts. The timer thread sleeps until the
// earliest deadline (or indefinitely when there is none), so idle timers cost no CPU.
//
// Invariants (all under m_): heap_ is a min-heap on deadline; a Timer is in heap_ exactly
// when its heap_index is not kNotQueued; running_ is the timer whose action runs now.
#ifndef LUMINAR_STEAL_TIMERS_HPP
#define LUMINAR_STEAL_TIMERS_HPP

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace luminar_steal {

using Clock = std::chrono::steady_clock;

// Owned by whoever arms it (a blocked operation's frame, a task, a group); it must stay
// alive until Timers::cancel returned or the action ran.
struct Timer {
  static constexpr std::size_t kNotQueued = static_cast<std::size_t>(-1);
  void (*action)(void *arg) = nullptr;  // runs on the timer thread; must not block
  void *arg = nullptr;
  Clock::time_point deadline;    // under Timers::m_ while queued
  std::size_t heap_index = kNotQueued;  // under Timers::m_
};

class Timers {
 public:
  Timers();
  ~Timers() { stop(); }
  void stop();  // stops the thread; pending timers are dropped. Idempotent.

  void add(Timer *timer, Clock::time_point deadline);
  // Afterwards the action neither runs nor is running (if it was running, waits for it).
  void cancel(Timer *timer);

 private:
  void run();
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void remove_at(std::size_t i);
  void place(std::size_t i, Timer *timer);

  std::mutex m_;
  std::condition_variable changed_;  // earliest deadline changed, an action done, or stopping
  std::vector<Timer *> heap_;        // under m_
  Timer *running_ = nullptr;         // under m_
  bool stopping_ = false;            // under m_
  std::thread thread_;  // last: starts after the fields above exist
};

}  // namespace luminar_steal

#endif
