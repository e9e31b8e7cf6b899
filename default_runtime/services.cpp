// Sleep, yield, shared memory and I/O hooks.
#include "services.hpp"

#include "channel.hpp"
#include "metrics.hpp"
#include "scheduler.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

namespace luminar_default {

int32_t sleep_for_ns(int64_t ns) {
  std::size_t unused = 0;
  const int32_t status = select(nullptr, 0, ns < 0 ? 0 : ns, 0, &unused);
  return status == LUMINAR_CHAN_CANCELLED ? LUMINAR_CHAN_CANCELLED : LUMINAR_CHAN_OK;
}

void yield() { std::this_thread::yield(); }

void *allocate_shared(std::size_t bytes, int32_t /*numa_node: no NUMA support in this plugin*/) {
  void *p = std::malloc(bytes == 0 ? 1 : bytes);
  if (p != nullptr) metrics().memory_allocated(bytes);
  return p;
}

void free_shared(void *ptr, std::size_t bytes) {
  if (ptr == nullptr) return;
  std::free(ptr);
  metrics().memory_freed(bytes);
}

int64_t io_read(int fd, void *buf, std::size_t n, int64_t offset) {
  metrics().io_operation();
  BlockingScope blocking;
  const ssize_t done = ::pread(fd, buf, n, offset);
  return done < 0 ? -errno : done;
}

int64_t io_write(int fd, const void *buf, std::size_t n, int64_t offset) {
  metrics().io_operation();
  BlockingScope blocking;
  const ssize_t done = ::pwrite(fd, buf, n, offset);
  return done < 0 ? -errno : done;
}

int64_t io_copy_file(const char *from, const char *to) {
  metrics().io_operation();
  BlockingScope blocking;
  const int in = ::open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) return -errno;
  struct stat info;
  if (::fstat(in, &info) != 0) {
    const int error = errno;
    ::close(in);
    return -error;
  }
  const int out = ::open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, info.st_mode & 0777);
  if (out < 0) {
    const int error = errno;
    ::close(in);
    return -error;
  }
  int64_t total = 0;
  int error = 0;
  bool kernel_copy = true;  // copy_file_range: no user-space buffer
  char buffer[1 << 16];
  for (;;) {
    ssize_t done;
    if (kernel_copy) {
      done = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
      if (done < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) && total == 0) {
        kernel_copy = false;
        continue;
      }
    } else {
      done = ::read(in, buffer, sizeof buffer);
      for (ssize_t written = 0; done > 0 && written < done;) {
        const ssize_t w = ::write(out, buffer + written, static_cast<std::size_t>(done - written));
        if (w < 0) {
          done = -1;
          break;
        }
        written += w;
      }
    }
    if (done < 0) {
      error = errno;
      break;
    }
    if (done == 0) break;
    total += done;
  }
  ::close(in);
  if (::close(out) != 0 && error == 0) error = errno;
  return error != 0 ? -error : total;
}

}  // namespace luminar_default
