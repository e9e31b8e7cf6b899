// The Luminar side of the runtime benchmarks (bench/README.md, "Runtime benchmarks"):
// channels, select, recursive spawns, spawn + join, parked tasks and idle CPU, through
// <luminar/luminar.hpp> on whichever plugin LUMINAR_RUNTIME names. Every producer,
// consumer and worker is a task of a runtime::task_group, so a fiber plugin runs them as
// fibers. go/main.go is the same program in Go; fib.cpp holds the oneTBB and OpenMP fib.
//
//   bench_runtime_luminar <kernel> [--n N] [--reps R]
//
// The worker count is the plugin's: LUMINAR_THREADS (a --threads option is accepted, like
// every peer's, and has no effect here).
// Prints "<kernel> <median> <best> <unit> | …" and exits 1 if a result is wrong.
#include "common.hpp"

#include <luminar/luminar.hpp>

#include <atomic>
#include <thread>

namespace {

using luminar::channel;
using luminar::runtime::task_group;
using clock_type = std::chrono::steady_clock;

// `pairs` producers send 0 … n-1 between them through one channel of capacity 100; `pairs`
// consumers receive until it is closed (by the last producer to finish) and add up.
double buffered(int pairs, long n) {
  channel<long> ch(100);
  std::atomic<int> producers_left{pairs};
  std::atomic<long> sum{0};
  const auto start = clock_type::now();
  task_group group;
  for (int p = 0; p < pairs; ++p) {
    group.spawn([&, p] {
      for (long i = p; i < n; i += pairs) ch.send(i);
      if (producers_left.fetch_sub(1) == 1) ch.close();
    });
  }
  for (int c = 0; c < pairs; ++c) {
    group.spawn([&] {
      long local = 0;
      for (long v : ch) local += v;
      sum += local;
    });
  }
  group.wait();
  const double elapsed = bench::seconds_since(start);
  bench::check(sum == n * (n - 1) / 2, "sum of the received values");
  return elapsed;
}

// n round trips over two unbuffered channels: i goes out on `ping`, i + 1 comes back.
double ping_pong(long n) {
  channel<long> ping, pong;
  long sum = 0;
  const auto start = clock_type::now();
  task_group group;
  group.spawn([&] {
    for (long i = 0; i < n; ++i) {
      ping.send(i);
      sum += *pong.recv();
    }
  });
  group.spawn([&] {
    for (long i = 0; i < n; ++i) pong.send(*ping.recv() + 1);
  });
  group.wait();
  const double elapsed = bench::seconds_since(start);
  bench::check(sum == n * (n - 1) / 2 + n, "sum of the returned values");
  return elapsed;
}

// Two producers (even and odd values below n) each feed a channel of capacity 100; one
// consumer takes exactly n messages with a select over both.
double select_two(long n) {
  channel<long> even(100), odd(100);
  long sum = 0;
  const auto start = clock_type::now();
  task_group group;
  group.spawn([&] {
    for (long i = 0; i < n; i += 2) even.send(i);
  });
  group.spawn([&] {
    for (long i = 1; i < n; i += 2) odd.send(i);
  });
  group.spawn([&] {
    auto add = [&](long v) { sum += v; };
    for (long k = 0; k < n; ++k) luminar::select(luminar::on_recv(even, add), luminar::on_recv(odd, add));
  });
  group.wait();
  const double elapsed = bench::seconds_since(start);
  bench::check(sum == n * (n - 1) / 2, "sum of the selected values");
  return elapsed;
}

// The shape shared with the oneTBB and OpenMP peers: fib(n-1) in a spawned child, fib(n-2)
// inline, then join. Each call is a block of its own, as the generator emits one.
long fib(int n) {
  if (n < 2) return n;
  long x = 0;
  task_group group;
  group.spawn([&] { x = fib(n - 1); });
  const long y = fib(n - 2);
  group.wait();
  return x + y;
}

double fib_root(int n) {
  long result = 0;
  const auto start = clock_type::now();
  task_group group;
  group.spawn([&] { result = fib(n); });  // the root is a task too, like every call below it
  group.wait();
  const double elapsed = bench::seconds_since(start);
  bench::check(result == bench::fib_serial(n), "fib value");
  return elapsed;
}

// n empty tasks spawned from one thread into one group, then joined. Each counts itself,
// which is the check.
double spawn_join(long n) {
  std::atomic<long> ran{0};
  const auto start = clock_type::now();
  task_group root;
  root.spawn([&] {
    task_group group;
    for (long i = 0; i < n; ++i) group.spawn([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
    group.wait();
  });
  root.wait();
  const double elapsed = bench::seconds_since(start);
  bench::check(ran == n, "number of tasks run");
  return elapsed;
}

// Starts the runtime (its workers included) with one task, so that later measurements do
// not see it start.
void start_runtime() {
  task_group group;
  group.spawn([] {});
  group.wait();
}

// n tasks blocked at once in recv on one shared unbuffered channel. Resident memory is
// read before they are spawned and once every one of them has reached its recv; then
// 1 … n are sent and the receivers' sum is checked.
void park(const bench::options &o, long n) {
  start_runtime();
  channel<long> ch;
  std::atomic<long> arrived{0};
  std::atomic<long> sum{0};
  const long before = bench::resident_bytes();
  task_group group;
  for (long i = 0; i < n; ++i) {
    group.spawn([&] {
      arrived.fetch_add(1);
      sum += *ch.recv();
    });
  }
  while (arrived.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The last arrivals are between the count and the recv: give them time to block.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const long parked = bench::resident_bytes();
  for (long i = 1; i <= n; ++i) ch.send(i);
  group.wait();
  bench::check(sum == n * (n + 1) / 2, "sum of the received values");
  const double per_task = static_cast<double>(parked - before) / static_cast<double>(n);
  std::printf("%s %.4g %.4g B/task | n=%ld rss_before=%ld rss_parked=%ld\n", o.kernel.c_str(), per_task, per_task, n,
              before, parked);
}

// The process's CPU time (all threads) over `seconds` of sleep after the runtime started.
void idle(const bench::options &o, long seconds) {
  start_runtime();
  const double cpu_before = bench::process_cpu_seconds();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double percent = (bench::process_cpu_seconds() - cpu_before) / static_cast<double>(seconds) * 100.0;
  std::printf("%s %.4g %.4g %%cpu | n=%ld seconds asleep\n", o.kernel.c_str(), percent, percent, seconds);
}

}  // namespace

int main(int argc, char **argv) {
  const bench::options o = bench::parse(argc, argv);
  const std::string &k = o.kernel;
  if (k == "chan_1p1c" || k == "chan_4p4c") {
    const long n = bench::size_or(o, 1000000);
    const int pairs = k == "chan_1p1c" ? 1 : 4;
    bench::time_kernel(o, n, n, "ns/msg", [&] { return buffered(pairs, n); });
  } else if (k == "pingpong") {
    const long n = bench::size_or(o, 100000);
    bench::time_kernel(o, n, n, "ns/roundtrip", [&] { return ping_pong(n); });
  } else if (k == "select2") {
    const long n = bench::size_or(o, 1000000);
    bench::time_kernel(o, n, n, "ns/msg", [&] { return select_two(n); });
  } else if (k == "fib") {
    const int n = static_cast<int>(bench::size_or(o, 30));
    bench::time_kernel(o, n, bench::fib_spawns(n), "ns/spawn", [&] { return fib_root(n); });
  } else if (k == "spawn") {
    const long n = bench::size_or(o, 1000000);
    bench::time_kernel(o, n, n, "ns/task", [&] { return spawn_join(n); });
  } else if (k == "park") {
    park(o, bench::size_or(o, 1000000));
  } else if (k == "idle") {
    idle(o, bench::size_or(o, 2));
  } else {
    std::fprintf(stderr, "%s: unknown kernel %s\n", argv[0], k.c_str());
    return 2;
  }
  return 0;
}
