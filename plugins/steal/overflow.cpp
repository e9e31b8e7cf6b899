#include "overflow.hpp"

#include "fiber.hpp"
#include "tasks.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace luminar_steal {
namespace {

constexpr std::size_t kAltStackBytes = 64 * 1024;
struct sigaction previous_action;  // written once by install_overflow_handler, before any fault

// Async-signal-safe output: write(2) only.
void write_text(const char *text) {
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t done = ::write(STDERR_FILENO, text, left);
    if (done <= 0) return;
    text += done;
    left -= static_cast<std::size_t>(done);
  }
}

void write_number(std::size_t value) {
  char digits[24];
  char *p = digits + sizeof digits;
  *--p = '\0';
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  write_text(p);
}

void on_segv(int signal, siginfo_t *info, void *context) {
  if (stack_pool().is_guard_address(info->si_addr)) report_stack_overflow("it ran into its guard page");
  if ((previous_action.sa_flags & SA_SIGINFO) != 0 && previous_action.sa_sigaction != nullptr) {
    previous_action.sa_sigaction(signal, info, context);
  } else if (previous_action.sa_handler == SIG_DFL || previous_action.sa_handler == SIG_IGN) {
    ::signal(signal, SIG_DFL);  // the faulting instruction runs again and takes the default action
  } else {
    previous_action.sa_handler(signal);
  }
}

}  // namespace

void report_stack_overflow(const char *how) {
  Fiber *fiber = current_fiber();
  const LuminarTask *task = fiber != nullptr ? fiber->task : nullptr;
  write_text("luminar: fiber stack overflow in task '");
  write_text(task != nullptr ? task->name.c_str() : "");
  write_text("' (");
  write_text(how);
  write_text("); fiber stacks are ");
  write_number(stack_pool().stack_size());
  write_text(" bytes: raise LUMINAR_STACK_SIZE\n");
  std::abort();
}

void install_overflow_handler() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = on_segv;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGSEGV, &action, &previous_action);
}

AltSignalStack::AltSignalStack() : memory_(std::malloc(kAltStackBytes)) {
  stack_t stack;
  std::memset(&stack, 0, sizeof stack);
  stack.ss_sp = memory_;
  stack.ss_size = kAltStackBytes;
  ::sigaltstack(&stack, nullptr);
}

AltSignalStack::~AltSignalStack() {
  stack_t stack;
  std::memset(&stack, 0, sizeof stack);
  stack.ss_flags = SS_DISABLE;
  ::sigaltstack(&stack, nullptr);
  std::free(memory_);
}

}  // namespace luminar_steal
