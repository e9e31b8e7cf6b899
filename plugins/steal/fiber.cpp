// Fiber creation and switching; see fiber.hpp.
#include "fiber.hpp"

#include "atomics.hpp"
#include "metrics.hpp"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>

#include <cxxabi.h>

#ifdef LUMINAR_STEAL_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef LUMINAR_STEAL_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace luminar_steal {
namespace {

namespace ctx = boost::context::detail;

struct SwitchRecord {
  Fiber *from = nullptr;
  AfterSwitch after = nullptr;
  void *arg = nullptr;
};

// Per-thread fiber state. Reached only through thread_state(), never cached across a switch.
struct ThreadState {
  Fiber *current = nullptr;  // first: current_fiber() reads it at the state's own offset
  Fiber home;
  SwitchRecord pending;  // written just before a jump, consumed by the arriving side
};

thread_local ThreadState thread_state_instance;  // constant-initialised (tls_access.hpp)
const std::ptrdiff_t kThreadStateOffset = tls_offset_of(&thread_state_instance);

StackPool *pool = nullptr;  // set by init_fibers, before any fiber exists

// The layout of the Itanium C++ ABI's __cxa_eh_globals (libstdc++ and libc++ on x86-64 and
// AArch64): the caught-exception stack and the uncaught count, nothing else.
struct EhGlobals {
  void *caught;
  unsigned int uncaught;
};

// __cxa_get_globals is declared __attribute__((const)): the compiler may reuse one call's
// result after a switch, on another thread. Hence a non-inline accessor whose result is
// opaque to the optimiser (libstdc++'s own thread_local is out of tls_access.hpp's reach).
__attribute__((noinline)) EhGlobals *eh_globals() {
  EhGlobals *p = reinterpret_cast<EhGlobals *>(abi::__cxa_get_globals());
  asm volatile("" : "+r"(p)::"memory");
  return p;
}

// Every call computes the calling thread's address afresh (tls_access.hpp): a fiber that
// resumes on another thread must not reuse the address its previous thread had.
ThreadState &thread_state() { return thread_local_at<ThreadState>(kThreadStateOffset); }

// A fiber's record lives at the top of its own stack, in the page that every fiber that
// ever ran has touched, so a parked task costs no separate allocation for it. The stack
// proper starts right below the record. Records (and so the hot top frames) are placed at
// one of kColors cache-line offsets from the top, in turn: stacks are a power of two
// apart, and at equal offsets the busiest lines of every fiber would compete for the same
// cache sets (ping-pong between two fibers ran at two speeds, 235 or 350 ns per round trip,
// from one run to the next).
constexpr std::size_t kFiberRecordBytes = (sizeof(Fiber) + 63) / 64 * 64;
constexpr std::size_t kColors = 16;
char *fiber_stack_top(const Fiber &fiber) { return reinterpret_cast<char *>(const_cast<Fiber *>(&fiber)); }
std::size_t fiber_stack_size(const Fiber &fiber) {
  return static_cast<std::size_t>(fiber_stack_top(fiber) - fiber.stack.usable_bottom());
}

// The canary of a stack without a guard page is read when a task on it returns, and from
// then on at every switch away from its fiber. Not before the first return: reading a
// never-written page is not free everywhere (kernels without the shared zero page, as on
// the VMs this was measured on, give every read page its own frame), and a fiber parked
// in its first task would pay a page for its canary, doubling a parked task's memory.
// Guarded stacks are never read: they fault on overflow.
void check_canary_on_switch(const Fiber *fiber) {
  if (fiber->canary_read && !StackPool::canary_intact(fiber->stack))
    report_stack_overflow("its stack canary was overwritten");
}

// The arriving half of every switch: finish the sanitizer switch, save the departing
// fiber's context, run its AfterSwitch.
void arrive(ctx::transfer_t transfer) {
  ThreadState &state = thread_state();
  Fiber *self = state.current;
  const SwitchRecord record = state.pending;
  EhGlobals *eh = eh_globals();
  eh->caught = self->eh_state.caught;
  eh->uncaught = self->eh_state.uncaught;
#ifdef LUMINAR_STEAL_ASAN
  const void *from_bottom = nullptr;
  std::size_t from_size = 0;
  __sanitizer_finish_switch_fiber(self->asan_fake_stack, &from_bottom, &from_size);
  if (record.from->stack.base == nullptr) {  // left a home fiber: now we know its bounds
    record.from->asan_bottom = from_bottom;
    record.from->asan_size = from_size;
  }
#else
  (void)self;
#endif
  record.from->context = transfer.fctx;
  if (record.after != nullptr) record.after(record.from, record.arg);
}

void fiber_entry(ctx::transfer_t transfer) {
  arrive(transfer);
  current_fiber()->body();
  std::abort();  // bodies never return
}

}  // namespace

