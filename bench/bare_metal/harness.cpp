// Driver shared by the three bare-metal benchmark variants: parses the command line, sets
// up the data, times the variant's loops (kernels.hpp) and prints one result line.
//
//   bench_bare_metal_<variant> <kernel> [--threads T] [--n N] [--passes P] [--batches B]
//                                       [--batch-ms MS]
//
// kernel:
//   parallel_for  EPCC-style overhead of an empty-bodied `parallel for` over [0, T): batches
//                 of R back-to-back constructs (R: as many as fit in MS ms), each followed
//                 by the same R loops run serially (the reference).
//                 Result: median over B batches of (parallel - serial) / R, in µs. The
//                 defaults (101 batches of 1 ms) follow EPCC's ~1 ms per test.
//   reduction     the same with reduction(+: x).
//   sum           reduction(+: s) over N doubles; median over P timed passes (after one
//                 untimed warm-up pass), in ns per element; also GB/s (8 bytes per element).
//   saxpy         y[i] = a * x[i] + y[i] over N floats, as `sum` (12 bytes per element:
//                 x and y read, y written).
//
// Output, one line: `<kernel> <median> <best> <unit> | <details>; same_cpu=<fraction>` (best:
// the smallest batch or pass; same_cpu: see cpu_probe), so that scripts can take fields 2
// and 3 and the last one. Every kernel checks its result and exits with status 1 if it is
// wrong. This file is compiled without OpenMP and without Luminar; only the variant differs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string kernel;
  int threads = 2;
  long n = 1L << 26;
  int passes = 10;
  int batches = 101;
  double batch_ms = 1.0;
};

[[noreturn]] void usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s parallel_for|reduction|sum|saxpy [--threads T] [--n N] [--passes P] "
               "[--batches B] [--batch-ms MS]\n",
               argv0);
  std::exit(2);
}

options parse(int argc, char **argv) {
  if (argc < 2) usage(argv[0]);
  options o;
  o.kernel = argv[1];
  for (int i = 2; i < argc; ++i) {
    if (i + 1 >= argc) usage(argv[0]);
    const char *flag = argv[i];
    const char *value = argv[++i];
    if (std::strcmp(flag, "--threads") == 0) {
      o.threads = std::atoi(value);
    } else if (std::strcmp(flag, "--n") == 0) {
      o.n = std::atol(value);
    } else if (std::strcmp(flag, "--passes") == 0) {
      o.passes = std::atoi(value);
    } else if (std::strcmp(flag, "--batches") == 0) {
      o.batches = std::atoi(value);
    } else if (std::strcmp(flag, "--batch-ms") == 0) {
      o.batch_ms = std::atof(value);
    } else {
      usage(argv[0]);
    }
  }
  if (o.threads < 1 || o.n < 1 || o.passes < 1 || o.batches < 1 || o.batch_ms <= 0) usage(argv[0]);
  return o;
}

template <class Fn>
double seconds(Fn &&fn) {
  const clock_type::time_point start = clock_type::now();
  fn();
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 != 0 ? v[m] : (v[m - 1] + v[m]) / 2;
}

[[noreturn]] void wrong(const char *kernel, const char *what) {
  std::fprintf(stderr, "%s: wrong result: %s\n", kernel, what);
  std::exit(1);
}

// The serial references: the variants' loops without the parallel construct.
void serial_parallel_for(long reps, int threads) {
  for (long r = 0; r < reps; ++r) {
    for (long i = 0; i < threads; ++i) bench::empty_body(i);
  }
}

long serial_reduction(long reps, int threads) {
  long total = 0;
  for (long r = 0; r < reps; ++r) {
    long x = 0;
    for (long i = 0; i < threads; ++i) x += bench::reduction_term(i);
    total += x;
  }
  return total;
}

// Untimed: after each batch or pass, one `parallel for` over [0, T) that records where its
// iterations ran. The share of these probes that found two iterations on one CPU tells
// which regime the run was in (the OS seldom moves a variant's persistent threads within a
// run; naive creates fresh threads for each, so there it is only a rough guide). Probing
// stops once it has taken 50 ms, so that a slow regime does not stretch the run.
class cpu_probe {
 public:
  explicit cpu_probe(int threads) : slots_(static_cast<std::size_t>(threads)) {}

  void sample() {
    if (slots_.size() < 2 || spent_ > std::chrono::milliseconds(50)) return;
    const clock_type::time_point start = clock_type::now();
    for (bench::cpu_slot &slot : slots_) slot.cpu = -1;
    bench::where_threads_run(slots_.data(), static_cast<int>(slots_.size()));
    std::vector<int> cpus;
    for (const bench::cpu_slot &slot : slots_) cpus.push_back(slot.cpu);
    std::sort(cpus.begin(), cpus.end());
    if (std::adjacent_find(cpus.begin(), cpus.end()) != cpus.end()) ++shared_;
    ++probes_;
    spent_ += clock_type::now() - start;
  }

  double shared_fraction() const {
    return probes_ == 0 ? 0 : static_cast<double>(shared_) / static_cast<double>(probes_);
  }

 private:
  std::vector<bench::cpu_slot> slots_;
  long probes_ = 0, shared_ = 0;
  clock_type::duration spent_{};
};

