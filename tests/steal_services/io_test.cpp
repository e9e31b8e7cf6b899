// plugins/steal/io: every backend that starts here, on real files and pipes.
#include "io/io_engine.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace luminar_steal::io;
using namespace std::chrono_literals;

namespace {

// A Completion whose callback records the thread it ran on and wakes the test.
struct Waited {
  Completion completion;
  std::mutex mutex;
  std::condition_variable cv;
  int calls = 0;
  std::thread::id thread;

  Waited() {
    completion.callback = [](Completion *, void *self) {
      auto *w = static_cast<Waited *>(self);
      std::lock_guard<std::mutex> lock(w->mutex);
      ++w->calls;
      w->thread = std::this_thread::get_id();
      w->cv.notify_all();
    };
    completion.arg = this;
  }

  // The result, once the callback has run; fails the test after 10 s.
  int64_t wait() {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(cv.wait_for(lock, 10s, [this] { return calls > 0; }));
    return completion.result;
  }

  bool done() {
    std::lock_guard<std::mutex> lock(mutex);
    return calls > 0;
  }
};

// Every backend that starts on this machine; epoll always must.
std::vector<std::unique_ptr<IoEngine>> engines() {
  std::vector<std::unique_ptr<IoEngine>> all;
  for (const char *name : {"uring", "epoll"}) {
    std::string error;
    auto engine = make_io_engine(name, error);
    if (engine) {
      all.push_back(std::move(engine));
    } else {
      MESSAGE("backend " << std::string(name) << " unavailable here: " << error);
      REQUIRE(std::string(name) != "epoll");
    }
  }
  return all;
}

int64_t read_async(IoEngine &engine, int fd, void *buf, std::size_t n, int64_t offset) {
  Waited w;
  engine.submit_read(fd, buf, n, offset, &w.completion);
  return w.wait();
}

int64_t write_async(IoEngine &engine, int fd, const std::string &data, int64_t offset) {
  Waited w;
  engine.submit_write(fd, data.data(), data.size(), offset, &w.completion);
  return w.wait();
}

struct Pipe {
  int fds[2];
  Pipe() { REQUIRE(::pipe2(fds, O_CLOEXEC) == 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_SUITE("io") {

TEST_CASE("reads and writes at offsets of a temporary file") {
  TempDir dir;
  for (auto &engine : engines()) {
    CAPTURE(std::string(engine->backend_name()));
    const int fd = ::open(dir.file(engine->backend_name()).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    CHECK(write_async(*engine, fd, "hello", 100) == 5);
    CHECK(write_async(*engine, fd, "abc", 0) == 3);
    char buf[8] = {};
    CHECK(read_async(*engine, fd, buf, 5, 100) == 5);
    CHECK(std::string(buf, 5) == "hello");
    CHECK(read_async(*engine, fd, buf, 3, 0) == 3);
    CHECK(std::string(buf, 3) == "abc");
    CHECK(read_async(*engine, fd, buf, 8, 4096) == 0);  // past the end of the file
    char direct[5];
    REQUIRE(::pread(fd, direct, 5, 100) == 5);  // the bytes really are in the file
    CHECK(std::string(direct, 5) == "hello");
    ::close(fd);
  }
}

TEST_CASE("a pipe read completes only once a writer has written, off the submitting thread") {
  for (auto &engine : engines()) {
    CAPTURE(std::string(engine->backend_name()));
    Pipe pipe;
    char buf[16] = {};
    Waited w;
    engine->submit_read(pipe.fds[0], buf, sizeof buf, -1, &w.completion);  // returns: nothing to read yet
    std::this_thread::sleep_for(50ms);
    CHECK_FALSE(w.done());
    std::thread writer([&] { CHECK(::write(pipe.fds[1], "ping", 4) == 4); });
    CHECK(w.wait() == 4);
    writer.join();
    CHECK(std::string(buf, 4) == "ping");
    CHECK(w.thread != std::this_thread::get_id());
    CHECK(write_async(*engine, pipe.fds[1], "pong", -1) == 4);
    CHECK(::read(pipe.fds[0], buf, sizeof buf) == 4);
    CHECK(std::string(buf, 4) == "pong");
  }
}

TEST_CASE("many reads parked on pipes at once each get their own data") {
  constexpr int kPipes = 64;
  for (auto &engine : engines()) {
    CAPTURE(std::string(engine->backend_name()));
    std::vector<Pipe> pipes(kPipes);
    std::vector<Waited> waits(kPipes);
    std::vector<std::array<char, 8>> bufs(kPipes);
    for (int i = 0; i < kPipes; ++i) engine->submit_read(pipes[i].fds[0], bufs[i].data(), 8, -1, &waits[i].completion);
    for (int i = kPipes - 1; i >= 0; --i) {
      const std::string text = "p" + std::to_string(i);
      REQUIRE(::write(pipes[i].fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }
    for (int i = 0; i < kPipes; ++i) {
      const std::string text = "p" + std::to_string(i);
      REQUIRE(waits[i].wait() == static_cast<int64_t>(text.size()));
      CHECK(std::string(bufs[i].data(), text.size()) == text);
    }
  }
}

TEST_CASE("1000 concurrent writes and reads from 4 threads, each verified") {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  constexpr int kRecord = 16;
  TempDir dir;
  for (auto &engine : engines()) {
    CAPTURE(std::string(engine->backend_name()));
    const int fd = ::open(dir.file(engine->backend_name()).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    auto record = [](int t, int i) {  // "t2-r17.........": unique per (thread, index)
      std::string text = "t" + std::to_string(t) + "-r" + std::to_string(i);
      text.resize(kRecord, '.');
      return text;
    };
    std::vector<Waited> writes(kThreads * kPerThread), reads(kThreads * kPerThread);
    std::vector<std::string> sources(kThreads * kPerThread);
    std::vector<std::array<char, kRecord>> results(kThreads * kPerThread);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const int slot = t * kPerThread + i;
          sources[slot] = record(t, i);
          engine->submit_write(fd, sources[slot].data(), kRecord, int64_t{slot} * kRecord, &writes[slot].completion);
        }
      });
    }
    for (auto &thread : threads) thread.join();
    for (auto &w : writes) REQUIRE(w.wait() == kRecord);
    threads.clear();
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const int slot = t * kPerThread + i;
          engine->submit_read(fd, results[slot].data(), kRecord, int64_t{slot} * kRecord, &reads[slot].completion);
        }
      });
    }
    for (auto &thread : threads) thread.join();
    int verified = 0;
    for (int slot = 0; slot < kThreads * kPerThread; ++slot) {
      REQUIRE(reads[slot].wait() == kRecord);
      CHECK(reads[slot].calls == 1);
      verified += std::string(results[slot].data(), kRecord) == record(slot / kPerThread, slot % kPerThread);
    }
    CHECK(verified == kThreads * kPerThread);
    ::close(fd);
  }
}

TEST_CASE("errors arrive in the completion as -errno") {
  TempDir dir;
  std::signal(SIGPIPE, SIG_IGN);  // a write to a pipe without readers must report -EPIPE
  const int closed_fd = 987654;  // far above anything this test opens (the engines open some)
  REQUIRE(::fcntl(closed_fd, F_GETFD) == -1);
  for (auto &engine : engines()) {
    CAPTURE(std::string(engine->backend_name()));
    char buf[4];
    CHECK(read_async(*engine, closed_fd, buf, sizeof buf, 0) == -EBADF);
    CHECK(write_async(*engine, closed_fd, "x", -1) == -EBADF);
    Pipe pipe;
    CHECK(write_async(*engine, pipe.fds[1], "xy", 7) == 2);  // a pipe has no position: 7 is ignored
    CHECK(read_async(*engine, pipe.fds[0], buf, sizeof buf, 3) == 2);
    ::close(pipe.fds[0]);
    CHECK(write_async(*engine, pipe.fds[1], "x", -1) == -EPIPE);  // no reader left
    pipe.fds[0] = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // for Pipe's destructor
    const int read_only = ::open(dir.file("ro").c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(read_only >= 0);
    CHECK(write_async(*engine, read_only, "x", 0) == -EBADF);
    ::close(read_only);
  }
}

TEST_CASE("destroying an engine cancels a read still waiting on a pipe") {
  for (const char *name : {"uring", "epoll"}) {
    std::string error;
    auto engine = make_io_engine(name, error);
    if (!engine) continue;
    CAPTURE(name);
    Pipe pipe;
    char buf[4];
    Waited w;
    engine->submit_read(pipe.fds[0], buf, sizeof buf, -1, &w.completion);
    engine.reset();
    CHECK(w.done());
    CHECK(w.completion.result == -ECANCELED);
    CHECK(w.calls == 1);
  }
}

TEST_CASE("backend choice and its errors") {
  std::string error;
  CHECK(make_io_engine("bogus", error) == nullptr);
  CHECK(error.find("bogus") != std::string::npos);
  auto automatic = make_io_engine("", error);
  REQUIRE(automatic != nullptr);
  std::string uring_error;
  const bool uring_works = make_io_engine("uring", uring_error) != nullptr;
  CHECK(std::string(automatic->backend_name()) == (uring_works ? "io_uring" : "epoll"));
}

// In a child process whose seccomp filter refuses io_uring_setup with EPERM (as container
// runtimes often do): the automatic choice must fall back to epoll and work. Exit codes say
// which step failed; 77 = seccomp itself is not available here.
int refused_uring_child() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) return 77;
  std::string error;
  if (make_io_engine("uring", error) != nullptr) return 1;
  if (error.find(std::strerror(EPERM)) == std::string::npos) return 2;
  auto engine = make_io_engine("", error);
  if (engine == nullptr || std::string(engine->backend_name()) != "epoll") return 3;
  int fds[2];
  if (::pipe(fds) != 0) return 4;
  char buf[8] = {};
  std::atomic<int64_t> result{1};
  Completion c;
  c.arg = &result;
  c.callback = [](Completion *self, void *arg) { static_cast<std::atomic<int64_t> *>(arg)->store(self->result); };
  engine->submit_read(fds[0], buf, sizeof buf, -1, &c);
  if (::write(fds[1], "ok", 2) != 2) return 5;
  for (int i = 0; i < 1000 && result.load() == 1; ++i) std::this_thread::sleep_for(5ms);
  return result.load() == 2 && std::string(buf) == "ok" ? 0 : 6;
}

