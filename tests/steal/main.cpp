// The steal plugin's own tests. `steal_test --overflow-child` and `--canary-overflow-child`
// are the child processes of the stack-overflow death tests (overflow_test.cpp), not test runs.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>

int run_overflow_child();
int run_canary_overflow_child();

int main(int argc, char **argv) {
  if (argc == 2 && std::strcmp(argv[1], "--overflow-child") == 0) return run_overflow_child();
  if (argc == 2 && std::strcmp(argv[1], "--canary-overflow-child") == 0) return run_canary_overflow_child();
  return doctest::Context(argc, argv).run();
}
