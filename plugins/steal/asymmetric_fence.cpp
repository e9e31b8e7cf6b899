#include "asymmetric_fence.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace luminar_steal {

std::atomic<bool> asymmetric_fences_enabled{false};

void enable_asymmetric_fences() {
  // Registration makes the expedited command available to this process.
  // Release: see the header.
  asymmetric_fences_enabled.store(syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0,
                                  std::memory_order_release);
}

void heavy_fence() {
  if (asymmetric_fences_enabled.load(std::memory_order_acquire)) {  // acquire: see the header
    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  } else {
    handshake_fence();
  }
}

}  // namespace luminar_steal
