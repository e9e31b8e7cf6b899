#include "tasks.hpp"

#include "asymmetric_fence.hpp"
#include "block_cache.hpp"
#include "fiber.hpp"
#include "group_close.hpp"
#include "intrusive_list.hpp"
#include "metrics.hpp"
#include "record_arena.hpp"
#include "runtime.hpp"
#include "tls_access.hpp"
#include "tracing.hpp"

#include <algorithm>
#include <chrono>
#include <new>

namespace luminar_steal {
namespace {

// Task data up to this size lives in the task's own block: the closures of generated
// spawns (a few references or copies) fit.
constexpr std::size_t kInlineTaskData = 64;
constexpr std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }
constexpr std::size_t kTaskRecordSize = round_up(sizeof(LuminarTask), luminar_plugin::TaskPayload::kInlineAlign);
static_assert(alignof(LuminarTask) <= luminar_plugin::TaskPayload::kInlineAlign, "the data follows the record");
constexpr std::size_t kTaskBlockSize = kTaskRecordSize + kInlineTaskData;
constexpr std::size_t kGroupBlockSize = round_up(sizeof(LuminarGroup), alignof(LuminarGroup));

// Where a task record lives, in bits of LuminarTask::flags above the ABI's: by default a
// block of task_blocks(); spawns of threads that run no fibers take theirs from
// record_arena(); a record moved onto the stack of the task (run_task) is freed by no one.
constexpr uint32_t kRecordInArena = 1u << 31;
constexpr uint32_t kRecordOnStack = 1u << 30;
constexpr uint32_t kAbiTaskFlags =
    LUMINAR_TASK_BLOCKING | LUMINAR_TASK_NO_HANDLE | LUMINAR_TASK_STATIC_NAME | LUMINAR_TASK_MOVABLE_DATA;
static_assert((kAbiTaskFlags & (kRecordInArena | kRecordOnStack)) == 0, "the record's home needs bits of its own");

// Immortal: tasks and their threads may outlive static destructors.
BlockCache &task_blocks() {
  static BlockCache *cache = new BlockCache(kTaskBlockSize);
  return *cache;
}
RecordArena &record_arena() {
  static RecordArena *arena = new RecordArena(kTaskBlockSize);
  return *arena;
}
BlockCache &group_blocks() {
  static BlockCache *cache = new BlockCache(kGroupBlockSize, alignof(LuminarGroup));
  return *cache;
}

void destroy_task(LuminarTask *task) {
  const uint32_t home = task->flags & (kRecordInArena | kRecordOnStack);
  task->~LuminarTask();
  if (home == kRecordInArena) {
    record_arena().release(task);
  } else if (home == 0) {
    task_blocks().release(task);
  }
}

// This file's per-thread state, reached like all thread state that fiber code reads
// (tls_access.hpp).
struct TaskThreadState {
  LuminarTask *task = nullptr;  // of a thread that runs tasks without fibers (the blocking pool)
  uint64_t next_id = 0, end_id = 0;  // this thread's block of task ids (next_task_id)
};
thread_local TaskThreadState task_thread_state;  // constant-initialised (tls_access.hpp)
const std::ptrdiff_t kTaskThreadStateOffset = tls_offset_of(&task_thread_state);
TaskThreadState &task_thread() { return thread_local_at<TaskThreadState>(kTaskThreadStateOffset); }

LuminarTask *&thread_task() { return task_thread().task; }

// A unique task id (for traces). Each thread takes ids from a block of its own, so that
// spawning threads do not share a counter.
uint64_t next_task_id() {
  static constexpr uint64_t kBlock = 1024;
  static std::atomic<uint64_t> next_block{0};
  TaskThreadState &state = task_thread();
  if (state.next_id == state.end_id) {
    // Relaxed: only uniqueness matters. Ids start at 1.
    state.next_id = next_block.fetch_add(kBlock, std::memory_order_relaxed) + 1;
    state.end_id = state.next_id + kBlock;
  }
  return state.next_id++;
}

void unref(LuminarTask *task) {
  // acq_rel: the last holder must see every write of the others before deleting.
  if (task->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy_task(task);
}

// First reason wins; returns whether this call set it.
bool set_reason(std::atomic<int32_t> &reason, int32_t value) {
  int32_t expected = LUMINAR_NOT_CANCELLED;
  return reason.compare_exchange_strong(expected, value);
}

// Wakes operations that wait for something that just happened (a task finished, a group
// emptied). Nothing else claims them (they are not cancellable), so the claim succeeds.
void wake_all(std::vector<BlockedOp *> &ops) {
  for (BlockedOp *op : ops)
    if (op->try_claim()) op->complete(0, LUMINAR_CHAN_OK);
}

void on_task_timeout(void *task) { cancel_task(static_cast<LuminarTask *>(task), LUMINAR_CANCEL_TIMEOUT); }
void on_group_timeout(void *group) { cancel_group(static_cast<LuminarGroup *>(group), LUMINAR_CANCEL_TIMEOUT); }

constexpr std::size_t kOneTask = 2, kWaiterBit = 1;  // LuminarGroup::state
constexpr std::size_t kMaxReservation = 64;          // LuminarGroup::next_reservation

// Who the calling code is, as LuminarGroup::creator records it: its fiber, which a task
// keeps across parks, or else its thread. Tasks that a waiter runs inline on its own fiber
// (help_group) count as the waiter, which is harmless: they run between its spawns and
// its wait, never at the same time. Conversely, a task of a group finishes on its
// creator's fiber only when the creator runs it inline in group_wait: while the creator
// lives, its fiber runs nothing else of the group, and it waits before it ends (hooks.h).
const void *caller_identity() {
  Fiber *fiber = current_fiber();
  return fiber != nullptr ? static_cast<const void *>(fiber) : thread_pointer();
}

// Counts a new task in `group` (see tasks.hpp). Relaxed: only the count; the task is
// published to its runner by submit, and the spawner's own later decrement (if it is a
// task of the group) comes after in program order.
void count_spawn(LuminarGroup *group) {
  if (group->creator != caller_identity()) {
    group->state.fetch_add(kOneTask, std::memory_order_relaxed);
    return;
  }
  if (group->reserved == 0) {
    group->reserved = group->next_reservation;
    group->next_reservation = std::min(group->next_reservation * 2, kMaxReservation);
    group->state.fetch_add(kOneTask * group->reserved, std::memory_order_relaxed);
  }
  --group->reserved;
}

// Non-zero once anything was cancelled in the process: until then cancel_reason_of reads
// no reason at all, and afterwards it may walk up the tree. Seq_cst, incremented once a
// cancellation has set its reasons (cancel_subtree).
alignas(64) std::atomic<std::uint64_t> cancel_epoch{0};  // its own cache line: read by every task
// Cancellations that have begun and not finished their second pass (cancel_task): a
// blocked operation withdrawn while none is may die at once. Its own cache line: read at
// every withdrawal, written only by cancellations.
alignas(64) std::atomic<std::uint64_t> cancels_in_progress{0};

// See tasks.hpp: registers `task` in its group, links the group into its owner, and goes
// on with the owner, up to a task whose chain is complete. Each step is idempotent and
// done under the mutex of what it links into, so concurrent calls from tasks of the same
// groups are harmless. `reachable` is set on the way back down, once the links above exist.
void make_reachable(LuminarTask *task) {
  // Acquire: pairs with the release store below (the links above are made).
  if (task->reachable.load(std::memory_order_acquire)) return;
  if (LuminarGroup *group = task->group) {
    {
      std::lock_guard<SpinMutex> lock(group->m);
      if (!task->registered) {
        list_push_front<LuminarTask, &LuminarTask::group_prev, &LuminarTask::group_next>(group->registered, task);
        task->registered = true;
      }
    }
    if (LuminarTask *owner = group->owner) {
      {
        std::lock_guard<SpinMutex> lock(owner->m);
        if (!group->linked) {
          list_push_front<LuminarGroup, &LuminarGroup::owner_prev, &LuminarGroup::owner_next>(owner->owned_groups, group);
          group->linked = true;
        }
      }
      make_reachable(owner);  // as deep as blocks nest
    }
  }
  // Release: pairs with the acquire load above.
  task->reachable.store(true, std::memory_order_release);
}

// A task of `group` finished: bookkeeping, the next waiting task gets its slot, and the
// last one wakes the waiter.
void leave_group(LuminarGroup *group, LuminarTask *task) {
  LuminarTask *next = nullptr;
  // Only a reachable task can be registered (make_reachable sets reachable after). Acquire:
  // pairs with that release store, which a task below this one may have made; that task
  // finished before this one did (this one waited for it).
  const bool may_be_registered = task->reachable.load(std::memory_order_acquire);
  if (may_be_registered || group->max_concurrency != 0) {
    std::lock_guard<SpinMutex> lock(group->m);
    if (task->registered) {
      list_unlink<LuminarTask, &LuminarTask::group_prev, &LuminarTask::group_next>(group->registered, task);
    }
    if (group->max_concurrency != 0) {
      --group->started;
      if ((next = group->waiting_head) != nullptr) {
        if ((group->waiting_head = next->waiting_next) == nullptr) group->waiting_tail = nullptr;
        ++group->started;
      }
    }
  }
  if (next != nullptr) runtime().scheduler.submit(next);
  if (group->creator == caller_identity()) {
    // Run inline by the group's creator, which waits in help_group: the task's count goes
    // back to the creator's reservation (see tasks.hpp), with no atomic operation; nobody
    // else waits for it.
    ++group->reserved;
    return;
  }
  // Acq_rel: the release half hands this task's writes to the waiter, who reads state
  // with acquire; the acquire half orders the waiter's registration before our wake-up.
  // Unless this was the last task and a waiter is registered, the group may be destroyed
  // as soon as the decrement is done: nothing after it touches the group.
  if (group->state.fetch_sub(kOneTask, std::memory_order_acq_rel) != kOneTask + kWaiterBit) return;
  std::vector<BlockedOp *> waiters;
  {
    std::lock_guard<SpinMutex> lock(group->m);  // the waiter registers under it
    waiters.swap(group->waiters);
    // Relaxed: under m, which orders it for the next group_wait.
    group->state.fetch_and(~kWaiterBit, std::memory_order_relaxed);
  }
  wake_all(waiters);  // the group may be destroyed from here on
}

// Whether `state` (a value of group->state) counts a task that has not finished, beyond
// the unused reservation that a waiting creator holds for its own next spawns.
bool unfinished_tasks(const LuminarGroup *group, std::size_t state, bool by_creator) {
  return state >= kOneTask * (by_creator ? group->reserved + 1 : 1);
}

// Before group_wait parks: runs the group's tasks found at the bottom of this worker's
// deque inline (see the file comment); stops at the first task that is not one of them
// or is a parked task to resume, which goes back where it was.
void help_group(LuminarGroup *group, bool by_creator) {
  Fiber *fiber = current_fiber();
  if (fiber == nullptr || fiber->task == nullptr) return;  // not a task on a worker
  Scheduler &scheduler = runtime().scheduler;
  // Once none of the group's tasks is left anywhere, stop before popping (the next task
  // down would belong to another group and go back). Relaxed: a hint; group_wait reads the
  // count again with acquire.
  while (unfinished_tasks(group, group->state.load(std::memory_order_relaxed), by_creator)) {
    LuminarTask *task = scheduler.pop_local();
    if (task == nullptr) return;
    if (task->group != group || task->resume_fiber != nullptr) {
      scheduler.unpop_local(task);
      return;
    }
    LuminarTask *const waiter = fiber->task;
    trace_run_ends(waiter, false);
    run_task(task);
    trace_run_begins(waiter);
  }
}

// The owner's half of the blocked-operation protocol (see cancel_task): no canceller
// can use the op once this returns.
void withdraw_blocked_op(LuminarTask *task) {
  // Relaxed: ordered by the light fence (the owner's half of the second pair, cancel_task).
  task->blocked_op.store(nullptr, std::memory_order_relaxed);
  light_fence();
  if (cancels_in_progress.load() == 0) return;
  // A cancellation under way may have loaded the op before our store: wait it out against
  // the task's mutex, under which it uses the op (the third pair, cancel_task).
  task->blocked_op.store(nullptr);
  if (task->m.held()) {
    task->m.lock();
    task->m.unlock();
  }
}

// LUMINAR_GROUP_CANCEL_ON_ERROR: the group's error handler.
void cancel_on_error(const LuminarErrorContext *, void *group) {
  cancel_group(static_cast<LuminarGroup *>(group), LUMINAR_CANCEL_REQUESTED);
}

}  // namespace

Caller current_caller() {
  Fiber *fiber = current_fiber();
  return fiber != nullptr ? Caller{fiber->task, fiber->task} : Caller{thread_task(), nullptr};
}

LuminarTask *current_task() { return current_caller().task; }

namespace {

// Runs (or skips, if cancelled before it started) a task whose record stays where it is,
// and finishes it.
void run_in_place(LuminarTask *task) {
  int32_t result = LUMINAR_TASK_CANCELLED;
  if (cancel_reason_of(task) != LUMINAR_NOT_CANCELLED) {
    task->payload.drop();
    metrics().task_skipped();
  } else {
    const bool timed = metrics().task_started();
    const Clock::time_point start = timed ? Clock::now() : Clock::time_point();
    // The fiber stays the same across parks (the thread may not): `fiber` stays valid.
    // `outer` is the task that runs this one inline while it waits for its group, or null.
    Fiber *fiber = current_fiber();
    LuminarTask *const outer = fiber != nullptr ? fiber->task : thread_task();
    if (fiber != nullptr) {
      fiber->task = task;
    } else {
      thread_task() = task;
    }
    trace_run_begins(task);
    result = task->payload.run();
    check_canary_after_task(fiber);
    trace_run_ends(task, false);
    if (fiber != nullptr) {
      fiber->task = outer;
    } else {
      thread_task() = outer;
    }
    const auto elapsed = timed ? std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count() : 0;
    metrics().task_finished(result, static_cast<std::uint64_t>(elapsed), timed);
  }
  if (task->timeout_timer != nullptr) runtime().timers.cancel(task->timeout_timer.get());
  if (task->group != nullptr) leave_group(task->group, task);
  // Only the scheduler's reference left: the spawner released its handle, so nobody can
  // join, and the task has left its group, so nobody can cancel it. Acquire: pairs with
  // the release half of release_task's decrement (its writes are visible before delete).
  if (task->refs.load(std::memory_order_acquire) == 1) {
    destroy_task(task);
    return;
  }
  std::vector<BlockedOp *> joiners;
  {
    std::lock_guard<SpinMutex> lock(task->m);
    task->finished = true;
    joiners.swap(task->joiners);
  }
  wake_all(joiners);
  unref(task);
}

// Whether an unstarted task's record can move: nobody else may know its address (no
// handle, no timeout timer; a task registers in its group only once it blocks), and its
// data must be movable (hooks.h, LUMINAR_TASK_MOVABLE_DATA).
bool record_can_move(const LuminarTask *task) {
  // Acquire: pairs with the release half of release_task's decrement, as in run_in_place.
  return task->refs.load(std::memory_order_acquire) == 1 && task->timeout_timer == nullptr && task->payload.movable();
}

// Moves an unstarted task's record into `storage` (kTaskBlockSize bytes) and frees the old one.
LuminarTask *move_record(LuminarTask *from, void *storage) {
  auto *to = new (storage) LuminarTask;
  // Relaxed, both: the record is this thread's alone (record_can_move).
  to->refs.store(1, std::memory_order_relaxed);
  to->cancel_reason.store(from->cancel_reason.load(std::memory_order_relaxed), std::memory_order_relaxed);
  to->id = from->id;
  from->payload.move_to(to->payload, static_cast<char *>(storage) + kTaskRecordSize);
  from->name.move_to(to->name);
  to->flags = (from->flags & ~kRecordInArena) | kRecordOnStack;
  to->priority = from->priority;
  to->group = from->group;
  destroy_task(from);
  return to;
}

// Runs a task on a copy of its record in this frame, so that the record costs no memory
// beyond the stack while the task is parked (record_arena.hpp). Not inlined: only these
// runs have the frame.
[[gnu::noinline]] void run_on_stack_record(LuminarTask *task) {
  alignas(luminar_plugin::TaskPayload::kInlineAlign) unsigned char storage[kTaskBlockSize];
  run_in_place(move_record(task, storage));
}

}  // namespace

void run_task(LuminarTask *task) {
  if ((task->flags & kRecordInArena) && record_can_move(task)) {
    run_on_stack_record(task);
  } else {
    run_in_place(task);
  }
}

// A blocked operation is registered and withdrawn without the task's mutex (both are on
// the path of every park); three Dekker pairs make that safe. In the first two, the owner
// blocks all the time and the canceller is rare, so the owner takes the light fence and
// the canceller the heavy one (asymmetric_fence.hpp): with membarrier(2) a park costs no
// fence for them, and a cancellation one system call.
//   1. Either the owner sees a reason or the canceller sees the op: the owner stores the
//      op, fences, then loads the epoch and the reasons (begin_blocking); the canceller
//      stores the reasons, increments the epoch, fences, then loads the op. So a
//      cancellation runs in two passes over its subtree, the reasons, then one heavy
//      fence, then the blocked operations; a task that joins the subtree between the
//      passes reads its group's reason when it blocks (its registration takes the group's
//      mutex after the first pass released it).
//   2. Either the owner, withdrawing its op, sees the cancellation under way or the
//      canceller sees the withdrawal: the owner stores null, fences, then loads
//      cancels_in_progress (withdraw_blocked_op); the canceller increments it before the
//      same heavy fence, and decrements it (release) once its second pass no longer uses
//      any op. An owner that sees none under way lets the op die at once.
//   3. One that sees a cancellation under way falls back to the task's mutex: the
//      canceller uses an op only while it holds task->m, and the owner stores null again
//      (seq_cst) and waits until task->m is free. If it sees task->m free, a canceller that
//      takes it later loads the op after the withdrawal (the lock is a seq_cst RMW,
//      spin_mutex.hpp) and finds null.
namespace {

void mark_group(LuminarGroup *group, int32_t reason);

// First pass: the reasons, down the subtree, each list read under the mutex it changes under.
void mark_task(LuminarTask *task, int32_t reason) {
  std::lock_guard<SpinMutex> lock(task->m);
  set_reason(task->cancel_reason, reason);
  // Still under task->m: group_destroy unregisters under it, so these stay alive.
  for (LuminarGroup *group = task->owned_groups; group != nullptr; group = group->owner_next) mark_group(group, reason);
}

void mark_group(LuminarGroup *group, int32_t reason) {
  std::lock_guard<SpinMutex> lock(group->m);
  set_reason(group->cancel_reason, reason);
  for (LuminarTask *task = group->registered; task != nullptr; task = task->group_next) mark_task(task, reason);
}

void wake_blocked_in_group(LuminarGroup *group);

// Second pass: the blocked operations of the same subtree.
void wake_blocked(LuminarTask *task) {
  std::lock_guard<SpinMutex> lock(task->m);
  if (BlockedOp *op = task->blocked_op.load(); op != nullptr && op->try_claim()) op->complete(0, LUMINAR_CHAN_CANCELLED);
  for (LuminarGroup *group = task->owned_groups; group != nullptr; group = group->owner_next)
    wake_blocked_in_group(group);
}

void wake_blocked_in_group(LuminarGroup *group) {
  std::lock_guard<SpinMutex> lock(group->m);
  for (LuminarTask *task = group->registered; task != nullptr; task = task->group_next) wake_blocked(task);
}

// The whole cancellation of a subtree rooted at `root` (a task or a group).
template <class Root>
void cancel_subtree(Root *root, int32_t reason, void (*mark)(Root *, int32_t), void (*wake)(Root *)) {
  cancels_in_progress.fetch_add(1);
  mark(root, reason);
  // Between the passes: readers of reasons may skip them no more (cancel_reason_of), and
  // the canceller's half of the first two pairs above.
  cancel_epoch.fetch_add(1);
  heavy_fence();
  wake(root);
  // Release: the uses of ops above happen before an owner's load that sees the decrement.
  cancels_in_progress.fetch_sub(1, std::memory_order_release);
}

}  // namespace

void cancel_task(LuminarTask *task, int32_t reason) { cancel_subtree(task, reason, mark_task, wake_blocked); }

void cancel_group(LuminarGroup *group, int32_t reason) {
  cancel_subtree(group, reason, mark_group, wake_blocked_in_group);
}

int32_t cancel_reason_of(const LuminarTask *task) {
  // Nothing was ever cancelled: no reason to read. A canceller sets its reasons, then
  // increments the epoch, fences, then looks for blocked operations, so this load takes the
  // reasons' place in begin_blocking's Dekker pair (see cancel_task).
  if (cancel_epoch.load() == 0) return LUMINAR_NOT_CANCELLED;
  // Each task's group outlives it, and each group's owner outlives the group.
  int32_t reason = task->cancel_reason.load();
  if (reason != LUMINAR_NOT_CANCELLED || task->group == nullptr) return reason;
  if ((reason = task->group->cancel_reason.load()) != LUMINAR_NOT_CANCELLED) return reason;
  for (const LuminarTask *above = task->group->owner; above != nullptr; above = above->group->owner) {
    if ((reason = above->cancel_reason.load()) != LUMINAR_NOT_CANCELLED || above->group == nullptr) return reason;
    if ((reason = above->group->cancel_reason.load()) != LUMINAR_NOT_CANCELLED) return reason;
  }
  return LUMINAR_NOT_CANCELLED;
}

bool begin_blocking(LuminarTask *task, BlockedOp *op) {
  if (task == nullptr) return true;
  make_reachable(task);
  // Release: publishes the op to a canceller's load. The light fence orders this store
  // before the loads of cancel_reason_of (the owner's half of the first pair, cancel_task).
  task->blocked_op.store(op, std::memory_order_release);
  light_fence();
  if (cancel_reason_of(task) == LUMINAR_NOT_CANCELLED) return true;
  withdraw_blocked_op(task);
  return false;
}

void end_blocking(LuminarTask *task) {
  if (task != nullptr) withdraw_blocked_op(task);
}

LuminarTask *spawn_task(const LuminarTaskDescriptor *desc) {
  const bool handle = !(desc->flags & LUMINAR_TASK_NO_HANDLE);
  const bool in_arena = current_fiber() == nullptr;  // see record_arena.hpp
  void *block = in_arena ? record_arena().allocate() : task_blocks().allocate();
  auto *task = new (block) LuminarTask;  // not `()`: that would zero the block first (see tasks.hpp)
  if (!handle) task->refs.store(1, std::memory_order_relaxed);  // relaxed: not yet shared
  if (tracing_on) task->id = next_task_id();  // ids only name tasks in traces
  task->payload.take(desc, static_cast<char *>(block) + kTaskRecordSize, kInlineTaskData);
  task->name.take(desc);
  task->flags = (desc->flags & kAbiTaskFlags) | (in_arena ? kRecordInArena : 0u);
  task->priority = std::clamp<int32_t>(desc->priority, LUMINAR_PRIORITY_LOW, LUMINAR_PRIORITY_CRITICAL);
  task->group = desc->group;
  metrics().task_spawned();
  if (desc->timeout_ns >= 0) {
    task->timeout_timer = std::make_unique<Timer>();
    task->timeout_timer->action = on_task_timeout;
    task->timeout_timer->arg = task;
    runtime().timers.add(task->timeout_timer.get(), Clock::now() + std::chrono::nanoseconds(desc->timeout_ns));
  }
  if (LuminarGroup *group = task->group) {
    count_spawn(group);
    if (group->max_concurrency != 0) {
      std::lock_guard<SpinMutex> lock(group->m);
      if (group->started >= group->max_concurrency) {
        (group->waiting_tail != nullptr ? group->waiting_tail->waiting_next : group->waiting_head) = task;
        group->waiting_tail = task;
        return handle ? task : nullptr;
      }
      ++group->started;
    }
  }
  runtime().scheduler.submit(task);
  return handle ? task : nullptr;
}

void join_task(LuminarTask *task) {
  BlockedOp op;
  bool wait = false;
  {
    std::lock_guard<SpinMutex> lock(task->m);
    if (!task->finished) {
      task->joiners.push_back(&op);
      wait = true;
    }
  }
  if (wait) op.wait();
  unref(task);
}

void release_task(LuminarTask *task) { unref(task); }

void cancel_task_hook(LuminarTask *task) { cancel_task(task, LUMINAR_CANCEL_REQUESTED); }

LuminarTask *current_task_hook() { return current_task(); }

LuminarGroup *current_group() {
  LuminarTask *task = current_task();
  return task != nullptr ? task->group : nullptr;
}

int32_t cancelled() {
  LuminarTask *task = current_task();
  return task != nullptr ? cancel_reason_of(task) : LUMINAR_NOT_CANCELLED;
}

LuminarGroup *group_open(const LuminarGroupOptions *options, LuminarTask **creator) {
  auto *group = new (group_blocks().allocate()) LuminarGroup;  // as in spawn_task
  group->max_concurrency = options->max_concurrency;
  if (LUMINAR_DESCRIPTOR_HAS(options, LuminarGroupOptions, flags) && (options->flags & LUMINAR_GROUP_CANCEL_ON_ERROR))
    group->errors.set_handler_unshared(&cancel_on_error, group);
  // The owner outlives the group (group_destroy runs inside it), no reference needed. The
  // group is linked into it only if one of its tasks blocks (make_reachable).
  group->owner = *creator = current_task();
  group->creator = caller_identity();
  // The creator's first batch (see tasks.hpp). Relaxed: the group is not shared yet.
  group->reserved = 1;
  group->next_reservation = 2;
  group->state.store(kOneTask, std::memory_order_relaxed);
  if (options->timeout_ns >= 0) {
    group->has_timeout = true;
    group->timeout_timer.action = on_group_timeout;
    group->timeout_timer.arg = group;
    runtime().timers.add(&group->timeout_timer, Clock::now() + std::chrono::nanoseconds(options->timeout_ns));
  }
  return group;
}

LuminarGroup *group_create(const LuminarGroupOptions *options) {
  LuminarTask *creator = nullptr;
  return group_open(options, &creator);
}

void group_cancel(LuminarGroup *group) { cancel_group(group, LUMINAR_CANCEL_REQUESTED); }

int32_t group_wait(LuminarGroup *group) {
  const bool by_creator = group->creator == caller_identity();
  help_group(group, by_creator);
  // Acquire: pairs with the release half of the finishing tasks' decrements.
  std::size_t state = group->state.load(std::memory_order_acquire);
  if (by_creator && group->reserved != 0 && state != kOneTask * group->reserved) {
    // Tasks beyond the creator's reservation are left: give the reservation back, so that
    // the count is exact for the wait below. (If none is left, the reservation stays for
    // the creator's next spawns, and the wait costs no atomic operation.) Acq_rel: if this
    // empties the group, the acquire half sees the finished tasks' writes.
    state = group->state.fetch_sub(kOneTask * group->reserved, std::memory_order_acq_rel) - kOneTask * group->reserved;
    group->reserved = 0;
  }
  if (unfinished_tasks(group, state, by_creator)) {
    BlockedOp op;
    bool wait = false;
    {
      std::lock_guard<SpinMutex> lock(group->m);
      // Acq_rel: if tasks are left, the last one sees the bit (its decrement follows this
      // in the order of state) and wakes us under m; if none is left, we saw their writes.
      if (group->state.fetch_or(kWaiterBit, std::memory_order_acq_rel) >= kOneTask) {
        group->waiters.push_back(&op);
        wait = true;
      } else {
        group->state.fetch_and(~kWaiterBit, std::memory_order_relaxed);  // relaxed: under m
      }
    }
    if (wait) op.wait();
  }
  int32_t reason = group->cancel_reason.load();
  if (reason == LUMINAR_NOT_CANCELLED && group->owner != nullptr) reason = cancel_reason_of(group->owner);
  switch (reason) {
    case LUMINAR_CANCEL_TIMEOUT: return LUMINAR_GROUP_TIMED_OUT;
    case LUMINAR_CANCEL_REQUESTED: return LUMINAR_GROUP_CANCELLED;
    default: return LUMINAR_GROUP_COMPLETED;
  }
}

void group_destroy(LuminarGroup *group) {
  if (group->has_timeout) runtime().timers.cancel(&group->timeout_timer);
  // `linked` is read without owner->m: only the group's tasks set it, and they have all
  // finished (group_wait saw it, with acquire) before the group may be destroyed.
  if (LuminarTask *owner = group->owner; owner != nullptr && group->linked) {
    std::lock_guard<SpinMutex> lock(owner->m);  // cancel_task walks the list under it
    list_unlink<LuminarGroup, &LuminarGroup::owner_prev, &LuminarGroup::owner_next>(owner->owned_groups, group);
  }
  group->~LuminarGroup();  // ~ErrorList releases the payloads
  group_blocks().release(group);
}

int32_t group_close(LuminarGroup *group) {
  return luminar_plugin::close_group(group, &group_wait, &group_destroy, group->errors);
}

}  // namespace luminar_steal
