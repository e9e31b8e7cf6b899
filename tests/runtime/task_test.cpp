// Tasks, groups, errors, cancellation, timeouts and the runtime services.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <luminar/luminar.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

using namespace std::chrono_literals;
using luminar::channel;
using luminar::runtime::error_strategy;
using luminar::runtime::spawn_options;
using luminar::runtime::task_group;

TEST_CASE("on_error(stop) rethrows the first error and cancels the other tasks") {
  task_group group(error_strategy::stop);
  channel<int> never;
  channel<int> started(1);
  std::atomic<bool> cancelled_seen{false};
  group.spawn([&] {
    try {
      started.send(1);
      never.recv();
    } catch (const luminar::task_cancelled &) {
      cancelled_seen = true;
      throw;
    }
  });
  // Fails only once the other task runs: a task cancelled before it starts never runs, so
  // it could not show that cancellation reaches a running, blocked task.
  group.spawn([started] {
    started.recv();
    throw std::runtime_error("boom");
  });
  CHECK_THROWS_WITH_AS(group.wait(), "boom", std::runtime_error);
  CHECK(cancelled_seen);
}

TEST_CASE("on_error(collect) throws an error_list with every failure and its task") {
  task_group group(error_strategy::collect);
  for (int i = 0; i < 5; ++i) {
    spawn_options options;
    options.name = i % 2 == 0 ? "even" : "odd";
    group.spawn([i] {
      if (i != 2) throw std::logic_error("bad " + std::to_string(i));
    }, options);
  }
  try {
    group.wait();
    FAIL("no error_list");
  } catch (const luminar::error_list &errors) {
    CHECK(errors.size() == 4);
    for (const auto &entry : errors) CHECK((entry.task == "even" || entry.task == "odd"));
  }
}

TEST_CASE("on_error(ignore) drops errors and counts them in the metrics") {
  const auto before = luminar::metrics().tasks_failed;
  task_group group(error_strategy::ignore);
  group.spawn([] { throw 42; });
  group.wait();
  CHECK(luminar::metrics().tasks_failed == before + 1);
}

TEST_CASE("a block timeout cancels its tasks and throws timeout_error") {
  task_group group(error_strategy::stop, 0, std::chrono::nanoseconds(30ms).count());
  channel<int> never;
  group.spawn([&] { never.recv(); });
  group.spawn([] {
    while (!luminar::this_task::cancelled()) luminar::this_task::yield();
  });
  CHECK_THROWS_AS(group.wait(), luminar::timeout_error);
}

TEST_CASE("a spawn timeout reaches the block as a timeout_error") {
  task_group group(error_strategy::collect);
  spawn_options options;
  options.name = "slow";
  options.timeout_ns = std::chrono::nanoseconds(10ms).count();
  group.spawn([] { luminar::this_task::sleep_for(10s); }, options);
  try {
    group.wait();
    FAIL("no error");
  } catch (const luminar::error_list &errors) {
    REQUIRE(errors.size() == 1);
    CHECK_THROWS_AS(std::rethrow_exception(errors[0].error), luminar::timeout_error);
  }
}

TEST_CASE("cancellation reaches nested blocks, and is not an error") {
  task_group outer;
  std::atomic<int> unwound{0};
  outer.spawn([&] {
    task_group inner;
    inner.spawn([&] {
      try {
        luminar::this_task::sleep_for(10s);
      } catch (const luminar::task_cancelled &) {
        ++unwound;
        throw;
      }
    });
    inner.wait();
  });
  luminar::this_task::sleep_for(10ms);
  outer.cancel();
  CHECK_NOTHROW(outer.wait());
  CHECK(unwound == 1);
}

// A cancellation that comes while its task is on its way into a blocking receive (the
// window between registering the blocked operation and parking, cancel_task in the plugins)
// must still wake it: a lost wake-up leaves the block waiting forever. Each round waits
// until the task is about to receive, then cancels after a delay that varies from round to
// round across that window; the task sits one block down.
TEST_CASE("a cancellation racing a task on its way into a wait always wakes it") {
  const int rounds = static_cast<int>(luminar_test::scaled(3000));
  channel<int> never;
  std::atomic<int> woken{0};
  for (int round = 0; round < rounds; ++round) {
    std::atomic<bool> receiving{false};
    task_group outer;
    outer.spawn([&] {
      task_group inner;
      inner.spawn([&] {
        receiving = true;
        CHECK_THROWS_AS(never.recv(), luminar::task_cancelled);
        ++woken;
      });
      inner.wait();
    });
    while (!receiving.load()) std::this_thread::yield();
    for (volatile int spin = 0; spin < (round % 32) * 10; spin = spin + 1) {
    }
    outer.cancel();
    CHECK_NOTHROW(outer.wait());
  }
  CHECK(woken.load() == rounds);
}

