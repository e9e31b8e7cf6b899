// Several translation units embedding bare_metal.hpp share one team; constructs work from
// static destructors, after fork(), and the header can be embedded as a raw string.
#include <luminar/bare_metal.hpp>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "test_support.hpp"

namespace bm = luminar::bare_metal;

// Defined in odr_second_tu.cpp.
const void *second_tu_team();
const void *second_tu_critical_mutex();
std::uint64_t second_tu_sum(std::uint64_t count);

namespace {

std::uint64_t sum_below(std::uint64_t count, std::size_t threads) {
  std::uint64_t sum = 0;
  bm::loop_options opts;
  opts.max_threads = threads;
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

// Runs a parallel_for while static objects are destroyed (after main returned); aborts, and
// so fails the test, when the result is wrong.
struct loop_at_exit {
  ~loop_at_exit() {
    if (sum_below(100000, 4) != 100000ull * 99999 / 2) std::abort();
  }
} loop_at_exit_instance;

}  // namespace

TEST_CASE("odr: both translation units use the same team and critical mutex") {
  CHECK(second_tu_team() == static_cast<const void *>(&bm::detail::the_team()));
  CHECK(second_tu_critical_mutex() == static_cast<const void *>(&bm::unnamed_critical_mutex()));
  CHECK(second_tu_sum(50000) == 50000ull * 49999 / 2);
  CHECK(sum_below(50000, 4) == 50000ull * 49999 / 2);
}

TEST_CASE("odr: the header can be embedded in a raw string literal") {
  std::ifstream in(LUMINAR_BARE_METAL_HEADER);
  REQUIRE(in.good());
  std::stringstream content;
  content << in.rdbuf();
  const std::string text = content.str();
  CHECK(text.find(")luminar_prelude\"") == std::string::npos);
  CHECK(text.find("#ifndef LUMINAR_BARE_METAL_HPP") != std::string::npos);
  CHECK(text.find("namespace luminar::bare_metal {") != std::string::npos);
}

#ifndef LUMINAR_TEST_TSAN  // ThreadSanitizer does not support threads started after a multi-threaded fork
TEST_CASE("odr: a forked child gets a fresh team") {
  REQUIRE(sum_below(1000, 3) == 1000ull * 999 / 2);  // the parent's team has workers now
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(sum_below(100000, 3) == 100000ull * 99999 / 2 ? 0 : 1);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
#endif
