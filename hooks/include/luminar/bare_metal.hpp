// Luminar bare-metal support library.
//
// The `luminar` translator turns bare-metal blocks into plain C++ that calls the functions
// below, and embeds this file textually into every translated file. Therefore it:
//   * needs nothing but the standard library and (on Linux) the futex system call, so the
//     translated program builds with `-pthread` alone, warning-free under -Wall -Wextra;
//   * holds only inline functions, classes and templates, so any number of translation units
//     can embed it (ODR-safe); the process-wide thread team is a function-local static of an
//     inline function, hence shared by all of them;
//   * does not depend on luminar/errors.hpp (throw_collected is a template on the list type).
//
// Contents:
//   error_state            errors of one construct (on_error strategies, SPEC 1.4)
//   detail::team           the process-wide pool of persistent worker threads
//   parallel_for           `#pragma luminar parallel for`
//   task_group             `#pragma luminar parallel { ... spawn ... }`
//   unnamed_critical_mutex `#pragma luminar critical`
//   defer                  `#pragma luminar defer`
//   atomic_update          `#pragma luminar atomic`
//   reduction_*            reduction(op: var) clauses
//   trip_count_*, iteration_value   canonical-loop arithmetic
#ifndef LUMINAR_BARE_METAL_HPP
#define LUMINAR_BARE_METAL_HPP

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <condition_variable>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#endif

namespace luminar::bare_metal {

// ---------------------------------------------------------------------------------------
// Errors of one construct
// ---------------------------------------------------------------------------------------

enum class error_strategy { stop, collect, ignore };

// The exceptions that escaped the iterations or tasks of one construct.
//
// Invariants: count_ is the number of record() calls so far (all strategies). entries_
// holds, in record order, every recorded error under `collect`, at most the first one under
// `stop`, and nothing under `ignore`. cancelled_ becomes true (never false again) at the
// first record() under `stop`. entries_ is guarded by mutex_; count_ and cancelled_ are only
// written under mutex_ but are atomics so that cancelled() and count() need no lock.
class error_state {
 public:
  explicit error_state(error_strategy s) noexcept : strategy_(s) {}
  error_state(const error_state &) = delete;
  error_state &operator=(const error_state &) = delete;

  error_strategy strategy() const noexcept { return strategy_; }

  // relaxed: the flag is only a hint to stop handing out work early; the exception itself is
  // published through mutex_ and read after the construct has joined its threads.
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }

  // relaxed: exact once the construct has joined (the join orders every record() before
  // this load); while it runs the value is only a snapshot.
  std::size_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

  void record(std::exception_ptr e, std::string label) {
    std::lock_guard<std::mutex> lock(mutex_);
    // relaxed (both): written under mutex_; readers only need the value itself (see above).
    count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (strategy_ == error_strategy::stop) cancelled_.store(true, std::memory_order_relaxed);
    if (strategy_ == error_strategy::ignore) return;
    if (strategy_ == error_strategy::stop && !entries_.empty()) return;
    entries_.push_back(entry{std::move(e), std::move(label)});  // may throw bad_alloc: see rethrow_first
  }

  // Under `stop`, after the construct has finished: rethrows the first recorded error.
  void rethrow_first() {
    if (strategy_ != error_strategy::stop || count() == 0) return;
    std::exception_ptr first;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!entries_.empty()) first = entries_.front().error;
    }
    if (!first) throw std::bad_alloc();  // the error was counted but storing it ran out of memory
    std::rethrow_exception(first);
  }

  // Under `collect`, after the construct has finished: throws ErrorList (luminar::error_list)
  // filled through ErrorList::add(exception_ptr, std::string) if anything failed.
  template <class ErrorList>
  void throw_collected() {
    if (strategy_ != error_strategy::collect || count() == 0) return;
    ErrorList list;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const entry &e : entries_) list.add(e.error, e.label);
    }
    throw list;
  }

 private:
  struct entry {
    std::exception_ptr error;
    std::string label;
  };

  const error_strategy strategy_;
  std::atomic<bool> cancelled_{false};
  std::atomic<std::size_t> count_{0};
  mutable std::mutex mutex_;
  std::vector<entry> entries_;
};

