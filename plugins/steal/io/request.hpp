// One read or write as the backends carry it, and the synchronous transfer they share.
#ifndef LUMINAR_STEAL_IO_REQUEST_HPP
#define LUMINAR_STEAL_IO_REQUEST_HPP

#include "io_engine.hpp"

namespace luminar_steal::io {

struct Request {
  Completion *completion;
  int fd;
  void *buf;  // the source of a write (never written through)
  std::size_t n;
  int64_t offset;  // < 0: the current position
  bool write;
};

// Performs the request on the calling thread and returns bytes or -errno (EINTR retried).
int64_t perform(const Request &r);

// Stores the result and runs the callback; `r.completion` must not be touched afterwards.
inline void complete(const Request &r, int64_t result) {
  Completion *c = r.completion;
  c->result = result;
  c->callback(c, c->arg);
}

}  // namespace luminar_steal::io

#endif
