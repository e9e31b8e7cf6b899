// Hooks that are neither tasks nor channels: sleep, yield, memory, I/O (the runtime
// atomics are plugins/common's).
#ifndef LUMINAR_STEAL_SERVICES_HPP
#define LUMINAR_STEAL_SERVICES_HPP

#include <luminar/hooks.h>

#include <cstddef>

namespace luminar_steal {

int32_t sleep_for_ns(int64_t ns);
void yield();
void *allocate_shared(std::size_t bytes, int32_t numa_node);
void free_shared(void *ptr, std::size_t bytes);
int64_t io_read(int fd, void *buf, std::size_t n, int64_t offset);
int64_t io_write(int fd, const void *buf, std::size_t n, int64_t offset);
int64_t io_copy_file(const char *from, const char *to);

}  // namespace luminar_steal

#endif
