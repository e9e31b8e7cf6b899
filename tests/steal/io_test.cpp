// I/O parks the task, not its worker: with one worker, a task reading an empty pipe must let
// the task that writes to it run. If the read held the worker, the test would deadlock (and
// fail by its ctest TIMEOUT). Run with LUMINAR_THREADS=1.
#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

using luminar::runtime::task_group;

TEST_CASE("parking: a task blocked in I/O leaves its worker to other tasks") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string got;
  task_group group;
  group.spawn([&] {
    char buffer[6] = {};
    CHECK(luminar::io::read(fds[0], buffer, 5, 0) == 5);
    got = buffer;
  });
  group.spawn([&] {
    luminar::this_task::sleep_for(std::chrono::milliseconds(20));  // the reader is waiting by now
    CHECK(luminar::io::write(fds[1], "hello", 5, 0) == 5);
  });
  group.wait();
  CHECK(got == "hello");
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("parking: a task that parks inside a catch block keeps its exception") {
  task_group group;
  std::string seen;
  group.spawn([&] {
    try {
      throw std::runtime_error("inner");
    } catch (const std::exception &) {
      // Parks (and may resume on another thread) while the exception is being handled.
      luminar::this_task::sleep_for(std::chrono::milliseconds(5));
      try {
        throw;  // rethrows the exception this handler caught
      } catch (const std::runtime_error &again) {
        seen = again.what();
      }
    }
  });
  group.wait();
  CHECK(seen == "inner");
}
