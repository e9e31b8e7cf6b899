// What every C++ runtime benchmark program shares: its command line, timing of repeated
// runs, resident memory and CPU time of the process, and the one result line that
// report_runtime.py reads. bench/runtime/go/main.go prints the same line.
#ifndef LUMINAR_BENCH_RUNTIME_COMMON_HPP
#define LUMINAR_BENCH_RUNTIME_COMMON_HPP

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

// <program> <kernel> [--n N] [--reps R] [--threads T]
struct options {
  std::string kernel;
  long n = -1;  // the kernel's size (messages, round trips, fib argument, tasks); -1: its default
  int reps = 5;
  int threads = 2;
};

inline options parse(int argc, char **argv) {
  options o;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <kernel> [--n N] [--reps R] [--threads T]\n", argv[0]);
    std::exit(2);
  }
  o.kernel = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long value = std::strtol(argv[i + 1], nullptr, 10);
    if (flag == "--n") {
      o.n = value;
    } else if (flag == "--reps") {
      o.reps = static_cast<int>(value);
    } else if (flag == "--threads") {
      o.threads = static_cast<int>(value);
    } else {
      std::fprintf(stderr, "%s: unknown option %s\n", argv[0], flag.c_str());
      std::exit(2);
    }
  }
  return o;
}

inline long size_or(const options &o, long fallback) { return o.n > 0 ? o.n : fallback; }

[[noreturn]] inline void fail(const std::string &what) {
  std::fprintf(stderr, "WRONG RESULT: %s\n", what.c_str());
  std::exit(1);
}

inline void check(bool ok, const std::string &what) {
  if (!ok) fail(what);
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs `once` (which returns the seconds of one timed run) once untimed, to warm up the
// runtime, allocator and caches, then `reps` times, and prints
// "<kernel> <median> <best> <unit> | n=<n> reps=<reps>" with the per-unit nanoseconds.
template <class F>
void time_kernel(const options &o, long n, double units, const char *unit, F once) {
  once();
  std::vector<double> per_unit;
  for (int r = 0; r < o.reps; ++r) per_unit.push_back(once() * 1e9 / units);
  std::sort(per_unit.begin(), per_unit.end());
  std::printf("%s %.4g %.4g %s | n=%ld reps=%d\n", o.kernel.c_str(), per_unit[per_unit.size() / 2], per_unit.front(),
              unit, n, o.reps);
}

// VmRSS of this process in bytes (the kernel's own count of resident pages).
inline long resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10) * 1024;
  fail("no VmRSS in /proc/self/status");
}

// User + system CPU time of the whole process (every thread), in seconds.
inline double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval &t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// fib(n) = fib(n-1) + fib(n-2), fib(0) = 0, fib(1) = 1, computed serially (the check).
inline long fib_serial(int n) {
  long a = 0, b = 1;
  for (int i = 0; i < n; ++i) {
    const long next = a + b;
    a = b;
    b = next;
  }
  return a;
}

// Every peer's fib spawns one child for fib(n-1), computes fib(n-2) inline and then joins,
// so a call spawns once if n >= 2: fib(n+1) - 1 spawns in all.
inline long fib_spawns(int n) { return fib_serial(n + 1) - 1; }

}  // namespace bench

#endif  // LUMINAR_BENCH_RUNTIME_COMMON_HPP