const std::ptrdiff_t kCurrentFiberOffset = kThreadStateOffset + static_cast<std::ptrdiff_t>(offsetof(ThreadState, current));

void init_fibers(std::size_t stack_size) { pool = new StackPool(stack_size); }  // never destroyed: parked fibers may outlive shutdown

StackPool &stack_pool() { return *pool; }

Fiber *fiber_create(void (*body)()) {
  static std::atomic<std::size_t> next_color{0};
  // Relaxed: only spreads the offsets.
  const std::size_t color = next_color.fetch_add(1, std::memory_order_relaxed) % kColors;
  const Stack stack = pool->acquire();
  auto *fiber = new (stack.top() - kFiberRecordBytes - color * 64) Fiber();
  fiber->stack = stack;
  fiber->body = body;
  fiber->context = ctx::make_fcontext(fiber_stack_top(*fiber), fiber_stack_size(*fiber), fiber_entry);
#ifdef LUMINAR_STEAL_TSAN
  fiber->tsan_fiber = __tsan_create_fiber(0);
#endif
  return fiber;
}

void fiber_destroy(Fiber *fiber) {
#ifdef LUMINAR_STEAL_TSAN
  __tsan_destroy_fiber(fiber->tsan_fiber);
#endif
  const Stack stack = fiber->stack;
  fiber->~Fiber();  // it lives on the stack it gives back
  pool->release(stack);
}

Fiber *home_fiber() { return &thread_state().home; }

void check_canary(Fiber *fiber) {
  fiber->canary_read = true;
  if (!StackPool::canary_intact(fiber->stack)) report_stack_overflow("its stack canary was overwritten");
}

void enter_fibers(Fiber *first) {
  ThreadState &state = thread_state();
  state.current = &state.home;
#ifdef LUMINAR_STEAL_TSAN
  state.home.tsan_fiber = __tsan_get_current_fiber();
#endif
  switch_to(first, nullptr, nullptr);
  thread_state().current = nullptr;
}

void switch_to(Fiber *to, AfterSwitch after, void *arg, bool final) {
  ThreadState &state = thread_state();
  Fiber *from = state.current;
  check_canary_on_switch(from);
  state.pending = SwitchRecord{from, after, arg};
  state.current = to;
  const EhGlobals *eh = eh_globals();
  from->eh_state.caught = eh->caught;
  from->eh_state.uncaught = eh->uncaught;
  metrics().context_switch();
#ifdef LUMINAR_STEAL_ASAN
  const void *bottom = to->stack.base != nullptr ? to->stack.usable_bottom() : to->asan_bottom;
  const std::size_t size = to->stack.base != nullptr ? fiber_stack_size(*to) : to->asan_size;
  __sanitizer_start_switch_fiber(final ? nullptr : &from->asan_fake_stack, bottom, size);
#else
  (void)final;
#endif
#ifdef LUMINAR_STEAL_TSAN
  __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
  const ctx::transfer_t transfer = ctx::jump_fcontext(to->context, nullptr);
  arrive(transfer);
}

}  // namespace luminar_steal
