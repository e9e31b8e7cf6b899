// The bare-metal benchmark loops done the naive way: every construct creates threads - 1
// std::threads, gives each a contiguous share of the range (the calling thread takes the
// first share, as in the other variants), and joins them. Same loops and bodies as
// luminar_variant.cpp (kernels.hpp); compiled with `-O2 -pthread`.
#include <cstddef>
#include <thread>
#include <vector>

#include "kernels.hpp"

namespace bench {

namespace {

// Calls share(t, lo, hi) for the t-th of `threads` contiguous shares of [begin, end), share t
// on a thread of its own for t >= 1, share 0 on the calling thread; returns after all.
template <class Share>
void naive_parallel_for(long begin, long end, int threads, Share share) {
  const long n = end - begin;
  const long count = threads < 1 ? 1 : (n < threads ? (n < 1 ? 1 : n) : threads);
  auto bounds = [&](long t, long &lo, long &hi) {
    const long base = n / count, extra = n % count;
    lo = begin + t * base + (t < extra ? t : extra);
    hi = lo + base + (t < extra ? 1 : 0);
  };
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<std::size_t>(count - 1));
  for (long t = 1; t < count; ++t) {
    long lo, hi;
    bounds(t, lo, hi);
    helpers.emplace_back([&share, t, lo, hi] { share(t, lo, hi); });
  }
  long lo, hi;
  bounds(0, lo, hi);
  share(0, lo, hi);
  for (std::thread &h : helpers) h.join();
}

// One thread's partial result, on a cache line of its own.
template <class T>
struct alignas(64) partial {
  T value{};
};

}  // namespace

void overhead_parallel_for(long reps, int threads) {
  for (long r = 0; r < reps; ++r) {
    naive_parallel_for(0, threads, threads, [&](long, long lo, long hi) {
      for (long i = lo; i < hi; ++i) empty_body(i);
    });
  }
}

long overhead_reduction(long reps, int threads) {
  long total = 0;
  std::vector<partial<long>> partials(static_cast<std::size_t>(threads));
  for (long r = 0; r < reps; ++r) {
    long x = 0;
    naive_parallel_for(0, threads, threads, [&](long t, long lo, long hi) {
      long x = 0;
      for (long i = lo; i < hi; ++i) x += reduction_term(i);
      partials[static_cast<std::size_t>(t)].value = x;
    });
    for (const partial<long> &p : partials) x += p.value;
    total += x;
  }
  return total;
}

double sum(const double *x, long n, int threads) {
  double s = 0;
  std::vector<partial<double>> partials(static_cast<std::size_t>(threads));
  naive_parallel_for(0, n, threads, [&](long t, long lo, long hi) {
    double s = 0;
    for (long i = lo; i < hi; ++i) s += sum_term(x, i);
    partials[static_cast<std::size_t>(t)].value = s;
  });
  for (const partial<double> &p : partials) s += p.value;
  return s;
}

void saxpy(float a, const float *x, float *y, long n, int threads) {
  naive_parallel_for(0, n, threads, [&](long, long lo, long hi) {
    for (long i = lo; i < hi; ++i) saxpy_body(a, x, y, i);
  });
}

void where_threads_run(cpu_slot *slots, int threads) {
  naive_parallel_for(0, threads, threads, [&](long, long lo, long hi) {
    for (long i = lo; i < hi; ++i) record_cpu(slots, i);
  });
}

}  // namespace bench
