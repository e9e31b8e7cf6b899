// Death test: a task that overflows its fiber stack is reported by name and the process
// aborts. The child is this executable run again with --overflow-child (a fork of a
// process with runtime threads could not start the runtime again).
#include <doctest/doctest.h>
#include <luminar/luminar.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

extern char **environ;

namespace {

volatile int depth_limit = 1 << 30;  // volatile: the recursion is not provably infinite

__attribute__((noinline)) int recurse(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (depth >= depth_limit) return frame[0];
  return recurse(depth + 1) + frame[0];
}

}  // namespace

int run_overflow_child() {
  luminar::runtime::task_group group;
  luminar::runtime::spawn_options options;
  options.name = "deep";
  group.spawn([] { recurse(0); }, options);
  group.wait();
  return 0;  // not reached: the overflow aborts
}

TEST_CASE("stack overflow in a task is reported with its name, then aborts") {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  char self[] = "/proc/self/exe";
  char flag[] = "--overflow-child";
  char *argv[] = {self, flag, nullptr};
  pid_t child = 0;
  REQUIRE(posix_spawn(&child, "/proc/self/exe", &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  std::string err;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) err.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("child stderr: " << err);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(err.find("luminar: fiber stack overflow in task 'deep'") != std::string::npos);
  CHECK(err.find("raise LUMINAR_STACK_SIZE") != std::string::npos);
}
