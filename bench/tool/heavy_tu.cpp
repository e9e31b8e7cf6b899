// A heavy translation unit for timing the tool: most of the standard library plus a
// dozen Luminar blocks of every bare-metal kind.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <deque>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

template <class T> T dot(const std::vector<T> &a, const std::vector<T> &b) {
  T sum{};
  #pragma luminar parallel for reduction(+: sum)
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

struct Histogram {
  std::vector<long> bins = std::vector<long>(64);
  std::mutex lock;
  void add(const std::vector<double> &values) {
    #pragma luminar parallel for schedule(dynamic, 256)
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto bin = static_cast<std::size_t>(values[i] * 63.0);
      #pragma luminar critical(histogram)
      bins[bin]++;
    }
  }
};

int main() {
  std::vector<double> a(1 << 16, 1.0), b(1 << 16, 2.0);
  double lo = 1e9, hi = -1e9;
  #pragma luminar parallel for reduction(min: lo) reduction(max: hi) num_threads(4)
  for (std::size_t i = 0; i < a.size(); ++i) {
    lo = std::min(lo, a[i]);
    hi = std::max(hi, b[i]);
  }
  std::atomic<long> hits{0};
  long count = 0;
  #pragma luminar parallel
  {
    #pragma luminar spawn
    hits += 1;
    #pragma luminar spawn
    {
      #pragma luminar atomic
      count += 2;
    }
    #pragma luminar defer
    std::cout << "joined\n";
  }
  Histogram h;
  std::mt19937 gen(1);
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  std::vector<double> values(1000);
  for (double &v : values) v = dist(gen);
  h.add(values);
  std::cout << dot(a, b) << ' ' << lo << ' ' << hi << ' ' << hits << ' ' << count << '\n';
}
