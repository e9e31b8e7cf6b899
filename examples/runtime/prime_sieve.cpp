// The concurrent prime sieve of Go's documentation: a generator task and a growing chain
// of filter tasks connected by unbuffered channels. Each prime found spawns one more
// filter, so the number of tasks is only known at run time.
#include <luminar/luminar.hpp>

#include <cstdio>

static void filter(luminar::channel<int> in, luminar::channel<int> out, int prime) {
  for (int value : in)
    if (value % prime != 0) out.send(value);
  out.close();
}

int main() {
  constexpr int kPrimes = 100;
  luminar::channel<int> numbers;
  int last = 0;
#pragma luminar concurrent name("sieve")
  {
#pragma luminar spawn name("generate")
    {
      for (int i = 2; numbers.send(i) == luminar::chan_status::ok; ++i) {
      }
    }
    luminar::channel<int> in = numbers;
    for (int n = 0; n < kPrimes; ++n) {
      last = *in.recv();
      luminar::channel<int> out;
#pragma luminar spawn name("filter")
      filter(in, out, last);
      in = out;
    }
    // Stop the generator; the close travels down the chain and every filter returns.
    numbers.close();
    while (in.recv()) {
    }
  }
  std::printf("prime_sieve: the %dth prime is %d\n", kPrimes, last);
  return last == 541 ? 0 : 1;
}
