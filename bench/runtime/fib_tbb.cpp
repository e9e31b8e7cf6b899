// fib with oneTBB's tbb::task_group, the same shape as the Luminar and OpenMP peers:
// fib(n-1) in a spawned task, fib(n-2) inline, then wait.
//
//   bench_runtime_tbb fib [--n N] [--reps R] [--threads T]
#include "common.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_group.h>

namespace {

long fib(int n) {
  if (n < 2) return n;
  long x = 0;
  tbb::task_group group;
  group.run([&] { x = fib(n - 1); });
  const long y = fib(n - 2);
  group.wait();
  return x + y;
}

}  // namespace

int main(int argc, char **argv) {
  const bench::options o = bench::parse(argc, argv);
  if (o.kernel != "fib") {
    std::fprintf(stderr, "%s: only the fib kernel\n", argv[0]);
    return 2;
  }
  // The worker count of every peer, main thread included.
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, o.threads);
  const int n = static_cast<int>(bench::size_or(o, 30));
  bench::time_kernel(o, n, bench::fib_spawns(n), "ns/spawn", [&] {
    const auto start = std::chrono::steady_clock::now();
    const long result = fib(n);
    const double elapsed = bench::seconds_since(start);
    bench::check(result == bench::fib_serial(n), "fib value");
    return elapsed;
  });
  return 0;
}
