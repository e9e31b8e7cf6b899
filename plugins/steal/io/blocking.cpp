// Synchronous transfers: the non-fiber path and the work of the epoll backend's pool. As with
// io_uring, a descriptor without a position (ESPIPE) ignores the offset.
#include "request.hpp"

#include <unistd.h>

#include <cerrno>

namespace luminar_steal::io {

int64_t read_blocking(int fd, void *buf, std::size_t n, int64_t offset) {
  for (;;) {
    const ssize_t done = offset >= 0 ? ::pread(fd, buf, n, offset) : ::read(fd, buf, n);
    if (done >= 0) return done;
    if (errno == ESPIPE && offset >= 0) {
      offset = -1;
    } else if (errno != EINTR) {
      return -errno;
    }
  }
}

int64_t write_blocking(int fd, const void *buf, std::size_t n, int64_t offset) {
  for (;;) {
    const ssize_t done = offset >= 0 ? ::pwrite(fd, buf, n, offset) : ::write(fd, buf, n);
    if (done >= 0) return done;
    if (errno == ESPIPE && offset >= 0) {
      offset = -1;
    } else if (errno != EINTR) {
      return -errno;
    }
  }
}

int64_t perform(const Request &r) {
  return r.write ? write_blocking(r.fd, r.buf, r.n, r.offset) : read_blocking(r.fd, r.buf, r.n, r.offset);
}

}  // namespace luminar_steal::io
