// The bare-metal benchmark loops, written once with `#pragma luminar parallel for`.
//   * luminar variant: the build translates this file with the in-tree `luminar` tool and
//     compiles the output with `-O2 -pthread` only;
//   * omp variant: the build copies this file with `#pragma luminar` replaced by
//     `#pragma omp` (make_omp_variant.cmake) and compiles it with `-O2 -fopenmp`;
//   * naive variant: naive_variant.cpp writes the same loops and bodies by hand around
//     std::thread.
// Keep every pragma's clauses valid for both Luminar and OpenMP.
#include "kernels.hpp"

namespace bench {

void overhead_parallel_for(long reps, int threads) {
  for (long r = 0; r < reps; ++r) {
#pragma luminar parallel for num_threads(threads)
    for (long i = 0; i < threads; ++i) empty_body(i);
  }
}

long overhead_reduction(long reps, int threads) {
  long total = 0;
  for (long r = 0; r < reps; ++r) {
    long x = 0;
#pragma luminar parallel for num_threads(threads) reduction(+: x)
    for (long i = 0; i < threads; ++i) x += reduction_term(i);
    total += x;
  }
  return total;
}

double sum(const double *x, long n, int threads) {
  double s = 0;
#pragma luminar parallel for num_threads(threads) reduction(+: s)
  for (long i = 0; i < n; ++i) s += sum_term(x, i);
  return s;
}

void saxpy(float a, const float *x, float *y, long n, int threads) {
#pragma luminar parallel for num_threads(threads)
  for (long i = 0; i < n; ++i) saxpy_body(a, x, y, i);
}

void where_threads_run(cpu_slot *slots, int threads) {
#pragma luminar parallel for num_threads(threads)
  for (long i = 0; i < threads; ++i) record_cpu(slots, i);
}

}  // namespace bench
