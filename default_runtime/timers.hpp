// One timer thread for task and group timeouts (timed channel operations and sleeps wait
// with deadlines of their own and need no timer).
#ifndef LUMINAR_DEFAULT_TIMERS_HPP
#define LUMINAR_DEFAULT_TIMERS_HPP

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace luminar_default {

class Timers {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = std::uint64_t;  // 0 = no timer

  Timers();
  ~Timers() { stop(); }
  // Stops the thread; pending timers are dropped. Idempotent.
  void stop();

  // Runs `action` on the timer thread at `deadline`. Actions must not block.
  Id add(Clock::time_point deadline, std::function<void()> action);
  // Drops a timer; if its action is running, waits for it to finish. After cancel returns
  // the action neither runs nor is running, so what it refers to may be destroyed.
  void cancel(Id id);

 private:
  void run();

  std::mutex m_;
  std::condition_variable changed_;  // a timer added or cancelled, an action done, or stopping
  // Under m_:
  std::map<std::pair<Clock::time_point, Id>, std::function<void()>> pending_;
  std::map<Id, Clock::time_point> deadlines_;
  Id next_id_ = 1;
  Id running_ = 0;  // the action being run now, or 0
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the fields above exist
};

}  // namespace luminar_default

#endif
