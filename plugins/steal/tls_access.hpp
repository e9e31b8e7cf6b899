// Fiber-safe, inline access to the plugin's thread_local state.
//
// Code on a fiber may resume on another thread, while a compiler may keep a thread_local's
// address across a call (it assumes that a function never changes threads). So the
// plugin never uses a thread_local's address in code that can switch: it reads the thread
// pointer afresh (a volatile asm, which the compiler neither merges nor moves across
// calls) and adds the variable's offset from it. The plugin is built with initial-exec
// TLS (CMakeLists.txt), which places its thread_locals at the same offset from the thread
// pointer on every thread; the offset is measured once, when the library is loaded
// (tls_offset_of, in each variable's own file). Each variable must be constant-initialised
// (no first-use initialisation that this path would skip).
#ifndef LUMINAR_STEAL_TLS_ACCESS_HPP
#define LUMINAR_STEAL_TLS_ACCESS_HPP

#include <cstddef>

namespace luminar_steal {

// The calling thread's thread pointer (x86-64: the TCB's self-pointer at %fs:0).
inline char *thread_pointer() {
  char *tp;
#if defined(__x86_64__)
  asm volatile("mov %%fs:0, %0" : "=r"(tp));
#elif defined(__aarch64__)
  asm volatile("mrs %0, tpidr_el0" : "=r"(tp));
#else
#error "tls_access.hpp: add this architecture's thread-pointer read"
#endif
  return tp;
}

// Where `variable` (a thread_local of the calling thread) lies from the thread pointer.
inline std::ptrdiff_t tls_offset_of(const void *variable) {
  return static_cast<const char *>(variable) - thread_pointer();
}

// The calling thread's instance of the thread_local at `offset`.
template <class T>
T &thread_local_at(std::ptrdiff_t offset) {
  return *reinterpret_cast<T *>(thread_pointer() + offset);
}

}  // namespace luminar_steal

#endif
