// Hooks that are neither tasks nor channels: sleep, yield, memory, atomics, I/O.
#ifndef LUMINAR_STEAL_SERVICES_HPP
#define LUMINAR_STEAL_SERVICES_HPP

#include <luminar/hooks.h>

#include <cstddef>

namespace luminar_steal {

int32_t sleep_for_ns(int64_t ns);
void yield();
void *allocate_shared(std::size_t bytes, int32_t numa_node);
void free_shared(void *ptr, std::size_t bytes);
LuminarAtomic *atomic_create(std::size_t size, const void *initial);
void atomic_load(LuminarAtomic *a, void *result);
void atomic_store(LuminarAtomic *a, const void *value);
void atomic_add(LuminarAtomic *a, const void *operand, void *previous);
int32_t atomic_compare_exchange(LuminarAtomic *a, void *expected, const void *desired);
void atomic_destroy(LuminarAtomic *a);
int64_t io_read(int fd, void *buf, std::size_t n, int64_t offset);
int64_t io_write(int fd, const void *buf, std::size_t n, int64_t offset);
int64_t io_copy_file(const char *from, const char *to);

}  // namespace luminar_steal

#endif
