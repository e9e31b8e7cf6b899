// fib with OpenMP tasks, the same shape as the Luminar and oneTBB peers: fib(n-1) in a
// `#pragma omp task`, fib(n-2) inline, then `taskwait`. Built twice: with GCC and libgomp
// (bench_runtime_gomp) and with clang++-14 and LLVM's libomp (bench_runtime_libomp).
//
//   bench_runtime_<gomp|libomp> fib [--n N] [--reps R] [--threads T]
#include "common.hpp"

namespace {

long fib(int n) {
  if (n < 2) return n;
  long x = 0;
#pragma omp task shared(x)
  x = fib(n - 1);
  const long y = fib(n - 2);
#pragma omp taskwait
  return x + y;
}

}  // namespace

int main(int argc, char **argv) {
  const bench::options o = bench::parse(argc, argv);
  if (o.kernel != "fib") {
    std::fprintf(stderr, "%s: only the fib kernel\n", argv[0]);
    return 2;
  }
  const int n = static_cast<int>(bench::size_or(o, 30));
  bench::time_kernel(o, n, bench::fib_spawns(n), "ns/spawn", [&] {
    long result = 0;
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(o.threads)
#pragma omp single
    result = fib(n);
    const double elapsed = bench::seconds_since(start);
    bench::check(result == bench::fib_serial(n), "fib value");
    return elapsed;
  });
  return 0;
}
