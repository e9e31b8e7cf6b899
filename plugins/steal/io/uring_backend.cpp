// The io_uring backend: one ring, owned by one thread.
//
// Linux cancels a thread's in-flight io_uring requests when that thread exits, so requests
// are never submitted by the callers (a short-lived thread would lose its reads). Callers
// queue them in `queued_` and wake the ring thread through an eventfd, which the ring thread
// keeps a read posted on; the ring thread alone submits, reaps and runs the callbacks.
//
// Invariants:
//   - Only the ring thread touches `ring_` after start(); it needs no lock.
//   - `queued_`, `woken_` and `stopping_` are under `mutex_`. `woken_` is true from the
//     first eventfd write after a drain until the ring thread's next drain, so a burst of
//     submissions costs one write(2).
//   - The user_data of a request's SQE is its Completion*; the tags below mark the engine's
//     own SQEs, which carry no Completion. `in_flight_` (ring thread only) counts request
//     SQEs whose CQE has not been processed.
//   - `stopping_` turns true once, in the destructor. The ring thread then drains `queued_`
//     one last time, cancels everything still in flight (pipes and sockets would never
//     finish) and exits when `in_flight_` is zero: every callback has run.
#include "backends.hpp"
#include "request.hpp"

#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace luminar_steal::io {
namespace {

char wake_tag;    // user_data of the read posted on the eventfd
char cancel_tag;  // user_data of the final cancel-all SQE

constexpr unsigned kSubmissionEntries = 256;
constexpr unsigned kCompletionEntries = 4096;  // in-flight requests beyond this wait in the kernel's overflow list
constexpr unsigned kMaxTransfer = 0x7ffff000u;  // Linux's per-call maximum

[[noreturn]] void abort_with(const char *what, int error) {
  std::fprintf(stderr, "%s:%d: luminar steal: %s failed: %s\n", __FILE__, __LINE__, what, std::strerror(error));
  std::abort();
}

class UringEngine final : public IoEngine {
 public:
  UringEngine() = default;
  UringEngine(const UringEngine &) = delete;
  UringEngine &operator=(const UringEngine &) = delete;

  int start(std::string &error) {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (wake_fd_ < 0) {
      error = std::string("io_uring backend: eventfd: ") + std::strerror(errno);
      return -errno;
    }
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = kCompletionEntries;
    const int rc = io_uring_queue_init_params(kSubmissionEntries, &ring_, &params);
    if (rc < 0) {
      error = std::string("io_uring_queue_init: ") + std::strerror(-rc);
      return rc;
    }
    ring_ready_ = true;
    try {
      ring_thread_ = std::thread([this] { ring_loop(); });
    } catch (const std::system_error &e) {
      error = std::string("io_uring backend: cannot start its thread: ") + e.what();
      return -EAGAIN;
    }
    return 0;
  }

  ~UringEngine() override {
    if (ring_thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
      }
      wake();
      ring_thread_.join();
    }
    if (ring_ready_) io_uring_queue_exit(&ring_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  void submit_read(int fd, void *buf, std::size_t n, int64_t offset, Completion *c) override {
    queue(Request{c, fd, buf, n, offset, false});
  }

  void submit_write(int fd, const void *buf, std::size_t n, int64_t offset, Completion *c) override {
    queue(Request{c, fd, const_cast<void *>(buf), n, offset, true});
  }

  const char *backend_name() const override { return "io_uring"; }

 private:
  void queue(const Request &r) {
    bool first;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queued_.push_back(r);
      first = !woken_;
      woken_ = true;
    }
    if (first) wake();
  }

  void wake() {
    const uint64_t one = 1;
    while (::write(wake_fd_, &one, sizeof one) < 0) {
      if (errno != EINTR) abort_with("eventfd write", errno);
    }
  }

  // Ring thread. A free SQE exists once the kernel has taken the queued ones; io_uring_submit
  // hands them over (it only fails transiently: EAGAIN, EBUSY while the CQ overflows).
  io_uring_sqe *next_sqe() {
    for (;;) {
      io_uring_sqe *sqe = io_uring_get_sqe(&ring_);
      if (sqe != nullptr) return sqe;
      submit_pending();
      std::this_thread::yield();
    }
  }

  void submit_pending() {
    const int rc = io_uring_submit(&ring_);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) abort_with("io_uring_submit", -rc);
  }

  void post_wake_read() {
    io_uring_sqe *sqe = next_sqe();
    io_uring_prep_read(sqe, wake_fd_, &wake_count_, sizeof wake_count_, 0);
    io_uring_sqe_set_data(sqe, &wake_tag);
  }

  // An offset of -1 makes io_uring use (and advance) the file position, as read/write do.
  void post(const Request &r) {
    io_uring_sqe *sqe = next_sqe();
    const unsigned n = static_cast<unsigned>(r.n > kMaxTransfer ? kMaxTransfer : r.n);
    const __u64 offset = r.offset >= 0 ? static_cast<__u64>(r.offset) : ~__u64{0};
    if (r.write) {
      io_uring_prep_write(sqe, r.fd, r.buf, n, offset);
    } else {
      io_uring_prep_read(sqe, r.fd, r.buf, n, offset);
    }
    io_uring_sqe_set_data(sqe, r.completion);
    ++in_flight_;
  }

  // Takes the queued requests into the ring; true once stopping.
  bool drain_queue() {
    std::vector<Request> batch;
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(queued_);
      woken_ = false;
      stopping = stopping_;
    }
    for (const Request &r : batch) post(r);
    return stopping;
  }

  void ring_loop() {
    post_wake_read();
    submit_pending();
    bool cancelling = false;
    for (;;) {
      io_uring_cqe *cqe = nullptr;
      const int rc = io_uring_wait_cqe(&ring_, &cqe);
      if (rc == -EINTR || rc == -EAGAIN) continue;
      if (rc < 0) abort_with("io_uring_wait_cqe", -rc);
      bool woken = false;
      unsigned head;
      unsigned seen = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        void *data = io_uring_cqe_get_data(cqe);
        if (data == &wake_tag) {
          woken = true;
        } else if (data != &cancel_tag) {
          auto *c = static_cast<Completion *>(data);
          c->result = cqe->res;
          c->callback(c, c->arg);
          --in_flight_;
        }
      }
      io_uring_cq_advance(&ring_, seen);
      if (woken && !cancelling) {
        if (drain_queue()) {
          cancelling = true;
          io_uring_sqe *cancel = next_sqe();
          io_uring_prep_cancel(cancel, nullptr, IORING_ASYNC_CANCEL_ANY);
          io_uring_sqe_set_data(cancel, &cancel_tag);
        } else {
          post_wake_read();
        }
      }
      if (cancelling && in_flight_ == 0) return;
      submit_pending();
    }
  }

  io_uring ring_{};
  bool ring_ready_ = false;
  int wake_fd_ = -1;
  uint64_t wake_count_ = 0;  // target of the posted eventfd read; its value is not used
  std::size_t in_flight_ = 0;
  std::thread ring_thread_;
  std::mutex mutex_;  // queued_, woken_, stopping_
  std::vector<Request> queued_;
  bool woken_ = false;
  bool stopping_ = false;
};

}  // namespace

std::unique_ptr<IoEngine> make_uring_engine(std::string &error) {
  auto engine = std::make_unique<UringEngine>();
  if (engine->start(error) < 0) return nullptr;
  return engine;
}

}  // namespace luminar_steal::io
