// M:N fibers on Boost.Context's fcontext (make_fcontext/jump_fcontext), with the
// AddressSanitizer and ThreadSanitizer fiber annotations.
//
// A fiber is a stack plus the context saved when it is suspended. Each thread that runs
// fibers has a "home" fiber for its own stack (enter_fibers). A switch names what the
// arriving side must do with the fiber it left (AfterSwitch): publish it as parked, put
// it in a pool, free it. That work cannot be done before the switch, because until the
// jump completes the departing fiber's stack is still in use and another thread must not
// resume it.
//
// Fibers migrate between threads, so code that runs on a fiber must not keep the address
// of a thread_local across a switch: thread state is always re-read from a freshly read
// thread pointer (tls_access.hpp), as current_fiber() below does.
#ifndef LUMINAR_STEAL_FIBER_HPP
#define LUMINAR_STEAL_FIBER_HPP

#include "stack_pool.hpp"
#include "tls_access.hpp"

#include <boost/context/detail/fcontext.hpp>

#include <cstddef>

struct LuminarTask;

namespace luminar_steal {

struct Fiber;
// Run by the arriving side right after a switch; `from` is the fiber just left.
using AfterSwitch = void (*)(Fiber *from, void *arg);

// The fields every switch touches come first, within the record's first cache line
// (fibers that hand off between threads pay a transfer per line): context through eh_state.
struct Fiber {
  boost::context::detail::fcontext_t context = nullptr;  // valid while suspended
  Stack stack;                 // empty for a thread's home fiber
  // The task running on this fiber, or null. Written only by the code running on the
  // fiber (run_task), read by that code and, while the fiber is parked, by whoever
  // resumes it (published through the ready queues).
  LuminarTask *task = nullptr;
  // Set once the canary has been read (check_canary_after_task): from then on its page is
  // resident and reading it again on every switch costs no memory.
  bool canary_read = false;
  // The C++ runtime's per-thread exception state (caught-exception stack, uncaught count)
  // belongs to the code running on a fiber, not to the thread: it travels with the fiber
  // (saved when it is left, restored when it is resumed), so a task that parks inside a
  // catch block and resumes on another thread still sees its own exceptions.
  struct {
    void *caught = nullptr;
    unsigned int uncaught = 0;
  } eh_state;
  void (*body)() = nullptr;    // what a new fiber runs; must never return
  void *tsan_fiber = nullptr;
  // AddressSanitizer bookkeeping: the fake stack saved while suspended, and the bounds of
  // a home fiber (learned on the first switch away from it).
  void *asan_fake_stack = nullptr;
  const void *asan_bottom = nullptr;
  std::size_t asan_size = 0;
};
static_assert(offsetof(Fiber, eh_state) + sizeof(Fiber::eh_state) <= 64, "the switch's fields share one cache line");

// Creates the stack pool; once, before any fiber exists.
void init_fibers(std::size_t stack_size);
StackPool &stack_pool();

Fiber *fiber_create(void (*body)());
void fiber_destroy(Fiber *fiber);  // never the running fiber

// The fiber running on this thread, or null if this thread does not run fibers. Inline,
// and fiber-safe: it reads the calling thread's state afresh (tls_access.hpp).
extern const std::ptrdiff_t kCurrentFiberOffset;  // fiber.cpp
inline Fiber *current_fiber() { return thread_local_at<Fiber *>(kCurrentFiberOffset); }
// The calling thread's home fiber (valid inside enter_fibers).
Fiber *home_fiber();

// From a thread's own stack: switches to `first`; returns once a fiber switches back to
// this thread's home fiber (at shutdown).
void enter_fibers(Fiber *first);

// Switches from the current fiber to `to`; `after(from, arg)` runs on `to`. `final` says
// the current fiber will never be resumed (it is about to be freed). Returns when the
// current fiber is resumed, possibly on another thread.
void switch_to(Fiber *to, AfterSwitch after, void *arg, bool final = false);

// Called by run_task when a task returns, while it is still the fiber's task: if the
// stack of `fiber` (the current one, or null off fibers) has no guard page, checks its
// canary and reports an overflow against that task.
void check_canary(Fiber *fiber);
inline void check_canary_after_task(Fiber *fiber) {
  if (fiber != nullptr && fiber->stack.base != nullptr && !fiber->stack.guarded) check_canary(fiber);
}

// Prints the overflow report for the current task and aborts (overflow.cpp).
[[noreturn]] void report_stack_overflow(const char *how);

}  // namespace luminar_steal

#endif
