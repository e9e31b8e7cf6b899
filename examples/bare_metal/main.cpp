// A latency report over a synthetic request log, computed with Luminar blocks and checked
// against the plain serial code in stats.h.
//
// Every block below needs nothing but the standard library, so `luminar` compiles them
// bare-metal: std::thread and std::atomic, no runtime library, no plugin. The program
// prints both reports and "OK", or "MISMATCH" and exits with 1.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <vector>

#include "stats.h"

namespace {

constexpr std::size_t kSlice = 4096;  // requests per histogram slice

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

stats::Report parallel_report(const stats::Dataset& data) {
  stats::Report report;
  const std::vector<int>& latency = data.latency_us;
  const std::size_t n = latency.size();

  // Reported when the function returns, however it returns.
  const auto started = std::chrono::steady_clock::now();
#pragma luminar defer
  std::printf("  parallel report over %zu requests took %.2f ms\n", n, elapsed_ms(started));

  // Total latency. A small log is not worth starting threads for: with if() it runs
  // serially, in loop order, with the same result.
  long long total = 0;
#pragma luminar parallel for reduction(+: total) num_threads(4) if(n > 1000)
  for (std::size_t i = 0; i < n; ++i) {
    total += latency[i];
  }
  report.total_us = total;

  // Longest session. Session lengths are heavy-tailed, so equal static ranges would leave
  // some threads idle while one sums the long sessions: threads take 64 sessions at a time.
  long long longest = 0;
  const std::size_t sessions = data.sessions();
#pragma luminar parallel for schedule(dynamic, 64) reduction(max: longest)
  for (std::size_t s = 0; s < sessions; ++s) {
    long long session_us = 0;
    for (std::size_t i = data.session_begin[s]; i < data.session_begin[s + 1]; ++i) {
      session_us += latency[i];
    }
    longest = std::max(longest, session_us);
  }
  report.longest_session_us = longest;

  // Histogram and objective violations, one slice of the log per iteration. Each slice
  // counts privately, then publishes once: an atomic add for the counter, a lock for the
  // histogram array.
  long long slow = 0;
  const std::size_t slices = (n + kSlice - 1) / kSlice;
#pragma luminar parallel for
  for (std::size_t b = 0; b < slices; ++b) {
    std::array<long long, stats::kBuckets> local{};
    long long local_slow = 0;
    const std::size_t end = std::min(n, (b + 1) * kSlice);
    for (std::size_t i = b * kSlice; i < end; ++i) {
      ++local[stats::bucket_of(latency[i])];
      if (latency[i] > stats::kSloUs) ++local_slow;
    }
#pragma luminar atomic
    slow += local_slow;
#pragma luminar critical(histogram)
    for (int k = 0; k < stats::kBuckets; ++k) report.histogram[k] += local[k];
  }
  report.slow_requests = slow;

  // Three percentiles at once. Each task selects on its own copy of the log, then stores
  // its result under the report's lock.
#pragma luminar parallel name("percentiles")
  {
#pragma luminar spawn
    {
      const int value = stats::percentile(latency, 50);
#pragma luminar critical(report)
      report.p50 = value;
    }
#pragma luminar spawn
    {
      const int value = stats::percentile(latency, 90);
#pragma luminar critical(report)
      report.p90 = value;
    }
#pragma luminar spawn
    {
      const int value = stats::percentile(latency, 99);
#pragma luminar critical(report)
      report.p99 = value;
    }
  }
  return report;
}

void print(const char* title, const stats::Report& r) {
  std::printf("  %-9s total %lld us, longest session %lld us, %lld slow, p50/p90/p99 %d/%d/%d us\n",
              title, r.total_us, r.longest_session_us, r.slow_requests, r.p50, r.p90, r.p99);
}

// Compares field by field and names every field that differs.
bool same(const stats::Report& expected, const stats::Report& actual) {
  bool ok = true;
  auto check = [&](const char* field, long long want, long long got) {
    if (want != got) {
      std::printf("  %s: expected %lld, got %lld\n", field, want, got);
      ok = false;
    }
  };
  check("total_us", expected.total_us, actual.total_us);
  check("longest_session_us", expected.longest_session_us, actual.longest_session_us);
  check("slow_requests", expected.slow_requests, actual.slow_requests);
  for (int k = 0; k < stats::kBuckets; ++k) {
    check("histogram bucket", expected.histogram[k], actual.histogram[k]);
  }
  check("p50", expected.p50, actual.p50);
  check("p90", expected.p90, actual.p90);
  check("p99", expected.p99, actual.p99);
  return ok;
}

}  // namespace

int main() {
  bool ok = true;
  // Five sessions give a log of 965 requests, which takes the serial path of if(n > 1000);
  // forty thousand give 1.3 million, which take the threads.
  for (std::size_t sessions : {std::size_t{5}, std::size_t{40000}}) {
    const stats::Dataset data = stats::make_dataset(sessions, 2024);
    std::printf("%zu sessions, %zu requests\n", sessions, data.latency_us.size());
    const stats::Report expected = stats::serial_report(data);
    const stats::Report actual = parallel_report(data);
    print("serial", expected);
    print("parallel", actual);
    ok = same(expected, actual) && ok;
  }
  std::puts(ok ? "OK" : "MISMATCH");
  return ok ? 0 : 1;
}
