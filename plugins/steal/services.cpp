// Sleep, yield, shared memory and I/O hooks.
//
// I/O from a fiber task parks the task while the I/O engine (io/io_engine.hpp: io_uring, or
// epoll plus a small pool for regular files) performs it; the engine's completion makes the
// task runnable again. copy_file, which blocks, runs on the blocking pool while the task
// parks. From any other thread, I/O runs in place. A request is not cancellable: the
// kernel may be writing into the caller's buffer.
#include "services.hpp"

#include "blocked_op.hpp"
#include "channel.hpp"
#include "fiber.hpp"
#include "metrics.hpp"
#include "runtime.hpp"

#include <cerrno>
#include <thread>

namespace luminar_steal {
namespace {

// A task parked on an I/O request; whoever completes the request wakes it.
struct ParkedIo {
  io::Completion completion;
  BlockedOp op;
  const char *from = nullptr, *to = nullptr;  // copy_file only
};

void on_io_done(io::Completion *, void *arg) {
  auto *parked = static_cast<ParkedIo *>(arg);
  if (parked->op.try_claim()) parked->op.complete(0, LUMINAR_CHAN_OK);  // parked may be gone after this
}

void run_copy(void *arg) {
  auto *parked = static_cast<ParkedIo *>(arg);
  parked->completion.result = io::copy_file(parked->from, parked->to);
  on_io_done(&parked->completion, parked);
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

void *allocate_shared(std::size_t bytes, int32_t numa_node) {
  void *p = runtime().allocator.allocate(bytes, numa_node);
  if (p != nullptr) metrics().memory_allocated(bytes);
  return p;
}

void free_shared(void *ptr, std::size_t bytes) {
  if (ptr == nullptr) return;
  runtime().allocator.deallocate(ptr, bytes);
  metrics().memory_freed(bytes);
}

int64_t io_read(int fd, void *buf, std::size_t n, int64_t offset) {
  metrics().io_operation();
  if (current_fiber() == nullptr) return io::read_blocking(fd, buf, n, offset);
  ParkedIo parked;
  parked.completion.callback = on_io_done;
  parked.completion.arg = &parked;
  runtime().io->submit_read(fd, buf, n, offset, &parked.completion);
  parked.op.wait();
  return parked.completion.result;
}

int64_t io_write(int fd, const void *buf, std::size_t n, int64_t offset) {
  metrics().io_operation();
  if (current_fiber() == nullptr) return io::write_blocking(fd, buf, n, offset);
  ParkedIo parked;
  parked.completion.callback = on_io_done;
  parked.completion.arg = &parked;
  runtime().io->submit_write(fd, buf, n, offset, &parked.completion);
  parked.op.wait();
  return parked.completion.result;
}

int64_t io_copy_file(const char *from, const char *to) {
  metrics().io_operation();
  if (current_fiber() == nullptr) return io::copy_file(from, to);
  ParkedIo parked;
  parked.from = from;
  parked.to = to;
  runtime().scheduler.blocking_pool().submit(BlockingPool::Job{&run_copy, &parked});
  parked.op.wait();
  return parked.completion.result;
}

}  // namespace luminar_steal
