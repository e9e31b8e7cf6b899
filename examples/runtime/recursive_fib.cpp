// Recursive fork/join: every call of fib spawns one half and computes the other. The
// spawned statement calls the function that holds the block (recursion), so the analyzer
// makes the block runtime-assisted: the runtime runs the whole tree on its workers instead
// of creating threads per level. Below a cutoff the recursion is serial.
#include <cstdio>

static long fib_serial(int n) { return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2); }

static long fib(int n) {
  if (n < 20) return fib_serial(n);
  long a = 0, b = 0;
#pragma luminar parallel name("fib")
  {
#pragma luminar spawn
    a = fib(n - 1);
    b = fib(n - 2);
  }
  return a + b;
}

int main() {
  const long value = fib(30);
  std::printf("recursive_fib: fib(30) = %ld\n", value);
  return value == 832040 ? 0 : 1;
}