// The other side of that race: tasks that trade messages block and wake each other all the
// time, so a cancellation of their block meets operations being withdrawn by owners that
// a counterpart woke (the canceller may have loaded such an operation just before). Every
// task that started must end through task_cancelled, and the block's wait must return.
TEST_CASE("cancelling a block whose tasks trade messages ends every one of them") {
  const int rounds = static_cast<int>(luminar_test::scaled(300));
  std::atomic<int> started{0}, ended{0};
  for (int round = 0; round < rounds; ++round) {
    channel<int> ping, pong;
    std::atomic<int> exchanged{0};
    task_group group;
    for (int pair = 0; pair < 2; ++pair) {
      group.spawn([&] {
        ++started;
        try {
          for (;;) {
            ping.send(1);
            pong.recv();
            ++exchanged;
          }
        } catch (const luminar::task_cancelled &) {
          ++ended;
          throw;
        }
      });
      group.spawn([&] {
        ++started;
        try {
          for (;;) pong.send(*ping.recv());
        } catch (const luminar::task_cancelled &) {
          ++ended;
          throw;
        }
      });
    }
    while (exchanged.load() < 1 + round % 16) std::this_thread::yield();
    group.cancel();
    CHECK_NOTHROW(group.wait());
  }
  CHECK(ended.load() == started.load());
}

namespace {

// Counts its live instances; `Size` pads it, so that a body can be made too big for a
// runtime's inline storage, and a throwing move sends it through the header's heap path.
template <std::size_t Size, bool NothrowMove>
struct Counted {
  static std::atomic<int> live;
  char padding[Size] = {};
  Counted() { ++live; }
  Counted(const Counted &) { ++live; }
  Counted(Counted &&) noexcept(NothrowMove) { ++live; }
  ~Counted() { --live; }
};
template <std::size_t Size, bool NothrowMove>
std::atomic<int> Counted<Size, NothrowMove>::live{0};

// Spawns `bodies` tasks that each hold a T into a block of max_concurrency 1 whose first
// task waits until the block is cancelled, so that the others are cancelled before they
// start: each body must be destroyed once, whether it ran or not.
template <class T>
void check_bodies_are_destroyed(int bodies) {
  {
    task_group group(error_strategy::stop, 1);
    channel<int> never;
    std::atomic<int> ran{0};
    group.spawn([never, &ran] {
      ++ran;
      never.recv();
    });
    for (int i = 0; i < bodies; ++i) group.spawn([counted = T(), &ran] { ++ran; });
    CHECK(T::live.load() == bodies);
    luminar::this_task::sleep_for(5ms);
    group.cancel();
    group.wait();
    CHECK(ran.load() == 1);
  }
  CHECK(T::live.load() == 0);
}

}  // namespace

TEST_CASE("a task body is destroyed once, also when the task is cancelled before it starts") {
  SUBCASE("small, kept next to the task") { check_bodies_are_destroyed<Counted<8, true>>(16); }
  SUBCASE("too big for the inline storage") { check_bodies_are_destroyed<Counted<512, true>>(16); }
  SUBCASE("not nothrow-movable: on the heap") { check_bodies_are_destroyed<Counted<8, false>>(16); }
}

namespace {

// Knows its own address: a move that copied its bytes instead of running its move
// constructor, or a use of the moved-from object, shows as self != this.
struct SelfAware {
  static std::atomic<int> live;
  const SelfAware *self = this;
  SelfAware() { ++live; }
  SelfAware(const SelfAware &) { ++live; }
  SelfAware(SelfAware &&) noexcept { ++live; }
  ~SelfAware() { --live; }
  bool intact() const { return self == this; }
};
std::atomic<int> SelfAware::live{0};

}  // namespace

// luminar.hpp lets the runtime move a task body again (LUMINAR_TASK_MOVABLE_DATA): a fiber
// runtime may move it onto the task's stack when the task starts. The body must arrive by
// its move constructor, be destroyed once per object, and stay put while the task parks.
TEST_CASE("a task body that parks stays intact wherever the runtime moves it") {
  constexpr int kTasks = 64;
  {
    channel<int> go;
    std::atomic<int> intact{0};
    task_group group;
    for (int i = 0; i < kTasks; ++i) {
      auto body = [guard = SelfAware(), go, &intact] {
        const bool before = guard.intact();
        go.recv();
        if (before && guard.intact()) ++intact;
      };
      static_assert(std::is_nothrow_move_constructible<decltype(body)>::value, "kept by the runtime, not on the heap");
      group.spawn(std::move(body));
    }
    for (int i = 0; i < kTasks; ++i) REQUIRE(go.send(i) == luminar::chan_status::ok);
    group.wait();
    CHECK(intact.load() == kTasks);
  }
  CHECK(SelfAware::live.load() == 0);
}

