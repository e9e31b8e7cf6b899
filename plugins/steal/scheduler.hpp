// The work-stealing scheduler: `workers` OS threads, each with a Chase–Lev deque
// (deque.hpp), running tasks on fibers (fiber.hpp).
//
// Where runnable tasks live, and the order in which a worker looks for one:
//   1. the shared critical queue, 2. the shared high queue (priorities above normal run
//   before anything else), 3. its own deque (normal tasks spawned or woken on this
//   worker, LIFO for locality), 4. the shared injection queue (normal tasks spawned or
//   woken by threads that are not workers, and yielded tasks; a worker takes a share of it
//   at once, up to kInjectionBatch, runs the oldest and pushes the rest onto its deque),
//   5. the other workers' deques, stolen from the top, starting at a random victim,
//   6. the shared low queue.
// Before its deque, a worker looks at its `next` slot (Go's runnext): a normal task that a
// task on this worker woke (a channel hand-off, a finished join) goes there, so that when
// the waker parks right after, as a sender waiting for the reply does, the worker switches
// straight to the woken task, which stays on this core and wakes nobody. A slot holds one
// task; a second one pushes the first into the deque, marked as held (deque.hpp). Other
// workers take a slot's task, or a held task at the top of a deque, only after they have
// looked for work kNextPatience times and found none (steps 5 and 5½), so a waker that
// keeps running does not hold the woken tasks for long, and one that parks soon runs them
// on this core. Held, because a consumer that wakes two producers (or four, in 4-to-4
// channel traffic) would otherwise hand all but one to an idle worker at once, and the
// tasks would then trade every message between the cores: on a host where a transfer
// between the two cores took 450 ns, select over two producers' channels ran at 107 ns
// per message this way against 83 with held tasks, and 4 producers to 4 consumers at 247
// against 85 (Go: 74 and 111).
// A slot's task is taken only at the second look in a row that finds the same put there
// (next_puts unchanged), so a waker that parks soon after each put, as in a ping-pong,
// keeps its tasks; and a thief that saw a slot refilled more than once a microsecond
// between its looks pauses about 50 µs before each later look (nap(), as Go's spinning M
// sleeps before it takes a runnext) instead of pulling the slot's cache line from the
// waker at every look: the idle worker's looks had cost a ping-pong 670 ns per round trip
// against 540 with the pause (Go 630, one worker alone 510–540; seventh pass's host).
// `blocking` tasks never enter these queues: they run on the BlockingPool.
//
// A task runs on the fiber the worker is currently on; it costs no fiber of its own
// unless it parks. When it parks (park()), the worker continues its loop on an idle fiber
// (or a new one) and the parked fiber keeps its stack; when that task is resumed, the
// resuming worker switches to it and its own loop fiber becomes idle (recycled).
//
// A worker that finds no work spins (kSpinRounds looks) before it sleeps, so that work
// arriving soon after, as in a ping-pong between tasks, is taken without a futex wake-up:
// notify() only wakes workers that announced themselves asleep. The first kYieldAfter
// looks pause with cpu_relax, the rest call sched_yield: on a machine with more runnable
// threads than cores, a spinning worker then gives its core to whoever waits for it (the
// worker running the task it waits for, among others) instead of burning its time slice.
// Idle workers sleep on a futex (epoch_): a worker announces itself in sleepers_, fences,
// re-checks every queue, then waits for epoch_ to change; whoever queues work fences and,
// if sleepers_ is non-zero, bumps epoch_ and wakes one. Where the kernel allows, the
// sleeper's fence is a membarrier(2) that stands for both, and the producers' is only a
// compiler barrier (asymmetric_fence.hpp). Either the sleeper sees the work
// or the producer sees the sleeper (Dekker), so no wake-up is lost, and idle workers burn
// no CPU. One wake-up is in flight at a time (waking_): until the woken worker runs again
// and clears it, producers do not issue more (a loaded machine may take long to schedule
// it); the woken worker then looks for work, and wakes the next sleeper if it finds some
// while more is visible; every worker clears it before it waits on the futex.
#ifndef LUMINAR_STEAL_SCHEDULER_HPP
#define LUMINAR_STEAL_SCHEDULER_HPP

#include "blocking_pool.hpp"
#include "deque.hpp"
#include "fiber.hpp"
#include "spin_mutex.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

struct LuminarTask;

namespace luminar_steal {

// A mutex-protected FIFO with an atomic size for lock-free emptiness checks.
class SharedQueue {
 public:
  void push(LuminarTask *task);
  LuminarTask *pop();  // nullptr when empty
  // Up to `max` tasks, oldest first, into `out`; returns how many (0 when empty). Takes at
  // most a share of the queue, size / `takers` + 1, leaving the rest to the other takers.
  std::size_t pop_batch(LuminarTask **out, std::size_t max, std::size_t takers);
  // Relaxed: a hint; pop() re-checks under the lock, and the sleep handshake has its own fences.
  bool empty() const { return size_.load(std::memory_order_relaxed) == 0; }