TEST_CASE("with io_uring refused by seccomp the engine falls back to epoll") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(refused_uring_child());
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    MESSAGE("seccomp filters are not available here: fallback not exercised");
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the environment chooses the backend") {
  const char *forced = std::getenv("LUMINAR_IO_BACKEND");
  std::string error;
  auto engine = make_io_engine_from_environment(error);
  REQUIRE_MESSAGE(engine != nullptr, error);
  if (forced != nullptr && std::string(forced) == "epoll") CHECK(std::string(engine->backend_name()) == "epoll");
  if (forced != nullptr && std::string(forced) == "uring") CHECK(std::string(engine->backend_name()) == "io_uring");
  MESSAGE("active I/O backend: " << std::string(engine->backend_name()));
}

TEST_CASE("blocking reads and writes, positioned and streamed") {
  TempDir dir;
  const int fd = ::open(dir.file("f").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  CHECK(write_blocking(fd, "0123456789", 10, 0) == 10);
  char buf[4] = {};
  CHECK(read_blocking(fd, buf, 4, 6) == 4);
  CHECK(std::string(buf, 4) == "6789");
  CHECK(read_blocking(fd, buf, 4, -1) == 4);  // pwrite and pread left the position at 0
  CHECK(std::string(buf, 4) == "0123");
  ::close(fd);
  CHECK(read_blocking(fd, buf, 4, 0) == -EBADF);
  Pipe pipe;
  CHECK(write_blocking(pipe.fds[1], "ab", 2, -1) == 2);
  CHECK(read_blocking(pipe.fds[0], buf, 4, -1) == 2);
  CHECK(write_blocking(pipe.fds[1], "cd", 2, 5) == 2);  // a pipe has no position: 5 is ignored
  CHECK(read_blocking(pipe.fds[0], buf, 4, 9) == 2);
  CHECK(std::string(buf, 2) == "cd");
}

TEST_CASE("copy_file copies a multi-megabyte file byte for byte with every method") {
  TempDir dir;
  const std::string source = dir.file("source");
  std::string data(5 * 1024 * 1024 + 123, '\0');
  std::mt19937 random(42);
  for (char &c : data) c = static_cast<char>(random());
  {
    std::ofstream out(source, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  REQUIRE(::chmod(source.c_str(), 0640) == 0);
  for (auto method : {CopyMethod::copy_file_range, CopyMethod::sendfile, CopyMethod::read_write}) {
    CAPTURE(static_cast<int>(method));
    const std::string target = dir.file("target" + std::to_string(static_cast<int>(method)));
    {
      std::ofstream stale(target, std::ios::binary);  // longer than nothing: must be truncated
      stale << std::string(7 * 1024 * 1024, 'x');
    }
    CopyMethod used = CopyMethod::read_write;
    CHECK(copy_file(source.c_str(), target.c_str(), method, &used) == static_cast<int64_t>(data.size()));
    CHECK(slurp(target) == data);
    // Regular files on one file system: sendfile and read/write always apply; copy_file_range
    // may fall back (e.g. under seccomp), never past sendfile.
    if (method == CopyMethod::copy_file_range) {
      CHECK(used != CopyMethod::read_write);
      const std::string outcome = used == method ? "used" : "refused here: sendfile used";
      MESSAGE("copy_file_range " << outcome);
    } else {
      CHECK(used == method);
    }
  }
  const std::string fresh = dir.file("fresh");
  REQUIRE(copy_file(source.c_str(), fresh.c_str()) == static_cast<int64_t>(data.size()));
  struct stat info;
  REQUIRE(::stat(fresh.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0640);
}

TEST_CASE("copy_file reports failures as -errno and never harms the source") {
  TempDir dir;
  const std::string source = dir.file("source");
  { std::ofstream(source) << "keep me"; }
  CHECK(copy_file(source.c_str(), dir.file("missing-dir/target").c_str()) == -ENOENT);
  CHECK(copy_file(source.c_str(), (source + "/below-a-file").c_str()) == -ENOTDIR);
  CHECK(copy_file(dir.file("absent").c_str(), dir.file("target").c_str()) == -ENOENT);
  CHECK(copy_file(dir.path().c_str(), dir.file("target").c_str()) == -EISDIR);
  CHECK(copy_file(source.c_str(), source.c_str()) == -EINVAL);
  CHECK(slurp(source) == "keep me");
}

}  // TEST_SUITE