namespace {

// A raw spawn of fn(data) at normal priority, without a timeout or a handle.
LuminarTaskDescriptor handleless_descriptor(int32_t (*fn)(void *), void *data) {
  LuminarTaskDescriptor desc{};
  desc.struct_size = sizeof desc;
  desc.flags = LUMINAR_TASK_NO_HANDLE;
  desc.priority = LUMINAR_PRIORITY_NORMAL;
  desc.timeout_ns = -1;
  desc.fn = fn;
  desc.data = data;
  return desc;
}

}  // namespace

TEST_CASE("spawn_task keeps the caller's data and gives no handle when asked not to") {
  struct Payload {
    std::atomic<int> *ran;
    int value;
  };
  std::atomic<int> ran{0};
  Payload payload{&ran, 41};
  LuminarTaskDescriptor desc = handleless_descriptor(
      [](void *data) -> int32_t {
        auto *kept = static_cast<Payload *>(data);
        *kept->ran += kept->value;
        return LUMINAR_TASK_OK;
      },
      &payload);
  desc.data_size = sizeof payload;
  desc.data_align = alignof(Payload);
  desc.move_data = [](void *dst, void *src) {
    new (dst) Payload(*static_cast<Payload *>(src));
    static_cast<Payload *>(src)->value = -1000;  // the runtime must run on its own copy
  };
  task_group group;
  desc.group = group.native_handle();
  const ConcurrencyHooks &hooks = luminar::detail::runtime_hooks();
  CHECK(hooks.spawn_task(&desc) == nullptr);
  CHECK(payload.value == -1000);
  group.wait();
  CHECK(ran.load() == 41);
}

