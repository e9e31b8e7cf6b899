#include "scheduler.hpp"

#include "asymmetric_fence.hpp"
#include "atomics.hpp"
#include "futex.hpp"
#include "metrics.hpp"
#include "overflow.hpp"
#include "runtime.hpp"
#include "tasks.hpp"
#include "tracing.hpp"
#include "numa/placement.hpp"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <ctime>

namespace luminar_steal {
namespace {

struct WorkerSlot {
  void *worker = nullptr;
};

thread_local WorkerSlot worker_slot_instance;  // constant-initialised (tls_access.hpp)
const std::ptrdiff_t kWorkerSlotOffset = tls_offset_of(&worker_slot_instance);

// worker_loop migrates between threads with its fiber and must read the slot of the
// thread it is on now: the address is computed afresh on every call (tls_access.hpp).
WorkerSlot &worker_slot() { return thread_local_at<WorkerSlot>(kWorkerSlotOffset); }

void run_blocking_task(void *task) { run_task(static_cast<LuminarTask *>(task)); }

// A pause between looks at a busy next slot (take()), as Go's usleep(3) before it takes
// another P's runnext: with the default timer slack of 50 µs it lasts about that long,
// during which this worker reads nothing that the others write.
void nap() {
  const timespec pause{0, 3000};
  nanosleep(&pause, nullptr);
}

}  // namespace

long current_worker_index() {
  const void *worker = worker_slot().worker;
  return worker != nullptr ? static_cast<long>(static_cast<const Scheduler::Worker *>(worker)->index) : -1;
}

void SharedQueue::push(LuminarTask *task) {
  std::lock_guard<SpinMutex> lock(m_);
  tasks_.push_back(task);
  // Relaxed: written under m_; readers only use it as a hint (see empty()).
  size_.store(tasks_.size(), std::memory_order_relaxed);
}

LuminarTask *SharedQueue::pop() {
  std::lock_guard<SpinMutex> lock(m_);
  if (tasks_.empty()) return nullptr;
  LuminarTask *task = tasks_.front();
  tasks_.pop_front();
  // Relaxed: see push.
  size_.store(tasks_.size(), std::memory_order_relaxed);
  return task;
}

std::size_t SharedQueue::pop_batch(LuminarTask **out, std::size_t max, std::size_t takers) {
  std::lock_guard<SpinMutex> lock(m_);
  const std::size_t count = std::min({max, tasks_.size() / takers + 1, tasks_.size()});
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = tasks_.front();
    tasks_.pop_front();
  }
  // Relaxed: see push.
  size_.store(tasks_.size(), std::memory_order_relaxed);
  return count;
}

Scheduler::Scheduler(std::size_t workers, std::size_t blocking_threads, std::vector<std::vector<int>> placements)
    : placements_(std::move(placements)), blocking_(blocking_threads) {
  for (std::size_t i = 0; i < workers; ++i) workers_.push_back(std::make_unique<Worker>(i));
}

void Scheduler::start() {
  enable_asymmetric_fences();
  for (auto &worker : workers_) {
    Worker *w = worker.get();
    // Relaxed: a count for shutdown's bounded wait; the thread start orders it.
    running_workers_.fetch_add(1, std::memory_order_relaxed);
    std::thread([this, w] { worker_main(w); }).detach();
  }
}

void Scheduler::worker_main(Worker *worker) {
  worker_slot().worker = worker;
  if (worker->index < placements_.size()) numa::pin_current_thread(placements_[worker->index]);
  AltSignalStack alt_stack;  // for the stack-overflow report
  enter_fibers(idle_fiber());
  worker_slot().worker = nullptr;
  // Release: pairs with the acquire load in shutdown().
  running_workers_.fetch_sub(1, std::memory_order_release);
}