 private:
  SpinMutex m_;
  std::deque<LuminarTask *> tasks_;   // under m_
  std::atomic<std::size_t> size_{0};  // written under m_
};

class Scheduler {
 public:
  struct Worker {
    explicit Worker(std::size_t index_) : index(index_), rng(static_cast<unsigned>(index_ * 7919 + 17)) {}
    const std::size_t index;
    WorkStealingDeque<LuminarTask> deque;  // pushed/popped only by this worker's thread
    std::minstd_rand rng;                   // only this worker's thread
    unsigned ticks = 0;                     // only this worker's thread: looks for work
    // The task woken last by a task on this worker (see the file comment), or null. Put
    // and taken by this worker, taken by others after kNextPatience looks. Only this worker
    // puts (a store into an empty slot, else an exchange); takers exchange.
    std::atomic<LuminarTask *> next{nullptr};
    // Puts into `next` so far, written by this worker only: thieves tell a task that stays
    // in the slot from a new one by it.
    std::atomic<std::uint32_t> next_puts{0};
    // Only this worker's thread, as a thief: the other worker whose filled slot it saw at
    // its last look (or SIZE_MAX), that worker's next_puts then and the time of the look,
    // and whether the slot was refilled more than once a microsecond since the look before.
    std::size_t watched_victim = SIZE_MAX;
    std::uint32_t watched_puts = 0;
    std::chrono::steady_clock::time_point watched_at;
    bool watched_slot_busy = false;
  };
  static constexpr unsigned kFairnessTick = 61;
  static constexpr unsigned kSpinRounds = 64;   // looks for work before sleeping
  static constexpr unsigned kYieldAfter = 48;   // looks that pause before the ones that yield (or nap)
  static constexpr std::size_t kInjectionBatch = 32;  // most tasks a worker takes from injection_ at once
  static constexpr unsigned kNextPatience = 48;  // looks before taking another worker's next or held task

  // placements: the CPUs each worker may run on (LUMINAR_NUMA=1), or empty.
  Scheduler(std::size_t workers, std::size_t blocking_threads, std::vector<std::vector<int>> placements);
  void start();
  // Lets idle workers exit and waits briefly for them; parked and running tasks stay.
  void shutdown();

  // A new task (or one whose turn came under max_concurrency).
  void submit(LuminarTask *task);
  // A parked task may run again (its resume_fiber is set). Any thread.
  void make_ready(LuminarTask *task);
  // On a task's fiber: leaves it; after(from, arg) runs once it is left (see fiber.hpp).
  // Returns when the task has been made ready and resumed.
  void park(AfterSwitch after, void *arg);
  // On a task's fiber: lets other runnable tasks go first. Returns at once if none.
  void yield_task();
  // On a worker: takes the task at the bottom of its own deque (the newest), or null
  // (also off workers). unpop_local puts such a task back, on the same worker.
  LuminarTask *pop_local();
  void unpop_local(LuminarTask *task);

  BlockingPool &blocking_pool() { return blocking_; }

 private:
  static void worker_loop();   // the body of every worker fiber
  static void recycle_fiber(Fiber *from, void *);
  static void requeue_task(Fiber *from, void *);
  static void release_fiber(Fiber *from, void *);
  void worker_main(Worker *worker);
  LuminarTask *find_work(Worker &worker);  // sleeps while there is none; nullptr = stop
  LuminarTask *take_injected(Worker &worker);  // a share of injection_: see there
  LuminarTask *take(Worker &worker, bool steal_next);  // steal_next: also other workers' next slots and held tasks
  static LuminarTask *take_next(Worker &worker);
  // At a look that finds `victim`'s slot filled: whether the thief's last look found the
  // same put there (then the task may be taken); else records this look, and whether the
  // slot was refilled more than once a microsecond since the last one (watched_slot_busy).
  static bool same_put_as_last_look(Worker &thief, const Worker &victim);
  bool has_visible_work() const;
  void enqueue(LuminarTask *task, Worker *local);
  void notify();
  Fiber *idle_fiber();

  std::vector<std::unique_ptr<Worker>> workers_;    // fixed after construction
  const std::vector<std::vector<int>> placements_;  // CPUs per worker (LUMINAR_NUMA=1), or empty
  SharedQueue critical_, high_, injection_, low_;
  BlockingPool blocking_;

  std::atomic<std::uint32_t> epoch_{0};     // futex word of sleeping workers
  std::atomic<std::uint32_t> sleepers_{0};  // workers between announcing sleep and waking
  std::atomic<bool> waking_{false};         // a wake-up issued, its worker not yet running
  std::atomic<bool> stopping_{false};               // set once by shutdown
  std::atomic<std::size_t> running_workers_{0};     // worker threads not yet exited

  SpinMutex idle_m_;
  std::vector<Fiber *> idle_fibers_;  // under idle_m_: loop fibers not in use
  static constexpr std::size_t kMaxIdleFibers = 128;
};

// The index of the worker this thread is, or -1.
long current_worker_index();

}  // namespace luminar_steal

#endif