// A runtime may carve task records from the spawning thread's memory (steal's record arena):
// the records must outlive the thread. Tasks with handles, spawned by a thread that has
// exited, parked; half released before they run on, half joined after.
TEST_CASE("tasks spawned with handles by a thread that has exited are joined and released") {
  constexpr int kTasks = 200;
  struct Payload {
    channel<int> *go;
    std::atomic<int> *done;
  };
  channel<int> go;
  std::atomic<int> done{0};
  Payload payload{&go, &done};
  LuminarTaskDescriptor desc = handleless_descriptor(
      [](void *data) -> int32_t {
        auto *kept = static_cast<Payload *>(data);
        if (kept->go->recv().has_value()) kept->done->fetch_add(1);
        return LUMINAR_TASK_OK;
      },
      &payload);
  desc.flags = LUMINAR_TASK_MOVABLE_DATA;
  desc.data_size = sizeof payload;
  desc.data_align = alignof(Payload);
  desc.move_data = [](void *dst, void *src) { new (dst) Payload(*static_cast<Payload *>(src)); };
  const ConcurrencyHooks &hooks = luminar::detail::runtime_hooks();
  std::vector<LuminarTask *> handles;
  std::thread spawner([&] {
    for (int i = 0; i < kTasks; ++i) handles.push_back(hooks.spawn_task(&desc));
  });
  spawner.join();
  REQUIRE(handles.size() == static_cast<std::size_t>(kTasks));
  for (int i = 0; i < kTasks; i += 2) hooks.release_task(handles[static_cast<std::size_t>(i)]);
  for (int i = 0; i < kTasks; ++i) REQUIRE(go.send(i) == luminar::chan_status::ok);
  for (int i = 1; i < kTasks; i += 2) hooks.join_task(handles[static_cast<std::size_t>(i)]);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (done.load() < kTasks && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  CHECK(done.load() == kTasks);
}

TEST_CASE("a block waits for every task, whoever spawns it into the block") {
  // The block's own spawns (which a runtime may count ahead in batches and settle at the
  // wait), spawns by its tasks into it (dynamic nesting, SPEC 1.5), and spawns from a
  // thread outside the runtime, in counts around batch sizes.
  for (int spawns : {0, 1, 2, 3, 31, 64, 65, 300}) {
    CAPTURE(spawns);
    std::atomic<int> ran{0};
    task_group group;
    std::thread outsider([&] {
      LuminarTaskDescriptor desc = handleless_descriptor(
          [](void *counter) -> int32_t {
            static_cast<std::atomic<int> *>(counter)->fetch_add(1);
            return LUMINAR_TASK_OK;
          },
          &ran);
      desc.group = group.native_handle();
      for (int i = 0; i < spawns; ++i) luminar::detail::runtime_hooks().spawn_task(&desc);
    });
    for (int i = 0; i < spawns; ++i) {
      group.spawn([&ran, i] {
        if (i % 2 == 0) luminar::runtime::spawn_detached([&ran] { ran.fetch_add(1); });
        luminar::this_task::yield();
        ran.fetch_add(1);
      });
    }
    outsider.join();
    group.wait();
    CHECK(ran.load() == spawns + (spawns + 1) / 2 + spawns);
  }
}

TEST_CASE("cancelling a block reaches tasks three blocks down, parked or busy") {
  task_group outer;
  std::atomic<int> unwound{0}, saw_cancel{0}, started{0};
  outer.spawn([&] {
    task_group middle;
    middle.spawn([&] {
      task_group inner;
      inner.spawn([&] {
        ++started;
        try {
          luminar::this_task::sleep_for(10s);
        } catch (const luminar::task_cancelled &) {
          ++unwound;
          throw;
        }
      });
      inner.spawn([&] {  // never blocks: it must see the cancellation of a block above
        ++started;
        while (!luminar::this_task::cancelled()) luminar::this_task::yield();
        ++saw_cancel;
      });
      inner.wait();
    });
    middle.wait();
  });
  while (started.load() < 2) luminar::this_task::sleep_for(1ms);
  outer.cancel();
  CHECK_NOTHROW(outer.wait());
  CHECK(unwound.load() == 1);
  CHECK(saw_cancel.load() == 1);
}

TEST_CASE("max_concurrency bounds the tasks running at once, blocked ones included") {
  constexpr int limit = 2;
  task_group group(error_strategy::stop, limit);
  std::atomic<int> running{0}, peak{0};
  for (int i = 0; i < 8; ++i) {
    group.spawn([&] {
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      luminar::this_task::sleep_for(5ms);
      --running;
    });
  }
  group.wait();
  CHECK(peak.load() <= limit);
  CHECK(peak.load() >= 1);
}

TEST_CASE("blocking tasks do not starve the others") {
  task_group group;
  channel<int> release;
  for (int i = 0; i < 8; ++i) {
    spawn_options options;
    options.blocking = true;
    group.spawn([release] { release.recv(); }, options);
  }
  std::atomic<bool> ran{false};
  group.spawn([&] { ran = true; });
  while (!ran) luminar::this_task::yield();
  release.close();
  group.wait();
}

TEST_CASE("detached spawns run without a block") {
  channel<int> done(1);
  luminar::runtime::spawn_detached([done] { done.send(1); });
  CHECK(*done.recv() == 1);
}

TEST_CASE("metrics count tasks and channel operations") {
  // Tasks of earlier cases (a detached spawn) may still be finishing: count from a quiet runtime.
  while (luminar::metrics().tasks_active != 0) std::this_thread::yield();
  const auto before = luminar::metrics();
  task_group group;
  channel<int> ch(1);
  group.spawn([ch] { ch.send(1); });
  group.wait();
  const auto after = luminar::metrics();
  CHECK(after.tasks_spawned == before.tasks_spawned + 1);
  CHECK(after.tasks_completed == before.tasks_completed + 1);
  CHECK(after.channel_operations > before.channel_operations);
  CHECK(after.peak_concurrency >= 1);
}

TEST_CASE("shared memory and I/O services") {
  void *p = luminar::alloc_shared(4096);
  std::memset(p, 1, 4096);
  CHECK(luminar::metrics().memory_current_bytes >= 4096);
  luminar::free_shared(p, 4096);

  char path[] = "/tmp/luminar_io_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  CHECK(luminar::io::write(fd, "hello world", 11, 0) == 11);
  char buffer[6] = {};
  CHECK(luminar::io::read(fd, buffer, 5, 6) == 5);
  CHECK(std::string(buffer) == "world");
  const std::string copy = std::string(path) + ".copy";
  CHECK(luminar::io::copy_file(path, copy) == 11);
  CHECK_THROWS_AS(luminar::io::copy_file("/nonexistent/luminar", copy), std::system_error);
  close(fd);
  std::remove(path);
  std::remove(copy.c_str());
}

TEST_CASE("runtime atomics") {
  const ConcurrencyHooks &hooks = luminar::detail::runtime_hooks();
  const uint32_t initial = 0xfffffffeu;
  LuminarAtomic *a = hooks.atomic_create(4, &initial);
  uint32_t one = 1, previous = 0, value = 0;
  hooks.atomic_add(a, &one, &previous);
  CHECK(previous == 0xfffffffeu);
  hooks.atomic_add(a, &one, nullptr);
  hooks.atomic_load(a, &value);
  CHECK(value == 0);  // wrapped at 32 bits
  uint32_t expected = 5, desired = 6;
  CHECK(hooks.atomic_compare_exchange(a, &expected, &desired) == 0);
  CHECK(expected == 0);
  CHECK(hooks.atomic_compare_exchange(a, &expected, &desired) == 1);
  hooks.atomic_load(a, &value);
  CHECK(value == 6);
  hooks.atomic_destroy(a);
}
