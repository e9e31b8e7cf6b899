// The steal plugin's own tests. `steal_test --overflow-child` is the child process of the
// stack-overflow death test (overflow_test.cpp), not a test run.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>

int run_overflow_child();

int main(int argc, char **argv) {
  if (argc == 2 && std::strcmp(argv[1], "--overflow-child") == 0) return run_overflow_child();
  return doctest::Context(argc, argv).run();
}