// EPCC method: per batch, (parallel time - serial time) / reps. A batch runs the parallel
// constructs in groups of kGroup until batch_ms have passed (so a descheduled moment cannot
// cut a calibration short; the clock read per group adds ~2 ns per construct to every
// variant alike), then the serial reference for as many repetitions.
template <class Parallel, class Serial>
int overhead(const options &o, Parallel parallel, Serial serial) {
  constexpr long kGroup = 16;
  parallel(kGroup);  // warm-up: starts whatever threads the variant keeps
  std::vector<double> overhead_us, construct_us, serial_us;
  long total_reps = 0;
  cpu_probe probe(o.threads);
  for (int b = 0; b < o.batches; ++b) {
    long reps = 0;
    const clock_type::time_point start = clock_type::now();
    clock_type::time_point now;
    do {
      parallel(kGroup);
      reps += kGroup;
      now = clock_type::now();
    } while (std::chrono::duration<double, std::milli>(now - start).count() < o.batch_ms);
    const double tp = std::chrono::duration<double>(now - start).count();
    const double ts = seconds([&] { serial(reps); });
    overhead_us.push_back((tp - ts) / static_cast<double>(reps) * 1e6);
    construct_us.push_back(tp / static_cast<double>(reps) * 1e6);
    serial_us.push_back(ts / static_cast<double>(reps) * 1e6);
    total_reps += reps;
    probe.sample();
  }
  std::printf("%s %.4f %.4f us_per_construct | median parallel %.4f us, serial %.4f us; %d batches of %g ms "
              "(%ld constructs), %d threads; same_cpu=%.2f\n",
              o.kernel.c_str(), median(overhead_us), *std::min_element(overhead_us.begin(), overhead_us.end()),
              median(construct_us), median(serial_us), o.batches, o.batch_ms, total_reps, o.threads,
              probe.shared_fraction());
  return 0;
}

// Large loops: one untimed warm-up pass, then `passes` timed ones.
template <class Pass>
std::vector<double> pass_times(const options &o, cpu_probe &probe, Pass pass) {
  pass();
  std::vector<double> t;
  for (int p = 0; p < o.passes; ++p) {
    t.push_back(seconds(pass));
    probe.sample();
  }
  return t;
}

void print_throughput(const options &o, const std::vector<double> &pass_seconds, const cpu_probe &probe,
                      double bytes_per_element) {
  const double n = static_cast<double>(o.n);
  const double med = median(pass_seconds);
  const double best = *std::min_element(pass_seconds.begin(), pass_seconds.end());
  std::printf("%s %.4f %.4f ns_per_element | median %.3f GB/s, %.3f ms per pass; n %ld, %d passes, %d threads; "
              "same_cpu=%.2f\n",
              o.kernel.c_str(), med / n * 1e9, best / n * 1e9, bytes_per_element * n / med / 1e9, med * 1e3, o.n,
              o.passes, o.threads, probe.shared_fraction());
}

int run_sum(const options &o) {
  std::unique_ptr<double[]> x(new double[static_cast<std::size_t>(o.n)]);
  // Multiples of 1/8 below 1: every partial sum is exact, whatever the split.
  double expected = 0;
  for (long i = 0; i < o.n; ++i) {
    x[i] = static_cast<double>(i % 8) * 0.125;
    expected += x[i];
  }
  double result = 0;
  cpu_probe probe(o.threads);
  const std::vector<double> t = pass_times(o, probe, [&] { result = bench::sum(x.get(), o.n, o.threads); });
  if (result != expected) wrong("sum", "the sum differs from the serial one");
  print_throughput(o, t, probe, 8.0);
  return 0;
}

int run_saxpy(const options &o) {
  std::unique_ptr<float[]> x(new float[static_cast<std::size_t>(o.n)]);
  std::unique_ptr<float[]> y(new float[static_cast<std::size_t>(o.n)]);
  for (long i = 0; i < o.n; ++i) {
    x[i] = static_cast<float>(i % 4);
    y[i] = 1.0f;
  }
  const float a = 0.5f;
  int passes = 0;
  cpu_probe probe(o.threads);
  const std::vector<double> t = pass_times(o, probe, [&] {
    bench::saxpy(a, x.get(), y.get(), o.n, o.threads);
    ++passes;
  });
  // y = 1 + passes * a * x, exact in float for these small values.
  for (long i : {0L, 1L, 2L, 3L, o.n / 2, o.n / 2 + 1, o.n - 2, o.n - 1}) {
    if (i < 0 || i >= o.n) continue;
    if (y[i] != 1.0f + static_cast<float>(passes) * a * x[i]) wrong("saxpy", "an element has the wrong value");
  }
  print_throughput(o, t, probe, 12.0);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  const options o = parse(argc, argv);
  if (o.kernel == "parallel_for") {
    return overhead(o, [&](long reps) { bench::overhead_parallel_for(reps, o.threads); },
                    [&](long reps) { serial_parallel_for(reps, o.threads); });
  }
  if (o.kernel == "reduction") {
    return overhead(
        o,
        [&](long reps) {
          if (bench::overhead_reduction(reps, o.threads) != reps * o.threads) wrong("reduction", "lost an update");
        },
        [&](long reps) {
          if (serial_reduction(reps, o.threads) != reps * o.threads) wrong("reduction", "serial reference");
        });
  }
  if (o.kernel == "sum") return run_sum(o);
  if (o.kernel == "saxpy") return run_saxpy(o);
  usage(argv[0]);
}
