// Asynchronous file and socket I/O for the steal plugin, independent of its scheduler.
//
// A fiber scheduler parks a task, submits its request with a Completion, and makes the task
// runnable again from the Completion's callback. The engine never blocks its submitter on the
// device: a read of an empty pipe returns from submit_read at once and completes when data
// arrives.
//
// Backends (see backend_name()):
//   "io_uring": one ring, owned by one thread that submits, reaps and runs every callback.
//     Callers queue requests under a mutex and wake that thread through an eventfd (Linux
//     cancels a thread's in-flight requests when it exits, so callers never submit).
//   "epoll": the fallback where io_uring is missing or refused (ENOSYS, EPERM under seccomp).
//     Pollable descriptors (pipes, sockets, FIFOs, terminals) wait for readiness on one epoll
//     thread, which then performs the transfer without blocking; regular files and block
//     devices, which are always "ready", go to a small fixed pool of threads that call
//     pread/pwrite. Callbacks run on the epoll thread or on a pool thread.
// LUMINAR_IO_BACKEND=uring|epoll forces one; unset or empty = io_uring, else epoll. (There
// is no thread-pool-only backend: epoll covers the descriptors a pool would block on.)
#ifndef LUMINAR_STEAL_IO_IO_ENGINE_HPP
#define LUMINAR_STEAL_IO_IO_ENGINE_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace luminar_steal::io {

// The record of one request, owned by the submitter, which keeps it alive until its callback
// has run. The engine writes `result` and then calls `callback(self, arg)` exactly once per
// submission, on an engine thread and never inside submit_*. The callback must not
// block (it should only make the parked task runnable) and may destroy the Completion.
struct Completion {
  void (*callback)(Completion *self, void *arg) = nullptr;
  void *arg = nullptr;
  int64_t result = 0;  // bytes transferred, or -errno
};

class IoEngine {
 public:
  virtual ~IoEngine() = default;

  // Starts a transfer of up to n bytes; the Completion's callback reports how it ended.
  // offset >= 0: at that offset, as pread/pwrite do; offset < 0: at the descriptor's
  // current position, as read/write do. Descriptors without a position (pipes, sockets)
  // ignore the offset. Every failure, including a bad descriptor (-EBADF) or the engine running
  // out of resources (-EMFILE, -ENOMEM), arrives in the Completion, so a caller can always
  // park after submitting. A write to a pipe without readers raises SIGPIPE, as write(2)
  // does, unless the program ignores it. Any thread; not concurrently with the destructor.
  virtual void submit_read(int fd, void *buf, std::size_t n, int64_t offset, Completion *c) = 0;
  virtual void submit_write(int fd, const void *buf, std::size_t n, int64_t offset, Completion *c) = 0;

  // "io_uring" or "epoll", for the metrics report.
  virtual const char *backend_name() const = 0;

  // Destruction (after the last submit has returned): requests still waiting on a pollable
  // descriptor are cancelled and complete with -ECANCELED; the others finish normally. Every
  // callback has run when the destructor returns. (io_uring cancels with
  // IORING_ASYNC_CANCEL_ANY, Linux 5.19 or later; on older kernels a read that never
  // completes keeps the destructor waiting.)
};

// The engine named by `choice` ("uring", "epoll"; empty = io_uring if it works, else epoll).
// nullptr with the reason in `error` when that backend cannot start or `choice` is unknown.
std::unique_ptr<IoEngine> make_io_engine(std::string_view choice, std::string &error);
// make_io_engine with LUMINAR_IO_BACKEND; the error names the variable when its value is bad.
std::unique_ptr<IoEngine> make_io_engine_from_environment(std::string &error);

// Synchronous transfers on the calling thread, for callers that are not fibers. Same offset
// convention and results as the Completion. EINTR is retried.
int64_t read_blocking(int fd, void *buf, std::size_t n, int64_t offset);
int64_t write_blocking(int fd, const void *buf, std::size_t n, int64_t offset);

// The first mechanism copy_file tries; each falls back to the next one where the kernel or
// the file systems refuse it (EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EPERM) before any byte moved.
enum class CopyMethod { copy_file_range, sendfile, read_write };

// Copies the regular file `from` to `to` (created with from's permission bits, or truncated)
// without user-space buffers where the kernel allows. Returns the bytes copied or -errno;
// -EINVAL when both name the same file, -EISDIR when `from` is a directory. On failure the
// destination may hold a partial copy. `used`, when given, receives the mechanism that moved
// the bytes. Blocking: a fiber scheduler runs it on a blocking thread.
int64_t copy_file(const char *from, const char *to, CopyMethod first = CopyMethod::copy_file_range,
                  CopyMethod *used = nullptr);

}  // namespace luminar_steal::io

#endif
