// Sleep, yield, shared memory, runtime atomics and I/O hooks.
//
// I/O from a fiber task must not hold its worker, so the system call runs on the blocking
// pool while the task parks (BlockedOp); from any other thread it runs in place. The
// request is not cancellable: the kernel may be writing into the caller's buffer.
#include "services.hpp"

#include "blocked_op.hpp"
#include "channel.hpp"
#include "fiber.hpp"
#include "metrics.hpp"
#include "runtime.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <thread>

struct LuminarAtomic {
  std::size_t size;                 // 1, 2, 4 or 8 bytes
  std::uint64_t mask;               // the low `size` bytes
  std::atomic<std::uint64_t> bits;  // the value, zero-extended
};

namespace luminar_steal {
namespace {

std::uint64_t read_bits(const LuminarAtomic *a, const void *from) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, from, a->size);  // little-endian: the low bytes
  return bits;
}

void write_bits(const LuminarAtomic *a, std::uint64_t bits, void *to) { std::memcpy(to, &bits, a->size); }

int64_t copy_file_now(const char *from, const char *to);

// One I/O system call, run where it cannot stall a worker (see the file comment).
struct IoRequest {
  enum Kind { read, write, copy } kind;
  int fd;
  void *buf;
  std::size_t n;
  int64_t offset;
  const char *from, *to;
  int64_t result = 0;

  int64_t perform() {
    switch (kind) {
      case read: {
        const ssize_t done = ::pread(fd, buf, n, offset);
        return done < 0 ? -errno : done;
      }
      case write: {
        const ssize_t done = ::pwrite(fd, buf, n, offset);
        return done < 0 ? -errno : done;
      }
      case copy: return copy_file_now(from, to);
    }
    return -EINVAL;
  }
};

struct ParkedIo {
  IoRequest *request;
  BlockedOp op;
};

void run_parked_io(void *arg) {
  auto *parked = static_cast<ParkedIo *>(arg);
  parked->request->result = parked->request->perform();
  if (parked->op.try_claim()) parked->op.complete(0, LUMINAR_CHAN_OK);
}

int64_t submit_io(IoRequest request) {
  metrics().io_operation();
  if (current_fiber() == nullptr) return request.perform();
  ParkedIo parked{&request, {}};
  runtime().scheduler.blocking_pool().submit(BlockingPool::Job{&run_parked_io, &parked});
  parked.op.wait();
  return request.result;
}

}  // namespace

int32_t sleep_for_ns(int64_t ns) {
  std::size_t unused = 0;
  const int32_t status = select(nullptr, 0, ns < 0 ? 0 : ns, 0, &unused);
  return status == LUMINAR_CHAN_CANCELLED ? LUMINAR_CHAN_CANCELLED : LUMINAR_CHAN_OK;
}

void yield() {
  if (current_fiber() != nullptr) {
    runtime().scheduler.yield_task();
  } else {
    std::this_thread::yield();
  }
}

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

LuminarAtomic *atomic_create(std::size_t size, const void *initial) {
  if (size != 1 && size != 2 && size != 4 && size != 8) return nullptr;
  auto *a = new LuminarAtomic{size, size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1, {0}};
  a->bits.store(initial != nullptr ? read_bits(a, initial) : 0);
  return a;
}

void atomic_load(LuminarAtomic *a, void *result) { write_bits(a, a->bits.load(), result); }

void atomic_store(LuminarAtomic *a, const void *value) { a->bits.store(read_bits(a, value)); }

void atomic_add(LuminarAtomic *a, const void *operand, void *previous) {
  const std::uint64_t add = read_bits(a, operand);
  std::uint64_t seen = a->bits.load();
  while (!a->bits.compare_exchange_weak(seen, (seen + add) & a->mask)) {
  }
  if (previous != nullptr) write_bits(a, seen, previous);
}

int32_t atomic_compare_exchange(LuminarAtomic *a, void *expected, const void *desired) {
  std::uint64_t seen = read_bits(a, expected);
  const bool exchanged = a->bits.compare_exchange_strong(seen, read_bits(a, desired));
  if (!exchanged) write_bits(a, seen, expected);
  return exchanged ? 1 : 0;
}

void atomic_destroy(LuminarAtomic *a) { delete a; }

int64_t io_read(int fd, void *buf, std::size_t n, int64_t offset) {
  return submit_io(IoRequest{IoRequest::read, fd, buf, n, offset, nullptr, nullptr});
}

int64_t io_write(int fd, const void *buf, std::size_t n, int64_t offset) {
  return submit_io(IoRequest{IoRequest::write, fd, const_cast<void *>(buf), n, offset, nullptr, nullptr});
}

int64_t io_copy_file(const char *from, const char *to) {
  return submit_io(IoRequest{IoRequest::copy, -1, nullptr, 0, 0, from, to});
}

namespace {

int64_t copy_file_now(const char *from, const char *to) {
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
  constexpr std::size_t kBufferBytes = 1 << 16;
  std::unique_ptr<char[]> buffer;  // on the heap: fiber stacks are small
  for (;;) {
    ssize_t done;
    if (kernel_copy) {
      done = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
      if (done < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) && total == 0) {
        kernel_copy = false;
        continue;
      }
    } else {
      if (!buffer) buffer.reset(new char[kBufferBytes]);
      done = ::read(in, buffer.get(), kBufferBytes);
      for (ssize_t written = 0; done > 0 && written < done;) {
        const ssize_t w = ::write(out, buffer.get() + written, static_cast<std::size_t>(done - written));
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

}  // namespace

}  // namespace luminar_steal
