// Second translation unit of the odr test: embeds the same header.
#include <luminar/bare_metal.hpp>

#include <cstdint>

namespace bm = luminar::bare_metal;

const void *second_tu_team() { return &bm::detail::the_team(); }

const void *second_tu_critical_mutex() { return &bm::unnamed_critical_mutex(); }

std::uint64_t second_tu_sum(std::uint64_t count) {
  std::uint64_t sum = 0;
  bm::loop_options opts;
  opts.max_threads = 3;
  opts.schedule = bm::schedule_kind::dynamic;
  opts.chunk = 64;
  bm::error_state errors(bm::error_strategy::stop);
  bm::parallel_for(count, opts, errors, [&](bm::loop_worker &w) {
    std::uint64_t mine = 0;
    w.for_each_chunk([&](std::uint64_t lo, std::uint64_t hi) {
      for (std::uint64_t i = lo; i < hi; ++i) mine += i;
    });
    w.combine([&] { sum += mine; });
  });
  return sum;
}