namespace detail {

// record() for the library's own catch handlers, which must not throw: if storing the error
// runs out of memory the error is still counted (and cancels under `stop`).
inline void record_quietly(error_state &errors, std::exception_ptr e, const char *label) noexcept {
  try {
    errors.record(std::move(e), label != nullptr ? label : "task");
  } catch (...) {
  }
}

// ---------------------------------------------------------------------------------------
// Waiting: bounded spinning, then the futex (or a portable parking lot)
// ---------------------------------------------------------------------------------------

// How long a waiter spins before it sleeps on the futex. Back-to-back constructs then hand
// work over without a system call, while an idle worker gives its core back soon.
//   * kSpinBudget: when the construct has no more threads than the machine has cores;
//   * kShortSpin: when it has more (oversubscribed: a spinner would take the core from the
//     very thread it waits for), and for task groups, whose tasks are long or block;
//   * kPausePhase: the first part of a spin uses the pause instruction only; afterwards the
//     spinner yields to other runnable threads between checks (the core is shared). Short:
//     when the waited-for thread shares this CPU, every pause-only microsecond delays it
//     (measured with bench/run_bare_metal.sh --busy 1: 10 us costs 30 us per construct).
inline constexpr std::chrono::microseconds kSpinBudget{50};
inline constexpr std::chrono::microseconds kShortSpin{2};
inline constexpr std::chrono::microseconds kPausePhase{2};

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

// Spins until ready() is true or `budget` has passed; returns ready()'s last result. The
// clock is read only every 16 pause rounds, so a short wait costs no clock reads at all.
template <class Ready>
bool spin_until(Ready &&ready, std::chrono::microseconds budget) noexcept {
  using clock = std::chrono::steady_clock;
  clock::time_point start{};
  bool yielding = false;
  for (unsigned round = 1;; ++round) {
    if (ready()) return true;
    if (yielding) {
      std::this_thread::yield();
    } else {
      cpu_relax();
      if (round % 16 != 0) continue;
    }
    const clock::time_point now = clock::now();
    if (start == clock::time_point{}) {
      start = now;
    } else if (now - start >= budget) {
      return ready();
    } else {
      yielding = now - start >= kPausePhase;
    }
  }
}

using wait_word = std::atomic<std::uint32_t>;
static_assert(sizeof(wait_word) == sizeof(std::uint32_t) && wait_word::is_always_lock_free,
              "the futex operates on the atomic's storage");

#ifdef __linux__

// Sleeps while `word` holds `expected` (the kernel checks atomically). May return spuriously.
inline void futex_wait(const wait_word &word, std::uint32_t expected) noexcept {
  syscall(SYS_futex, static_cast<const void *>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

// Wakes every thread sleeping on the word at `address`. Takes a plain address because a
// waker may call it after the word's owner has already returned (see completion::arrive):
// the kernel only hashes the address, so the worst case is a spurious wake-up of whoever
// sleeps there now, which every futex user tolerates.
inline void futex_wake_all(const void *address) noexcept {
  syscall(SYS_futex, address, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

#else  // portable fallback: a parking lot of mutex + condition variable buckets

struct park_bucket {
  std::mutex mutex;
  std::condition_variable wake;
};

// Leaked, so that threads still waiting during static destruction find it alive.
inline park_bucket &bucket_for(const void *address) noexcept {
  static park_bucket *const buckets = new park_bucket[64];
  return buckets[(reinterpret_cast<std::uintptr_t>(address) >> 6) % 64];
}

// A waker changes the word before it locks the bucket, and the waiter checks the word under
// the bucket lock, so no wake-up is lost.
inline void futex_wait(const wait_word &word, std::uint32_t expected) noexcept {
  park_bucket &bucket = bucket_for(&word);
  std::unique_lock<std::mutex> lock(bucket.mutex);
  // acquire: pairs with the waker's release store/RMW of the word.
  while (word.load(std::memory_order_acquire) == expected) bucket.wake.wait(lock);
}

inline void futex_wake_all(const void *address) noexcept {
  park_bucket &bucket = bucket_for(address);
  std::lock_guard<std::mutex> lock(bucket.mutex);
  bucket.wake.notify_all();
}

#endif

// A countdown that one owner waits on until every job it started has arrived.
//
// Invariants: the low 31 bits of word_ count jobs started (expect) and not yet finished
// (arrive); bit 31 (kWaiter) is set only by the owner inside wait(), just before it sleeps.
// Only the owner calls expect() and wait(); any thread calls arrive(), once per expected job.
class alignas(64) completion {
 public:
  // relaxed: the count is read only by arrive() and wait(). Every arriving worker learns of
  // its job through post()'s release exchange, which is sequenced after this, and wait()
  // runs on this same thread, so both see the increment.
  void expect(std::uint32_t jobs) noexcept { word_.fetch_add(jobs, std::memory_order_relaxed); }

  void arrive() noexcept {
    const void *address = &word_;  // the owner may return as soon as the count reaches zero
    // release: publishes the finished job to wait()'s acquire load (all arrivals are RMWs,
    // so the last one's release sequence carries the earlier ones too).
    const std::uint32_t before = word_.fetch_sub(1, std::memory_order_release);
    if (before == (kWaiter | 1u)) futex_wake_all(address);
  }

  // Returns once every expected job has arrived; everything those jobs did is visible then.
  // Spins for `spin` first (see kSpinBudget).
  void wait(std::chrono::microseconds spin) noexcept {
    // acquire (all loads below): pairs with arrive()'s release fetch_sub.
    if (spin_until([this] { return (word_.load(std::memory_order_acquire) & ~kWaiter) == 0; }, spin)) return;
    std::uint32_t current = word_.load(std::memory_order_acquire);
    while ((current & ~kWaiter) != 0) {
      // acquire: like the loads, it may read the value of an arrival's release fetch_sub.
      if ((current & kWaiter) == 0 &&
          !word_.compare_exchange_weak(current, current | kWaiter, std::memory_order_acquire)) {
        continue;  // an arrival changed the count; re-check it
      }
      futex_wait(word_, current | kWaiter);
      current = word_.load(std::memory_order_acquire);
    }
    // relaxed: only this thread reads the bit; the count bits are untouched.
    word_.fetch_and(~kWaiter, std::memory_order_relaxed);
  }

 private:
  static constexpr std::uint32_t kWaiter = 0x80000000u;
  wait_word word_{0};
};

// ---------------------------------------------------------------------------------------
// The thread team
// ---------------------------------------------------------------------------------------

// One unit of work handed to a worker: run(context, index), then done->arrive().
using job_function = void (*)(void *context, std::size_t index) noexcept;
struct job {
  job_function run;
  void *context;
  std::size_t index;
  completion *done;
  bool release_self;  // the worker goes back to the idle list itself, before arriving
  std::chrono::microseconds next_spin;  // how long the worker spins for its next job
};

// Slot states. Only the worker moves idle -> sleeping and posted -> idle; only the slot's
// current owner moves idle/sleeping -> posted.
inline constexpr std::uint32_t kSlotIdle = 0;
inline constexpr std::uint32_t kSlotSleeping = 1;
inline constexpr std::uint32_t kSlotPosted = 2;

// One persistent worker thread's mailbox, on a cache line of its own.
//
// Invariants: a slot is either on the team's idle list or owned by exactly one thread (the
// one that took it with team::acquire). Only the owner writes `posted`, and only while state
// is kSlotIdle or kSlotSleeping, i.e. before its post(); the worker reads `posted` after it
// saw kSlotPosted. next_idle is guarded by team::mutex_ while the slot is idle and belongs
// to the owner otherwise. Slots are never freed.
struct alignas(64) worker_slot {
  wait_word state{kSlotIdle};
  job posted{};
  worker_slot *next_idle = nullptr;
};

// Workers taken from the team: `size` slots linked through next_idle from head to tail.
// Only the thread that acquired them reads or changes the chain.
struct worker_chain {
  worker_slot *head = nullptr;
  worker_slot *tail = nullptr;
  std::size_t size = 0;

  void push(worker_slot *w) noexcept {
    w->next_idle = head;
    head = w;
    if (tail == nullptr) tail = w;
    ++size;
  }
};

// Hands `j` to the worker of `slot`, which the caller owns and which has no job.
inline void post(worker_slot &slot, const job &j) noexcept {
  slot.posted = j;
  // release: publishes `posted` to the worker's acquire load / compare-exchange of state.
  if (slot.state.exchange(kSlotPosted, std::memory_order_release) == kSlotSleeping) {
    futex_wake_all(&slot.state);
  }
}

// Worker side: returns once a job is posted; spins for `spin` first, then sleeps on the futex.
inline void wait_for_job(worker_slot &slot, std::chrono::microseconds spin) noexcept {
  // acquire: pairs with post()'s release exchange, so `posted` is visible afterwards.
  if (spin_until([&slot] { return slot.state.load(std::memory_order_acquire) == kSlotPosted; }, spin)) return;
  std::uint32_t expected = kSlotIdle;
  // acquire: on failure the value read is kSlotPosted, written by post()'s release exchange.
  if (!slot.state.compare_exchange_strong(expected, kSlotSleeping, std::memory_order_acquire)) return;
  // Only post() moves the state away from kSlotSleeping, and only to kSlotPosted.
  do {
    futex_wait(slot.state, kSlotSleeping);
  } while (slot.state.load(std::memory_order_acquire) == kSlotSleeping);  // acquire: as above
}

// Nesting depth of team constructs on this thread: workers are always at depth >= 1; the
// calling thread of a parallel_for is at depth >= 1 while it runs its own share. A construct
// started at depth >= 1 uses only idle workers and never grows the team.
inline std::size_t &nesting_depth() noexcept {
  thread_local std::size_t depth = 0;
  return depth;
}

struct nesting_scope {
  nesting_scope() noexcept { ++nesting_depth(); }
  ~nesting_scope() { --nesting_depth(); }
  nesting_scope(const nesting_scope &) = delete;
  nesting_scope &operator=(const nesting_scope &) = delete;
};

class team;
team &the_team() noexcept;

// The process-wide pool of persistent worker threads.
//
// Invariants: idle_ is a LIFO stack (most recently used worker first, the likeliest to be
// still spinning) of the slots no thread owns; all_ lists every slot ever created. Both are
// guarded by mutex_. Workers are created on demand, never destroyed, and run detached: the
// team itself is never destroyed either (it is reachable from a static pointer, so leak
// checkers do not report it), which makes constructs safe even from static destructors.
class team {
 public:
  // Takes up to `wanted` idle workers; when `may_grow`, starts new ones for the rest.
  worker_chain acquire(std::size_t wanted, bool may_grow) noexcept {
    worker_chain chain;
    if (wanted == 0) return chain;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (chain.size < wanted && idle_ != nullptr) {
        worker_slot *w = idle_;
        idle_ = w->next_idle;
        chain.push(w);
      }
    }
    while (may_grow && chain.size < wanted) {
      worker_slot *w = start_worker();
      if (w == nullptr) break;  // no more threads: run with fewer
      chain.push(w);
    }
    return chain;
  }

  // Gives back workers whose jobs have all arrived.
  void release(const worker_chain &chain) noexcept {
    if (chain.size == 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    chain.tail->next_idle = idle_;
    idle_ = chain.head;
  }

  void release_one(worker_slot *w) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    w->next_idle = idle_;
    idle_ = w;
  }

  // Number of worker threads ever started (for tests and diagnostics).
  std::size_t size() const noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    return all_.size();
  }

 private:
  static void worker_main(worker_slot *slot) noexcept {
    nesting_depth() = 1;
    std::chrono::microseconds spin = kShortSpin;  // a new worker's first job is already posted
    for (;;) {
      wait_for_job(*slot, spin);
      const job j = slot->posted;
      // relaxed: the next post() to this slot comes from an owner that got it after this
      // job's arrive() (release) or release_one() (mutex), both sequenced after this store.
      slot->state.store(kSlotIdle, std::memory_order_relaxed);
      j.run(j.context, j.index);
      spin = j.next_spin;
      if (j.release_self) the_team().release_one(slot);
      j.done->arrive();
    }
  }

  // A new, owned worker, or nullptr when no thread can be created.
  worker_slot *start_worker() noexcept {
    try {
      auto slot = std::make_unique<worker_slot>();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        all_.reserve(all_.size() + 1);  // so that the push_back below cannot throw
      }
      std::thread(&team::worker_main, slot.get()).detach();
      std::lock_guard<std::mutex> lock(mutex_);
      all_.push_back(slot.get());
      return slot.release();
    } catch (...) {
      return nullptr;
    }
  }

  mutable std::mutex mutex_;
  worker_slot *idle_ = nullptr;
  std::vector<worker_slot *> all_;
};

inline team *&team_pointer() noexcept;

// After fork() only the forking thread exists in the child: the parent's workers are gone,
// so the child starts over with an empty team (the old one is leaked).
inline void reset_team_after_fork() noexcept { team_pointer() = new team(); }

inline team *&team_pointer() noexcept {
  static team *pointer = [] {
#if defined(__unix__) || defined(__APPLE__)
    pthread_atfork(nullptr, nullptr, &reset_team_after_fork);
#endif
    return new team();
  }();
  return pointer;
}

inline team &the_team() noexcept { return *team_pointer(); }

inline std::size_t hardware_threads() noexcept {
  static const std::size_t threads = [] {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? std::size_t{1} : std::size_t{n};
  }();
  return threads;
}

// How long the threads of a construct with `threads` threads spin (see kSpinBudget).
inline std::chrono::microseconds spin_for(std::size_t threads) noexcept {
  return threads <= hardware_threads() ? kSpinBudget : kShortSpin;
}

// Starts `run(context, i)` for i = 1..chain.size on the chain's workers.
inline void start_jobs(const worker_chain &chain, job_function run, void *context, completion &done,
                       std::chrono::microseconds spin) noexcept {
  done.expect(static_cast<std::uint32_t>(chain.size));
  worker_slot *w = chain.head;
  for (std::size_t i = 1; i <= chain.size; ++i) {
    worker_slot *next = w->next_idle;
    post(*w, job{run, context, i, &done, false, spin});
    w = next;
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------------------
// parallel_for
// ---------------------------------------------------------------------------------------

enum class schedule_kind { static_, dynamic };

struct loop_options {
  std::size_t max_threads = 0;  // num_threads(expr); 0 = std::thread::hardware_concurrency()
  bool serial = false;          // if(false): run everything on the calling thread, in order
  schedule_kind schedule = schedule_kind::static_;
  std::uint64_t chunk = 0;  // 0 = default (static: one contiguous range per thread; dynamic: 1)
};

namespace detail {

// Shared state of one parallel_for. thread_count is fixed before any thread starts;
// next_chunk is the only field written while the loop runs (dynamic schedule).
struct loop_context {
  loop_context(std::uint64_t n, const loop_options &opts, error_state &errs) noexcept
      : count(n), chunk(opts.chunk), schedule(opts.schedule), errors(&errs) {}

  const std::uint64_t count;
  const std::uint64_t chunk;
  const schedule_kind schedule;
  std::size_t thread_count = 1;
  error_state *const errors;
  std::mutex combine_mutex;
  alignas(64) std::atomic<std::uint64_t> next_chunk{0};
};

// Iterations a static thread runs between two cancellation checks.
inline constexpr std::uint64_t kStaticBlock = 4096;

}  // namespace detail

// What each participating thread's function receives.
class loop_worker {
 public:
  loop_worker(detail::loop_context &loop, std::size_t index) noexcept : loop_(&loop), index_(index) {}

  std::size_t thread_index() const noexcept { return index_; }
  std::size_t thread_count() const noexcept { return loop_->thread_count; }
  error_state &errors() noexcept { return *loop_->errors; }

  // Calls fn(lo, hi) for each chunk [lo, hi) of 0..count-1 this thread gets, in increasing
  // order; stops handing out chunks once errors().cancelled().
  template <class Fn>
  void for_each_chunk(Fn &&fn) {
    if (loop_->schedule == schedule_kind::dynamic) {
      dynamic_chunks(fn);
    } else if (loop_->chunk == 0) {
      static_range(fn);
    } else {
      static_chunks(fn);
    }
  }

  // Runs fn() under the construct's mutex (to combine reduction partials).
  template <class Fn>
  void combine(Fn &&fn) {
    std::lock_guard<std::mutex> lock(loop_->combine_mutex);
    fn();
  }

 private:
  // This thread's contiguous share, in blocks of kStaticBlock so that a cancellation under
  // `stop` skips the rest. Shares differ in size by at most one iteration.
  template <class Fn>
  void static_range(Fn &fn) {
    const std::uint64_t n = loop_->thread_count;
    const std::uint64_t t = index_;
    const std::uint64_t base = loop_->count / n;
    const std::uint64_t extra = loop_->count % n;
    std::uint64_t lo = t * base + std::min(t, extra);
    const std::uint64_t hi = lo + base + (t < extra ? 1 : 0);
    while (lo < hi && !loop_->errors->cancelled()) {
      const std::uint64_t block_hi = hi - lo > detail::kStaticBlock ? lo + detail::kStaticBlock : hi;
      fn(lo, block_hi);
      lo = block_hi;
    }
  }

  // Chunks index_, index_ + n, index_ + 2n, ... of size chunk.
  template <class Fn>
  void static_chunks(Fn &fn) {
    const std::uint64_t c = loop_->chunk;
    const std::uint64_t last_chunk = (loop_->count - 1) / c;
    for (std::uint64_t k = index_; k <= last_chunk && !loop_->errors->cancelled(); k += loop_->thread_count) {
      run_chunk(fn, k, c);
    }
  }

  // Chunks taken from the shared counter.
  template <class Fn>
  void dynamic_chunks(Fn &fn) {
    const std::uint64_t c = loop_->chunk == 0 ? 1 : loop_->chunk;
    const std::uint64_t last_chunk = (loop_->count - 1) / c;
    while (!loop_->errors->cancelled()) {
      // relaxed: the counter only partitions the iterations; what they computed is published
      // by the join (completion::arrive / wait).
      const std::uint64_t k = loop_->next_chunk.fetch_add(1, std::memory_order_relaxed);
      if (k > last_chunk) return;
      run_chunk(fn, k, c);
    }
  }

  // k <= last_chunk, so k * c <= count - 1 cannot overflow.
  template <class Fn>
  void run_chunk(Fn &fn, std::uint64_t k, std::uint64_t c) {
    const std::uint64_t lo = k * c;
    fn(lo, lo + std::min(c, loop_->count - lo));
  }

  detail::loop_context *loop_;
  std::size_t index_;
};

namespace detail {

template <class Body>
struct loop_job {
  loop_context *loop;
  Body *body;
};

// One thread's share of a parallel_for. An exception escaping the body is recorded (and
// cancels the loop under `stop`); it never leaves the thread.
template <class Body>
void run_loop_share(void *context, std::size_t index) noexcept {
  auto &lj = *static_cast<loop_job<Body> *>(context);
  loop_worker worker(*lj.loop, index);
  try {
    (*lj.body)(worker);
  } catch (...) {
    record_quietly(*lj.loop->errors, std::current_exception(), "iteration range");
  }
}

inline std::size_t loop_threads(const loop_options &opts, std::uint64_t count) noexcept {
  if (opts.serial) return 1;
  const std::size_t wanted = opts.max_threads != 0 ? opts.max_threads : hardware_threads();
  return count < wanted ? static_cast<std::size_t>(count) : wanted;
}

}  // namespace detail

// Runs per_thread(loop_worker&) on min(threads, count) threads (the caller is thread 0) and
// waits for all. Never throws because of the body: errors end up in `errors`.
template <class PerThread>
void parallel_for(std::uint64_t count, const loop_options &opts, error_state &errors, PerThread &&per_thread) {
  if (count == 0) return;
  using body = std::remove_reference_t<PerThread>;
  detail::loop_context loop(count, opts, errors);
  detail::loop_job<body> lj{&loop, &per_thread};
  const std::size_t threads = detail::loop_threads(opts, count);
  if (threads <= 1) {
    detail::run_loop_share<body>(&lj, 0);
    return;
  }
  detail::team &team = detail::the_team();
  const detail::worker_chain helpers = team.acquire(threads - 1, detail::nesting_depth() == 0);
  loop.thread_count = helpers.size + 1;
  const std::chrono::microseconds spin = detail::spin_for(loop.thread_count);
  detail::completion done;
  detail::start_jobs(helpers, &detail::run_loop_share<body>, &lj, done, spin);
  {
    detail::nesting_scope nested;
    detail::run_loop_share<body>(&lj, 0);
  }
  done.wait(spin);
  team.release(helpers);
}

// ---------------------------------------------------------------------------------------
// task_group
// ---------------------------------------------------------------------------------------

// Structured fork/join for a `parallel` block with a static set of spawns.
//
// Invariants: every task spawned and not skipped is run exactly once, by a dedicated worker
// (max_threads 0), a draining worker or the calling thread in join(). queue_head_/
// queue_tail_ (a FIFO of owned tasks) and drainers_ (workers running drain_job, at most
// max_threads - 1) are guarded by queue_mutex_. running_ counts worker jobs not yet finished.
class task_group {
 public:
  task_group(std::size_t max_threads, bool serial, error_state &errors) noexcept
      : max_threads_(max_threads), serial_(serial), errors_(errors) {}
  task_group(const task_group &) = delete;
  task_group &operator=(const task_group &) = delete;
  ~task_group() { join(); }

  template <class Fn>
  void spawn(Fn &&fn, const char *label) {
    if (errors_.cancelled()) return;  // `stop`: tasks not started yet are skipped
    if (serial_) {
      run_inline(std::forward<Fn>(fn), label);
    } else if (max_threads_ == 0) {
      start_dedicated(std::make_unique<task_of<std::decay_t<Fn>>>(std::forward<Fn>(fn), *this, label));
    } else {
      enqueue(std::make_unique<task_of<std::decay_t<Fn>>>(std::forward<Fn>(fn), *this, label));
    }
  }

  // Waits for every spawned task, running queued ones on the calling thread. Never throws.
  void join() noexcept {
    while (task *t = pop_task(false)) {
      std::unique_ptr<task> owned(t);
      run_task(*owned);
    }
    running_.wait(detail::kShortSpin);
  }

 private:
  struct task {
    task(task_group &g, const char *l) : group(&g), label(l != nullptr ? l : "task") {}
    virtual ~task() = default;
    virtual void run() = 0;
    task_group *group;
    std::string label;
    task *next = nullptr;  // queue link, guarded by queue_mutex_
  };

  template <class Fn>
  struct task_of final : task {
    template <class F>
    task_of(F &&f, task_group &g, const char *l) : task(g, l), fn(std::forward<F>(f)) {}
    void run() override { fn(); }
    Fn fn;
  };

  template <class Fn>
  void run_inline(Fn &&fn, const char *label) noexcept {
    try {
      std::decay_t<Fn> copy(std::forward<Fn>(fn));
      copy();
    } catch (...) {
      detail::record_quietly(errors_, std::current_exception(), label);
    }
  }

  void run_task(task &t) noexcept {
    if (errors_.cancelled()) return;  // `stop`: not started before the first error
    try {
      t.run();
    } catch (...) {
      detail::record_quietly(errors_, std::current_exception(), t.label.c_str());
    }
  }

  // max_threads 0: a worker of its own, now (tasks may block on each other).
  void start_dedicated(std::unique_ptr<task> t) noexcept {
    const detail::worker_chain w = detail::the_team().acquire(1, true);
    if (w.size == 0) {  // no thread can be created: the calling thread runs it in join()
      push_task(t.release());
      return;
    }
    running_.expect(1);
    detail::post(*w.head, detail::job{&run_dedicated, t.release(), 0, &running_, true, detail::kShortSpin});
  }

  static void run_dedicated(void *context, std::size_t) noexcept {
    std::unique_ptr<task> t(static_cast<task *>(context));
    t->group->run_task(*t);
  }

  void enqueue(std::unique_ptr<task> t) noexcept {
    bool start_drainer = false;
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      append_locked(t.release());
      if (drainers_ + 1 < max_threads_) {
        ++drainers_;
        start_drainer = true;
      }
    }
    if (!start_drainer) return;
    const detail::worker_chain w = detail::the_team().acquire(1, detail::nesting_depth() == 0);
    if (w.size == 0) {  // no idle worker: the queued task waits for a drainer or join()
      std::lock_guard<std::mutex> lock(queue_mutex_);
      --drainers_;
      return;
    }
    running_.expect(1);
    detail::post(*w.head, detail::job{&drain, this, 0, &running_, true, detail::kShortSpin});
  }

  // A worker's job under max_threads n > 0: run queued tasks until the queue is empty.
  static void drain(void *context, std::size_t) noexcept {
    auto &group = *static_cast<task_group *>(context);
    while (task *t = group.pop_task(true)) {
      std::unique_ptr<task> owned(t);
      group.run_task(*owned);
    }
  }

  // Next queued task or nullptr. A drainer that finds the queue empty stops counting itself
  // (under the same lock enqueue() checks, so a newly queued task always finds a runner).
  task *pop_task(bool drainer) noexcept {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    task *t = queue_head_;
    if (t == nullptr) {
      if (drainer) --drainers_;
      return nullptr;
    }
    queue_head_ = t->next;
    if (queue_head_ == nullptr) queue_tail_ = nullptr;
    return t;
  }

  void push_task(task *t) noexcept {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    append_locked(t);
  }

  void append_locked(task *t) noexcept {
    if (queue_tail_ != nullptr) {
      queue_tail_->next = t;
    } else {
      queue_head_ = t;
    }
    queue_tail_ = t;
  }

  const std::size_t max_threads_;
  const bool serial_;
  error_state &errors_;
  detail::completion running_;
  std::mutex queue_mutex_;
  task *queue_head_ = nullptr;
  task *queue_tail_ = nullptr;
  std::size_t drainers_ = 0;
};

// ---------------------------------------------------------------------------------------
// critical, defer
// ---------------------------------------------------------------------------------------

// The program-wide lock of an unnamed `#pragma luminar critical`. Leaked, so that it still
// works in static destructors.
inline std::mutex &unnamed_critical_mutex() {
  static std::mutex *const mutex = new std::mutex;
  return *mutex;
}

// `#pragma luminar defer`: runs fn when destroyed. If the scope is being left by an exception
// (std::uncaught_exceptions() grew since construction) an exception from fn is swallowed;
// otherwise it propagates.
template <class Fn>
class deferred {
 public:
  explicit deferred(Fn fn) noexcept(std::is_nothrow_move_constructible_v<Fn>)
      : fn_(std::move(fn)), uncaught_(std::uncaught_exceptions()) {}
  deferred(const deferred &) = delete;
  deferred &operator=(const deferred &) = delete;

  ~deferred() noexcept(false) {
    if (std::uncaught_exceptions() <= uncaught_) {
      fn_();
      return;
    }
    try {
      fn_();
    } catch (...) {  // a second exception while unwinding would call std::terminate
    }
  }

 private:
  Fn fn_;
  int uncaught_;
};

// `auto guard = defer([&] { ... });` (guaranteed copy elision: deferred needs no move).
template <class Fn>
deferred<std::decay_t<Fn>> defer(Fn &&fn) {
  return deferred<std::decay_t<Fn>>(std::forward<Fn>(fn));
}

// The helpers below compare and convert the user's types exactly as the user's own code
// does (e.g. an int induction variable against a size_t bound), which -Wall -Wextra would
// flag inside this header although the user's loop was warning-free or already warned.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wconversion"

// ---------------------------------------------------------------------------------------
// atomic_update
// ---------------------------------------------------------------------------------------

enum class atomic_op { add, sub, mul, div, mod, bit_and, bit_or, bit_xor, shl, shr };

namespace detail {

// `current op operand` converted back to T, as the compound assignment `x op= operand` does.
template <atomic_op Op, class T, class V>
T apply_atomic_op(const T &current, const V &operand) {
  if constexpr (Op == atomic_op::add) return static_cast<T>(current + operand);
  if constexpr (Op == atomic_op::sub) return static_cast<T>(current - operand);
  if constexpr (Op == atomic_op::mul) return static_cast<T>(current * operand);
  if constexpr (Op == atomic_op::div) return static_cast<T>(current / operand);
  if constexpr (Op == atomic_op::mod) return static_cast<T>(current % operand);
  if constexpr (Op == atomic_op::bit_and) return static_cast<T>(current & operand);
  if constexpr (Op == atomic_op::bit_or) return static_cast<T>(current | operand);
  if constexpr (Op == atomic_op::bit_xor) return static_cast<T>(current ^ operand);
  if constexpr (Op == atomic_op::shl) return static_cast<T>(current << operand);
  if constexpr (Op == atomic_op::shr) return static_cast<T>(current >> operand);
}

// Integer add/sub/and/or/xor with an integer operand: the hardware's fetch-and-op gives the
// same result as the compound assignment, because both are arithmetic modulo 2^N.
template <atomic_op Op, class T, class V>
inline constexpr bool has_fetch_op_v =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_integral_v<V> &&
    (Op == atomic_op::add || Op == atomic_op::sub || Op == atomic_op::bit_and || Op == atomic_op::bit_or ||
     Op == atomic_op::bit_xor);

// Scalars the compiler can update with a lock-free compare-exchange (no libatomic needed).
template <class T>
inline constexpr bool has_lock_free_cas_v =
    (std::is_arithmetic_v<T> || std::is_pointer_v<T>) && __atomic_always_lock_free(sizeof(T), 0);

// Other types (e.g. long double, class types) are updated under one of a few striped
// mutexes chosen by address. Leaked, like the team.
inline std::mutex &atomic_fallback_mutex(const void *address) {
  static std::mutex *const mutexes = new std::mutex[16];
  return mutexes[(reinterpret_cast<std::uintptr_t>(address) >> 4) % 16];
}

}  // namespace detail

// One sequentially consistent atomic read-modify-write `target op= operand` of a plain object.
// Every concurrent access to `target` must go through atomic_update.
template <atomic_op Op, class T, class V>
void atomic_update(T &target, const V &operand) {
  if constexpr (detail::has_fetch_op_v<Op, T, V>) {
    const T value = static_cast<T>(operand);
    if constexpr (Op == atomic_op::add) __atomic_fetch_add(&target, value, __ATOMIC_SEQ_CST);
    if constexpr (Op == atomic_op::sub) __atomic_fetch_sub(&target, value, __ATOMIC_SEQ_CST);
    if constexpr (Op == atomic_op::bit_and) __atomic_fetch_and(&target, value, __ATOMIC_SEQ_CST);
    if constexpr (Op == atomic_op::bit_or) __atomic_fetch_or(&target, value, __ATOMIC_SEQ_CST);
    if constexpr (Op == atomic_op::bit_xor) __atomic_fetch_xor(&target, value, __ATOMIC_SEQ_CST);
  } else if constexpr (detail::has_lock_free_cas_v<T>) {
    T expected{};
    // relaxed: only a first guess; the seq_cst compare-exchange below validates it.
    __atomic_load(&target, &expected, __ATOMIC_RELAXED);
    T desired = detail::apply_atomic_op<Op>(expected, operand);
    // failure relaxed: a failed attempt only refreshes `expected` for the next try.
    while (!__atomic_compare_exchange(&target, &expected, &desired, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
      desired = detail::apply_atomic_op<Op>(expected, operand);
    }
  } else {
    std::lock_guard<std::mutex> lock(detail::atomic_fallback_mutex(&target));
    target = detail::apply_atomic_op<Op>(target, operand);
  }
}

// ---------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------

enum class reduction_op { add, mul, sub, bit_and, bit_or, bit_xor, log_and, log_or, min, max };

// The value each thread's private copy starts from.
template <reduction_op Op, class T>
T reduction_identity() {
  if constexpr (Op == reduction_op::mul) {
    return T(1);
  } else if constexpr (Op == reduction_op::bit_and) {
    if constexpr (std::is_same_v<T, bool>) {
      return true;
    } else {
      return static_cast<T>(~T(0));
    }
  } else if constexpr (Op == reduction_op::log_and) {
    return static_cast<T>(true);
  } else if constexpr (Op == reduction_op::min) {
    if constexpr (std::numeric_limits<T>::has_infinity) return std::numeric_limits<T>::infinity();
    return std::numeric_limits<T>::max();
  } else if constexpr (Op == reduction_op::max) {
    if constexpr (std::numeric_limits<T>::has_infinity) return -std::numeric_limits<T>::infinity();
    return std::numeric_limits<T>::lowest();
  } else {  // add, sub, bit_or, bit_xor, log_or
    return T{};
  }
}

// Folds one thread's partial result into the shared variable (`-` combines with `+`).
template <reduction_op Op, class T>
void reduction_combine(T &shared, const T &partial) {
  if constexpr (std::is_same_v<T, bool> && (Op == reduction_op::add || Op == reduction_op::sub)) {
    shared = shared || partial;  // what `b + p` converted back to bool means
  } else if constexpr (std::is_same_v<T, bool> && Op == reduction_op::mul) {
    shared = shared && partial;
  } else if constexpr (Op == reduction_op::add || Op == reduction_op::sub) {
    shared = static_cast<T>(shared + partial);
  } else if constexpr (Op == reduction_op::mul) {
    shared = static_cast<T>(shared * partial);
  } else if constexpr (Op == reduction_op::bit_and) {
    shared = static_cast<T>(shared & partial);
  } else if constexpr (Op == reduction_op::bit_or) {
    shared = static_cast<T>(shared | partial);
  } else if constexpr (Op == reduction_op::bit_xor) {
    shared = static_cast<T>(shared ^ partial);
  } else if constexpr (Op == reduction_op::log_and) {
    shared = static_cast<T>(shared && partial);
  } else if constexpr (Op == reduction_op::log_or) {
    shared = static_cast<T>(shared || partial);
  } else if constexpr (Op == reduction_op::min) {
    if (partial < shared) shared = partial;
  } else {  // max
    if (shared < partial) shared = partial;
  }
}

// ---------------------------------------------------------------------------------------
// Canonical-loop arithmetic
// ---------------------------------------------------------------------------------------

namespace detail {

// hi - lo for a loop that goes from lo towards hi, as a count. Integers: in the unsigned
// version of the type the comparison converts both to (exact even where hi - lo overflows
// the signed type). Iterators and pointers: operator-.
template <class Lo, class Hi>
std::uint64_t loop_distance(const Lo &lo, const Hi &hi) {
  if constexpr (std::is_integral_v<Lo> && std::is_integral_v<Hi>) {
    using common = std::common_type_t<Lo, Hi>;
    using unsigned_common = std::make_unsigned_t<common>;
    const auto h = static_cast<unsigned_common>(static_cast<common>(hi));
    const auto l = static_cast<unsigned_common>(static_cast<common>(lo));
    return static_cast<std::uint64_t>(static_cast<unsigned_common>(h - l));
  } else {
    return static_cast<std::uint64_t>(hi - lo);
  }
}

// The step magnitude; a zero step (an endless loop in the original) counts as 1 rather than
// dividing by zero.
template <class S>
std::uint64_t step_magnitude(const S &step) {
  const auto s = static_cast<std::uint64_t>(step);
  return s == 0 ? 1 : s;
}

}  // namespace detail

// for (v = lb; v < ub; v += step)
template <class L, class U, class S>
std::uint64_t trip_count_less(const L &lb, const U &ub, const S &step) {
  if (!(lb < ub)) return 0;
  return (detail::loop_distance(lb, ub) - 1) / detail::step_magnitude(step) + 1;
}

// for (v = lb; v <= ub; v += step)
template <class L, class U, class S>
std::uint64_t trip_count_less_equal(const L &lb, const U &ub, const S &step) {
  if (!(lb <= ub)) return 0;
  return detail::loop_distance(lb, ub) / detail::step_magnitude(step) + 1;
}

// for (v = lb; v > ub; v -= step)
template <class L, class U, class S>
std::uint64_t trip_count_greater(const L &lb, const U &ub, const S &step) {
  if (!(lb > ub)) return 0;
  return (detail::loop_distance(ub, lb) - 1) / detail::step_magnitude(step) + 1;
}

// for (v = lb; v >= ub; v -= step)
template <class L, class U, class S>
std::uint64_t trip_count_greater_equal(const L &lb, const U &ub, const S &step) {
  if (!(lb >= ub)) return 0;
  return detail::loop_distance(ub, lb) / detail::step_magnitude(step) + 1;
}

// for (v = lb; v != ub; v += step) (ascending) or v -= step (descending).
template <class L, class U, class S>
std::uint64_t trip_count_not_equal(const L &lb, const U &ub, const S &step, bool ascending) {
  if (!(lb != ub)) return 0;
  const std::uint64_t distance = ascending ? detail::loop_distance(lb, ub) : detail::loop_distance(ub, lb);
  return distance / detail::step_magnitude(step);
}

// The induction variable at iteration k: lb + k*step or lb - k*step, as type L. Integers
// wrap around modulo 2^N exactly as the original `v += step` does for unsigned types.
template <class L, class S>
L iteration_value(const L &lb, std::uint64_t k, const S &step, bool ascending) {
  const std::uint64_t offset = k * static_cast<std::uint64_t>(step);
  if constexpr (std::is_integral_v<L>) {
    using unsigned_l = std::make_unsigned_t<L>;
    const auto base = static_cast<unsigned_l>(lb);
    const auto delta = static_cast<unsigned_l>(offset);
    return static_cast<L>(ascending ? static_cast<unsigned_l>(base + delta) : static_cast<unsigned_l>(base - delta));
  } else {
    using difference = typename std::iterator_traits<L>::difference_type;
    return ascending ? lb + static_cast<difference>(offset) : lb - static_cast<difference>(offset);
  }
}

#pragma GCC diagnostic pop

}  // namespace luminar::bare_metal

#endif  // LUMINAR_BARE_METAL_HPP