void Scheduler::shutdown() {
  stopping_.store(true);
  epoch_.fetch_add(1);
  futex_wake(&epoch_, INT_MAX);
  // Bounded, so that a task stuck in user code cannot hang exit (as Go leaves goroutines).
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  // Acquire: pairs with the release in worker_main.
  while (running_workers_.load(std::memory_order_acquire) != 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  blocking_.shutdown();
}

void Scheduler::worker_loop() {
  for (;;) {
    Scheduler &self = runtime().scheduler;
    auto *worker = static_cast<Worker *>(worker_slot().worker);
    LuminarTask *task = self.find_work(*worker);
    if (task == nullptr) switch_to(home_fiber(), &Scheduler::release_fiber, nullptr, true);  // never resumed
    if (Fiber *parked = task->resume_fiber) {
      task->resume_fiber = nullptr;
      trace_resumed(task);
      switch_to(parked, &Scheduler::recycle_fiber, nullptr);
    } else {
      run_task(task);
    }
  }
}

void Scheduler::recycle_fiber(Fiber *from, void *) {
  Scheduler &self = runtime().scheduler;
  {
    std::lock_guard<SpinMutex> lock(self.idle_m_);
    if (self.idle_fibers_.size() < kMaxIdleFibers) {
      self.idle_fibers_.push_back(from);
      return;
    }
  }
  fiber_destroy(from);
}

void Scheduler::requeue_task(Fiber *from, void *) { runtime().scheduler.enqueue(from->task, nullptr); }

void Scheduler::release_fiber(Fiber *from, void *) { fiber_destroy(from); }

Fiber *Scheduler::idle_fiber() {
  {
    std::lock_guard<SpinMutex> lock(idle_m_);
    if (!idle_fibers_.empty()) {
      Fiber *fiber = idle_fibers_.back();
      idle_fibers_.pop_back();
      return fiber;
    }
  }
  return fiber_create(&Scheduler::worker_loop);
}

void Scheduler::park(AfterSwitch after, void *arg) {
  Fiber *self = current_fiber();
  trace_run_ends(self->task, true);
  self->task->resume_fiber = self;
  // A parked task in this worker's next slot (typically the one this task just woke) is
  // resumed directly: one switch instead of two, and no loop fiber taken from the pool.
  // Not while a critical or high task waits: the worker loop serves those first.
  auto *worker = static_cast<Worker *>(worker_slot().worker);
  if (worker != nullptr && critical_.empty() && high_.empty()) {
    if (LuminarTask *next = take_next(*worker)) {
      if (Fiber *parked = next->resume_fiber) {
        next->resume_fiber = nullptr;
        trace_resumed(next);
        switch_to(parked, after, arg);
        return;
      }
      // A task that has not run yet needs a loop fiber: back into the slot it came from.
      // Acq_rel: as in make_ready.
      if (LuminarTask *other = worker->next.exchange(next, std::memory_order_acq_rel)) worker->deque.push(other, /*held=*/true);
      notify();
    }
  }
  switch_to(idle_fiber(), after, arg);
}

void Scheduler::yield_task() {
  if (!has_visible_work()) return;
  Fiber *self = current_fiber();
  trace_run_ends(self->task, true);
  self->task->resume_fiber = self;
  switch_to(idle_fiber(), &Scheduler::requeue_task, nullptr);
}

LuminarTask *Scheduler::pop_local() {
  auto *worker = static_cast<Worker *>(worker_slot().worker);
  // empty_hint() is exact enough for the owner (its bottom is exact, a stale top only
  // smaller), and an empty deque then costs no fence.
  return worker != nullptr && !worker->deque.empty_hint() ? worker->deque.pop() : nullptr;
}

void Scheduler::unpop_local(LuminarTask *task) {
  static_cast<Worker *>(worker_slot().worker)->deque.push(task);
  notify();  // a worker may have gone to sleep while the deque looked empty
}

void Scheduler::submit(LuminarTask *task) {
  if (task->flags & LUMINAR_TASK_BLOCKING) {
    blocking_.submit(BlockingPool::Job{&run_blocking_task, task});
    return;
  }
  enqueue(task, static_cast<Worker *>(worker_slot().worker));
}

void Scheduler::make_ready(LuminarTask *task) {
  auto *local = static_cast<Worker *>(worker_slot().worker);
  if (local == nullptr || task->priority != LUMINAR_PRIORITY_NORMAL) {
    enqueue(task, local);
    return;
  }
  // Relaxed: a count only this worker writes, read by thieves as a hint (take()).
  local->next_puts.store(local->next_puts.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  // Only this worker puts tasks into its slot; others only take them out. So an empty
  // slot stays empty until our store, and a plain release store fills it (it publishes the
  // task, its resume_fiber, to the acquire exchange that takes it). Relaxed load: a hint
  // that decides only between the store and the exchange.
  if (local->next.load(std::memory_order_relaxed) == nullptr) {
    local->next.store(task, std::memory_order_release);
  } else if (LuminarTask *previous = local->next.exchange(task, std::memory_order_acq_rel)) {
    // Acq_rel: release as above; acquire pairs with the put of `previous`.
    local->deque.push(previous, /*held=*/true);
  }
  notify();
}

void Scheduler::enqueue(LuminarTask *task, Worker *local) {
  switch (task->priority) {
    case LUMINAR_PRIORITY_CRITICAL: critical_.push(task); break;
    case LUMINAR_PRIORITY_HIGH: high_.push(task); break;
    case LUMINAR_PRIORITY_LOW: low_.push(task); break;
    default:
      if (local != nullptr) {
        local->deque.push(task);
      } else {
        injection_.push(task);
      }
  }
  notify();
}

void Scheduler::notify() {
  // Producer side of the sleep handshake (see the header): the work is queued, then the
  // fence, then the load of sleepers_. Relaxed load: ordered by the fence. Producers are
  // every enqueue and sleepers are rare, so the producer's is the light fence and the
  // sleeper's the heavy one (asymmetric_fence.hpp): with membarrier(2) a spawn or a
  // wake-up costs no fence, and only a worker that found nothing to do pays a system call.
  light_fence();
  if (sleepers_.load(std::memory_order_relaxed) == 0) return;
  // Acq_rel: if a wake-up is in flight, the release half publishes our work to the woken
  // worker, whose exchange in find_work reads this value (or a later one); else we wake.
  if (waking_.exchange(true, std::memory_order_acq_rel)) return;
  // Release: pairs with the acquire load of epoch_ in find_work (a woken worker sees the work).
  epoch_.fetch_add(1, std::memory_order_release);
  futex_wake(&epoch_, 1);
}

bool Scheduler::has_visible_work() const {
  if (!critical_.empty() || !high_.empty() || !injection_.empty() || !low_.empty()) return true;
  for (const auto &worker : workers_) {
    if (!worker->deque.empty_hint()) return true;
    // Relaxed: a hint, ordered by the sleeper's handshake fence; take() re-checks.
    if (worker->next.load(std::memory_order_relaxed) != nullptr) return true;
  }
  return false;
}

// Takes the task in `worker`'s next slot, or null. Relaxed load: a hint, the exchange
// decides. Acquire exchange: pairs with the release half of the put (make_ready).
LuminarTask *Scheduler::take_next(Worker &worker) {
  if (worker.next.load(std::memory_order_relaxed) == nullptr) return nullptr;
  return worker.next.exchange(nullptr, std::memory_order_acquire);
}

bool Scheduler::same_put_as_last_look(Worker &thief, const Worker &victim) {
  // Relaxed: a hint (see the header); take_next decides.
  const std::uint32_t puts = victim.next_puts.load(std::memory_order_relaxed);
  if (thief.watched_victim == victim.index && thief.watched_puts == puts) return true;
  const auto now = std::chrono::steady_clock::now();
  if (thief.watched_victim == victim.index)
    thief.watched_slot_busy = std::chrono::microseconds(puts - thief.watched_puts) > now - thief.watched_at;
  thief.watched_victim = victim.index;
  thief.watched_puts = puts;
  thief.watched_at = now;
  return false;
}

// Tasks spawned from outside the workers arrive one by one in injection_: a worker takes a
// share of them at once, runs the oldest and keeps the others in its deque, where other
// workers can steal them (as Go's globrunqget fills a P's run queue), so that the queue's
// lock is taken once per batch and not once per task by every worker.
LuminarTask *Scheduler::take_injected(Worker &worker) {
  LuminarTask *batch[kInjectionBatch];
  const std::size_t count = injection_.pop_batch(batch, kInjectionBatch, workers_.size());
  if (count == 0) return nullptr;
  // Newest first: the owner pops the bottom of its deque, so the oldest comes out first.
  for (std::size_t i = count; i-- > 1;) worker.deque.push(batch[i]);
  return batch[0];
}

LuminarTask *Scheduler::take(Worker &worker, bool steal_next) {
  LuminarTask *task = nullptr;
  if (!critical_.empty() && (task = critical_.pop()) != nullptr) return task;
  if (!high_.empty() && (task = high_.pop()) != nullptr) return task;
  if (++worker.ticks % kFairnessTick == 0 && !injection_.empty() && (task = injection_.pop()) != nullptr) return task;
  if ((task = take_next(worker)) != nullptr) return task;
  if (!worker.deque.empty_hint() && (task = worker.deque.pop()) != nullptr) return task;  // hint: see pop_local
  if (!injection_.empty() && (task = take_injected(worker)) != nullptr) return task;
  const std::size_t n = workers_.size();
  const std::size_t start = worker.rng() % n;
  for (std::size_t i = 0; i < n; ++i) {
    Worker &victim = *workers_[(start + i) % n];
    if (&victim == &worker || victim.deque.empty_hint()) continue;
    metrics().steal_attempt();
    switch (victim.deque.steal(&task, steal_next)) {
      case WorkStealingDeque<LuminarTask>::StealResult::ok:
        metrics().steal_success();
        trace_stolen(task, victim.index);
        return task;
      case WorkStealingDeque<LuminarTask>::StealResult::lost_race:
      case WorkStealingDeque<LuminarTask>::StealResult::held_back:
      case WorkStealingDeque<LuminarTask>::StealResult::empty: break;
    }
  }
  if (steal_next) {
    for (std::size_t i = 0; i < n; ++i) {
      Worker &victim = *workers_[(start + i) % n];
      // Relaxed: a hint; take_next decides.
      if (&victim == &worker || victim.next.load(std::memory_order_relaxed) == nullptr) continue;
      if (!same_put_as_last_look(worker, victim)) continue;
      metrics().steal_attempt();
      if ((task = take_next(victim)) != nullptr) {
        metrics().steal_success();
        trace_stolen(task, victim.index);
        return task;
      }
    }
  }
  if (!low_.empty() && (task = low_.pop()) != nullptr) return task;
  return nullptr;
}

LuminarTask *Scheduler::find_work(Worker &worker) {
  bool woken = false;
  for (;;) {
    for (unsigned round = 0; round < kSpinRounds; ++round) {
      if (LuminarTask *task = take(worker, round >= kNextPatience)) {
        worker.watched_slot_busy = false;
        if (woken && has_visible_work()) notify();  // pass the wake-up on
        return task;
      }
      if (round < kYieldAfter) {
        for (int i = 0; i < 8; ++i) cpu_relax();
      } else if (worker.watched_slot_busy) {
        nap();
      } else {
        sched_yield();
      }
    }
    // Sleeper side of the handshake (see the header). Acquire: pairs with the release
    // increment in notify(). Relaxed increment: ordered by the fence.
    const std::uint32_t epoch = epoch_.load(std::memory_order_acquire);
    sleepers_.fetch_add(1, std::memory_order_relaxed);
    heavy_fence();  // see notify()
    if (has_visible_work()) {
      sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a count, see above
      // A wake-up may have been issued for us: acq_rel as after futex_wait below.
      woken = waking_.exchange(false, std::memory_order_acq_rel);
      continue;
    }
    if (stopping_.load()) {
      sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a count, see above
      return nullptr;
    }
    // No wake-up can be in flight for us unnoticed: one issued before this point has
    // changed epoch_ (futex_wait returns at once), one issued later finds us waiting. So
    // the flag is cleared here, or a wake-up that found nobody waiting would leave it set
    // and stop every later notify() (an extra wake-up is all that clearing it early costs).
    waking_.store(false);
    worker.watched_slot_busy = false;
    futex_wait(&epoch_, epoch);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a count, see above
    // Acq_rel: reads the notify() exchange that skipped its wake-up because of ours (or a
    // later one), so the work it queued is visible to the looks that follow; release lets
    // the next notify() wake again.
    woken = waking_.exchange(false, std::memory_order_acq_rel);
  }
}

}  // namespace luminar_steal
