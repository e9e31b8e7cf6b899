// luminar/errors.hpp and error_state on its own.
#include <luminar/errors.hpp>
#include <luminar/bare_metal.hpp>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace bm = luminar::bare_metal;

static_assert(std::is_base_of_v<std::exception, luminar::error_list>);
static_assert(std::is_base_of_v<std::exception, luminar::timeout_error>);
static_assert(std::is_base_of_v<std::exception, luminar::task_cancelled>);
static_assert(std::is_base_of_v<std::exception, luminar::runtime_error>);
static_assert(std::is_nothrow_copy_constructible_v<luminar::timeout_error>);
static_assert(std::is_nothrow_copy_constructible_v<luminar::runtime_error>);

TEST_CASE("error_list: size, iteration and summary") {
  luminar::error_list list;
  CHECK(list.empty());
  CHECK(list.size() == 0);
  list.add(std::make_exception_ptr(std::runtime_error("boom")), "iteration 4");
  CHECK(std::string(list.what()) == "1 task failed: iteration 4: boom");
  list.add(std::make_exception_ptr(std::logic_error("bad index")), "iteration 9");
  list.add(std::make_exception_ptr(42), "worker");
  CHECK(list.size() == 3);
  CHECK_FALSE(list.empty());
  CHECK(std::string(list.what()) == "3 tasks failed: iteration 4: boom; iteration 9: bad index; worker: unknown exception");

  std::vector<std::string> tasks;
  for (const luminar::error_entry &entry : list) tasks.push_back(entry.task);
  CHECK(tasks == std::vector<std::string>{"iteration 4", "iteration 9", "worker"});
  CHECK_THROWS_WITH_AS(std::rethrow_exception(list[1].error), "bad index", std::logic_error);
}

TEST_CASE("error_list: a long list is summarised, not spelled out") {
  luminar::error_list list;
  for (int i = 0; i < 1000; ++i) list.add(std::make_exception_ptr(std::runtime_error("e")), "iteration " + std::to_string(i));
  const std::string what = list.what();
  CHECK(list.size() == 1000);
  CHECK(what.find("1000 tasks failed: iteration 0: e; iteration 1: e") == 0);
  CHECK(what.find("and 992 more") != std::string::npos);
  CHECK(what.size() < 400);
}

TEST_CASE("error_list: thrown and caught as std::exception, copies keep their entries") {
  luminar::error_list list;
  list.add(std::make_exception_ptr(std::runtime_error("x")), "t");
  try {
    throw list;
  } catch (const std::exception &e) {
    CHECK(std::string(e.what()) == "1 task failed: t: x");
    const auto *as_list = dynamic_cast<const luminar::error_list *>(&e);
    REQUIRE(as_list != nullptr);
    CHECK(as_list->size() == 1);
  }
}

TEST_CASE("timeout_error, task_cancelled, runtime_error") {
  CHECK(std::string(luminar::timeout_error().what()) == "luminar: timeout");
  CHECK(std::string(luminar::timeout_error("block 'io' timed out").what()) == "block 'io' timed out");
  CHECK(std::string(luminar::task_cancelled().what()) == "luminar: task cancelled");
  CHECK(std::string(luminar::runtime_error("cannot load plugin").what()) == "cannot load plugin");
  CHECK_THROWS_AS(throw luminar::timeout_error(), std::exception);
}

TEST_CASE("error_state: each strategy keeps what it should") {
  SUBCASE("stop keeps the first and cancels") {
    bm::error_state errors(bm::error_strategy::stop);
    CHECK(errors.strategy() == bm::error_strategy::stop);
    CHECK_FALSE(errors.cancelled());
    CHECK_NOTHROW(errors.rethrow_first());
    errors.record(std::make_exception_ptr(std::runtime_error("first")), "a");
    errors.record(std::make_exception_ptr(std::runtime_error("second")), "b");
    CHECK(errors.cancelled());
    CHECK(errors.count() == 2);
    CHECK_THROWS_WITH_AS(errors.rethrow_first(), "first", std::runtime_error);
    CHECK_NOTHROW(errors.throw_collected<luminar::error_list>());
  }
  SUBCASE("collect keeps all in order and never cancels") {
    bm::error_state errors(bm::error_strategy::collect);
    CHECK_NOTHROW(errors.throw_collected<luminar::error_list>());
    errors.record(std::make_exception_ptr(std::runtime_error("one")), "a");
    errors.record(std::make_exception_ptr(std::runtime_error("two")), "b");
    CHECK_FALSE(errors.cancelled());
    CHECK(errors.count() == 2);
    CHECK_NOTHROW(errors.rethrow_first());
    try {
      errors.throw_collected<luminar::error_list>();
      FAIL("throw_collected did not throw");
    } catch (const luminar::error_list &list) {
      REQUIRE(list.size() == 2);
      CHECK(list[0].task == "a");
      CHECK(list[1].task == "b");
      CHECK(std::string(list.what()) == "2 tasks failed: a: one; b: two");
    }
  }
  SUBCASE("ignore counts only") {
    bm::error_state errors(bm::error_strategy::ignore);
    errors.record(std::make_exception_ptr(1), "a");
    errors.record(std::make_exception_ptr(2), "b");
    CHECK(errors.count() == 2);
    CHECK_FALSE(errors.cancelled());
    CHECK_NOTHROW(errors.rethrow_first());
    CHECK_NOTHROW(errors.throw_collected<luminar::error_list>());
  }
}
