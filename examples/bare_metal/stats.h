// The data set of the bare-metal example and the plain serial computation that its
// parallel version is checked against. Nothing here uses Luminar.
//
// main.cpp includes this file as "stats.h": after translation, main.cpp is compiled from
// the build directory, and luminar_translate's `-iquote <this directory>` is what still
// finds it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace stats {

constexpr int kBuckets = 16;          // latency histogram: 250 us wide, the last is open-ended
constexpr int kBucketWidthUs = 250;
constexpr int kSloUs = 2500;          // a request slower than this violates the objective

// A request log: every request's latency, grouped into user sessions.
struct Dataset {
  std::vector<int> latency_us;
  // Session s holds the requests [session_begin[s], session_begin[s + 1]).
  std::vector<std::size_t> session_begin;

  std::size_t sessions() const { return session_begin.size() - 1; }
};

struct Report {
  long long total_us = 0;
  long long longest_session_us = 0;
  long long slow_requests = 0;
  std::array<long long, kBuckets> histogram{};
  int p50 = 0;
  int p90 = 0;
  int p99 = 0;
};

inline int bucket_of(int latency_us) {
  return std::min(latency_us / kBucketWidthUs, kBuckets - 1);
}

// Nearest-rank percentile, q in 1..100. Takes a copy: nth_element reorders it.
inline int percentile(std::vector<int> values, int q) {
  std::size_t rank = (static_cast<std::size_t>(q) * values.size() + 99) / 100;
  if (rank == 0) rank = 1;
  auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

// A small linear congruential generator rather than <random>: the distributions of
// <random> differ between standard libraries, and this data set should not.
class Lcg {
 public:
  explicit Lcg(std::uint32_t seed) : state_(seed) {}
  std::uint32_t next(std::uint32_t bound) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state_ >> 33) % bound;
  }

 private:
  std::uint64_t state_;
};

// Most sessions are short, one in 64 is very long (a heavy tail, as in real traffic), and
// a few requests hit a slow path. So the work per session varies a lot.
inline Dataset make_dataset(std::size_t sessions, std::uint32_t seed) {
  Lcg rng(seed);
  Dataset data;
  data.session_begin.push_back(0);
  for (std::size_t s = 0; s < sessions; ++s) {
    const std::size_t length = rng.next(64) == 0 ? 200 + rng.next(1800) : 1 + rng.next(32);
    for (std::size_t i = 0; i < length; ++i) {
      int latency = 200 + static_cast<int>(rng.next(1000));
      if (rng.next(100) < 3) latency += 2000 + static_cast<int>(rng.next(6000));
      data.latency_us.push_back(latency);
    }
    data.session_begin.push_back(data.latency_us.size());
  }
  return data;
}

// The obvious serial code, the reference for every field of the parallel report.
inline Report serial_report(const Dataset& data) {
  Report report;
  for (int latency : data.latency_us) {
    report.total_us += latency;
    ++report.histogram[bucket_of(latency)];
    if (latency > kSloUs) ++report.slow_requests;
  }
  for (std::size_t s = 0; s < data.sessions(); ++s) {
    long long session_us = 0;
    for (std::size_t i = data.session_begin[s]; i < data.session_begin[s + 1]; ++i)
      session_us += data.latency_us[i];
    report.longest_session_us = std::max(report.longest_session_us, session_us);
  }
  report.p50 = percentile(data.latency_us, 50);
  report.p90 = percentile(data.latency_us, 90);
  report.p99 = percentile(data.latency_us, 99);
  return report;
}

}  // namespace stats
