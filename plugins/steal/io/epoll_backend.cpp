// The epoll backend: readiness for pollable descriptors, a thread pool for the rest.
//
// Invariants:
//   - Each request waiting for readiness owns a Waiter: a private duplicate of the caller's
//     descriptor registered with EPOLLONESHOT (a duplicate, so that several requests on one
//     descriptor have separate registrations), listed in `waiting_`. The duplicate is
//     removed from the epoll set before it is closed: epoll keys registrations by open file
//     description, which the caller's descriptor keeps alive.
//   - Registering a Waiter and listing it in `waiting_` happen together under `mutex_`, so
//     the epoll thread's final sweep (after `stopping_`) sees every waiter and cancels it.
//   - Only the epoll thread performs, re-arms, completes and frees Waiters.
#include "backends.hpp"
#include "work_pool.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <unordered_set>

namespace luminar_steal::io {
namespace {

constexpr unsigned kPoolThreads = 4;  // regular-file transfers finish quickly; more rarely help
constexpr int kEventBatch = 64;

struct Waiter {
  Request request;  // request.fd is the caller's descriptor
  int fd;           // the private duplicate registered with epoll
  uint32_t events;  // EPOLLIN or EPOLLOUT
};

// Descriptors whose readiness epoll can report. Anything else (and a descriptor fstat
// rejects, whose error the pool's transfer then reports) goes to the pool.
bool pollable(int fd) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return false;
  return S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode) || S_ISCHR(info.st_mode);
}

// One non-blocking attempt; -EAGAIN means "not ready after all" (another reader was faster).
int64_t attempt(const Waiter &w) {
  iovec iov{w.request.buf, w.request.n};
  const off_t offset = -1;  // pollable descriptors have no position: the offset is ignored
  for (;;) {
    const ssize_t done = w.request.write ? ::pwritev2(w.fd, &iov, 1, offset, RWF_NOWAIT)
                                         : ::preadv2(w.fd, &iov, 1, offset, RWF_NOWAIT);
    if (done >= 0) return done;
    if (errno == EINTR) continue;
    // Files without RWF_NOWAIT support: readiness was reported, so a plain transfer proceeds.
    if (errno == EOPNOTSUPP) return perform(Request{w.request.completion, w.fd, w.request.buf, w.request.n, -1,
                                                    w.request.write});
    return -errno;
  }
}

class EpollEngine final : public IoEngine {
 public:
  EpollEngine() : pool_(kPoolThreads) {}
  EpollEngine(const EpollEngine &) = delete;
  EpollEngine &operator=(const EpollEngine &) = delete;

  int start(std::string &error) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return fail(error, "epoll_create1");
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) return fail(error, "eventfd");
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.ptr = nullptr;  // marks the wake-up descriptor
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0) return fail(error, "epoll_ctl");
    poller_ = std::thread([this] { poll_loop(); });
    return 0;
  }

  ~EpollEngine() override {
    if (poller_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
      }
      const uint64_t one = 1;
      if (::write(wake_fd_, &one, sizeof one) != sizeof one) abort_with("eventfd write");
      poller_.join();
    }
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  void submit_read(int fd, void *buf, std::size_t n, int64_t offset, Completion *c) override {
    submit(Request{c, fd, buf, n, offset, false});
  }

  void submit_write(int fd, const void *buf, std::size_t n, int64_t offset, Completion *c) override {
    submit(Request{c, fd, const_cast<void *>(buf), n, offset, true});
  }

  const char *backend_name() const override { return "epoll"; }

 private:
  static int fail(std::string &error, const char *what) {
    const int e = errno;
    error = std::string("epoll backend: ") + what + ": " + std::strerror(e);
    return -e;
  }

  [[noreturn]] static void abort_with(const char *what) {
    std::fprintf(stderr, "%s:%d: luminar steal: %s failed: %s\n", __FILE__, __LINE__, what, std::strerror(errno));
    std::abort();
  }

  void submit(const Request &r) {
    if (!pollable(r.fd)) {
      pool_.perform_later(r);
      return;
    }
    const int copy = ::fcntl(r.fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
      pool_.complete_later(r, -errno);
      return;
    }
    auto *w = new (std::nothrow) Waiter{r, copy, r.write ? uint32_t{EPOLLOUT} : uint32_t{EPOLLIN}};
    if (w == nullptr) {
      ::close(copy);
      pool_.complete_later(r, -ENOMEM);
      return;
    }
    epoll_event event{};
    event.events = w->events | EPOLLONESHOT;
    event.data.ptr = w;
    std::unique_lock<std::mutex> lock(mutex_);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, copy, &event) == 0) {
      waiting_.insert(w);
      return;
    }
    const int error = errno;
    lock.unlock();
    ::close(copy);
    delete w;
    // EPERM: a character device without poll support (/dev/null, /dev/zero) never blocks.
    if (error == EPERM) {
      pool_.perform_later(r);
    } else {
      pool_.complete_later(r, -error);
    }
  }

  void poll_loop() {
    epoll_event events[kEventBatch];
    for (;;) {
      const int n = ::epoll_wait(epoll_fd_, events, kEventBatch, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        abort_with("epoll_wait");
      }
      bool woken = false;
      for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == nullptr) {
          woken = true;
        } else {
          ready(static_cast<Waiter *>(events[i].data.ptr));
        }
      }
      if (woken && cancel_all_if_stopping()) return;
    }
  }

  void ready(Waiter *w) {
    const int64_t result = attempt(*w);
    if (result == -EAGAIN) {
      epoll_event event{};
      event.events = w->events | EPOLLONESHOT;
      event.data.ptr = w;
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, w->fd, &event) == 0) return;
      finish(w, -errno);
      return;
    }
    finish(w, result);
  }

  void finish(Waiter *w, int64_t result) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      waiting_.erase(w);
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w->fd, nullptr);
    }
    ::close(w->fd);
    const Request r = w->request;
    delete w;
    complete(r, result);
  }

  bool cancel_all_if_stopping() {
    std::unordered_set<Waiter *> cancelled;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!stopping_) return false;
      cancelled.swap(waiting_);
      for (Waiter *w : cancelled) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w->fd, nullptr);
    }
    for (Waiter *w : cancelled) {
      ::close(w->fd);
      const Request r = w->request;
      delete w;
      complete(r, -ECANCELED);
    }
    return true;
  }

  WorkPool pool_;  // destroyed after the poller is joined: it finishes its queued transfers
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread poller_;
  std::mutex mutex_;  // waiting_, stopping_, and registration of new waiters
  std::unordered_set<Waiter *> waiting_;
  bool stopping_ = false;
};

}  // namespace

std::unique_ptr<IoEngine> make_epoll_engine(std::string &error) {
  try {
    auto engine = std::make_unique<EpollEngine>();
    if (engine->start(error) < 0) return nullptr;
    return engine;
  } catch (const std::system_error &e) {
    error = std::string("epoll backend: cannot start threads: ") + e.what();
    return nullptr;
  }
}

}  // namespace luminar_steal::io
