// Stack overflow reports. A fiber that runs into its stack's guard page faults; the
// SIGSEGV handler (running on the worker's alternate signal stack, since the fiber's
// stack is exhausted) recognises a guard-page address (StackPool::is_guard_address),
// prints which task overflowed and how to fix it, and aborts. Faults elsewhere go to the
// handler that was installed before ours (or the default action). Stacks without a guard
// page are checked through their canary when a task returns and on later switches
// (fiber.cpp), with the same report.
#ifndef LUMINAR_STEAL_OVERFLOW_HPP
#define LUMINAR_STEAL_OVERFLOW_HPP

namespace luminar_steal {

// Once, after init_fibers.
void install_overflow_handler();

// RAII: gives the calling thread an alternate signal stack for its lifetime.
class AltSignalStack {
 public:
  AltSignalStack();
  ~AltSignalStack();
  AltSignalStack(const AltSignalStack &) = delete;
  AltSignalStack &operator=(const AltSignalStack &) = delete;

 private:
  void *memory_;
};

}  // namespace luminar_steal

#endif
