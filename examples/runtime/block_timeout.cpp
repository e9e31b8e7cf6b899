// A block with a deadline: a fast and a slow lookup run side by side; the block is
// cancelled after its timeout, the slow task's sleep is interrupted (its destructors run),
// and the block throws luminar::timeout_error. The caller falls back to what it has.
#include <luminar/luminar.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>

int main() {
  using namespace std::chrono_literals;
  std::optional<int> fast, slow;
  bool timed_out = false;
  try {
#pragma luminar concurrent timeout(200ms) name("lookups")
    {
#pragma luminar spawn name("cache")
      {
        luminar::this_task::sleep_for(5ms);
        fast = 7;
      }
#pragma luminar spawn name("database")
      {
        luminar::this_task::sleep_for(30s);  // interrupted by the block's timeout
        slow = 8;
      }
    }
  } catch (const luminar::timeout_error &e) {
    timed_out = true;
    std::printf("block_timeout: %s\n", e.what());
  }
  std::printf("block_timeout: cache %s, database %s\n", fast ? "answered" : "missing", slow ? "answered" : "missing");
  return timed_out && fast && !slow ? 0 : 1;
}
