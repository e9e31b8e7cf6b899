// The loop bodies of the bare-metal benchmarks, shared by the three variants.
//
// Every variant (luminar_variant.cpp, translated or turned into OpenMP, and
// naive_variant.cpp) writes the same loops around the same calls below, so the only thing
// that differs between them is how the iterations are handed to threads. The bodies are
// inline and the variants are compiled at -O2, so each call disappears into its loop.
//
// This header must stay free of Luminar includes: the translated luminar variant is compiled
// with `-O2 -pthread` only. It is found next to the including file (the build copies it
// beside the translated source), so no -I is needed either.
#ifndef LUMINAR_BENCH_KERNELS_HPP
#define LUMINAR_BENCH_KERNELS_HPP

#include <sched.h>  // sched_getcpu (glibc; g++ defines _GNU_SOURCE)

namespace bench {

// (a) EPCC "PARALLEL FOR": one iteration per thread that does nothing. The asm keeps the
// iteration (and so the construct's loop) from being proven empty, at no cost.
inline void empty_body(long i) { __asm__ __volatile__("" : : "r"(i)); }

// (b) EPCC "REDUCTION": each iteration adds 1, which the compiler cannot see through.
inline long reduction_term(long i) {
  long one = 1;
  __asm__ __volatile__("" : "+r"(one) : "r"(i));
  return one;
}

// (c) sum of a large double array.
inline double sum_term(const double *x, long i) { return x[i]; }

// (d) saxpy on large float arrays.
inline void saxpy_body(float a, const float *x, float *y, long i) { y[i] = a * x[i] + y[i]; }

// Not timed: where the iterations of a construct ran. The overhead of a construct depends
// above all on whether the OS runs its threads on different CPUs (a shared machine often
// puts both on one), so the driver probes it between the timed batches or passes.
struct alignas(64) cpu_slot {
  int cpu = -1;
};
inline void record_cpu(cpu_slot *slots, long i) { slots[i].cpu = sched_getcpu(); }

// What each variant implements (the loops with their parallel constructs).

// reps times: a parallel for over [0, threads) running empty_body.
void overhead_parallel_for(long reps, int threads);
// reps times: a parallel for over [0, threads) with reduction(+: x) of reduction_term;
// returns the sum of all reductions (reps * threads).
long overhead_reduction(long reps, int threads);
// Sum of x[0..n) by a parallel for with reduction(+: s).
double sum(const double *x, long n, int threads);
// y[i] = a * x[i] + y[i] for i in [0, n) by a parallel for.
void saxpy(float a, const float *x, float *y, long n, int threads);
// One parallel for over [0, threads) whose iteration i records its CPU in slots[i].
void where_threads_run(cpu_slot *slots, int threads);

}  // namespace bench

#endif  // LUMINAR_BENCH_KERNELS_HPP
