// Tasks and task groups.
//
// Ownership: a task has two references, the spawner's handle (join_task/release_task)
// and the scheduler's (dropped after the task ran or was skipped); a task spawned with
// LUMINAR_TASK_NO_HANDLE has only the scheduler's. Task records and groups come from
// per-thread block caches (block_cache.hpp); a record has room for small task data
// (kInlineTaskData bytes) right after it, so a spawn costs one cached block. A task
// refers to its group until it has finished, which group_wait waits for before the group
// may be destroyed.
//
// Counting a group's tasks takes no lock: `state` is 2 × (tasks spawned and not finished),
// plus kWaiterBit while a group_wait is registered. The group's creator counts its own
// spawns ahead, in batches that double up to kMaxReservation, and gives back what it did
// not use when it waits: its spawns then rarely write the line that finishing tasks on
// other workers keep writing. The first batch (one task) is counted by group_open with a
// plain store, before the group is shared, so a group's first spawn costs no atomic
// read-modify-write (fib spends a spawn per group); a task that the creator runs inline
// while it waits (help_group) gives its count back to the reservation instead of
// decrementing `state`, and a wait that finds nothing counted beyond the reservation
// returns at once, keeping the reservation. So a group whose tasks all ran on its creator
// costs no atomic read-modify-write at all. This relies on the creator waiting (hooks.h:
// created, waited and destroyed by one thread). A finishing task decrements it and
// touches the group afterwards only if it was the last one and the bit was set: then the
// waiter is parked and cannot destroy the group before this task wakes it (leave_group).
// Groups with max_concurrency count their started tasks and queue the rest under m.
//
// Cancellation flows down. Cancelling a task or a group sets its reason; a task counts as
// cancelled if it, its group, or any task or group above it has a reason
// (cancel_reason_of reads nothing while nothing in the process has ever been cancelled,
// then its own reason and its group's, and walks further up: cancel_epoch). Only a task that blocks
// must also be woken, so only such a task makes itself reachable, once, before it first
// blocks (make_reachable): it registers in its group, links the group into its owner
// task's list of groups, registers the owner in its group, and so on up to a task whose
// chain is complete. Cancelling a task then claims its blocked operation (which wakes it
// with LUMINAR_CHAN_CANCELLED) and cancels its linked groups; cancelling a group cancels
// its registered tasks. Every link is made under the mutex of what it links into, which a
// canceller holds while it sets the reason there, so a link made after a cancellation
// sees its reason. A task that never blocks costs no lock for any of this: spawning,
// creating a group and finishing take none. Lock order follows the same direction (group, then its tasks, then
// their groups), so it cannot cycle. join_task and group_wait park like any other
// blocking operation but are not cancellable (hooks.h). Before parking, group_wait runs
// the group's own tasks that wait at the bottom of its worker's deque on the waiting
// fiber (as oneTBB's task_group::wait does); only the group's own, never another task,
// so the waiter never ends up under a task that waits for it.
#ifndef LUMINAR_STEAL_TASKS_HPP
#define LUMINAR_STEAL_TASKS_HPP

#include "blocked_op.hpp"
#include "error_list.hpp"
#include "spin_mutex.hpp"
#include "task_payload.hpp"
#include "timers.hpp"

#include <luminar/hooks.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace luminar_steal {
struct Fiber;
}

// Every member of LuminarTask and LuminarGroup has an initialiser, so both are created
// default-initialised (`new (block) T`): value-initialisation (`T()`) would first zero the
// whole block, padding and all, on every spawn.
// A member that spawn_task sets must also be carried over by move_record (tasks.cpp), which
// moves a task's record onto its stack when it starts.
struct LuminarTask {
  std::atomic<int> refs{2};  // see the file comment
  uint64_t id = 0;           // names the task in traces; set at spawn while tracing is on
  // Start of the current stretch on a worker, for the trace (tracing.hpp); -1 = none.
  // Only the code running the task touches it.
  int64_t run_begin_ns = -1;
  luminar_plugin::TaskPayload payload;
  luminar_plugin::TaskLabel name;
  uint32_t flags = 0;
  int32_t priority = LUMINAR_PRIORITY_NORMAL;
  LuminarGroup *group = nullptr;
  // Its spawn timeout's timer, armed before the task is submitted, or null: on the heap,
  // as few tasks have one, and every parked task pays for the size of its record.
  std::unique_ptr<luminar_steal::Timer> timeout_timer;
  // LuminarCancelReason set on this task itself (cancel_task, its timeout, or through the
  // group list); the first reason sticks. Read without a lock (cancel_reason_of).
  std::atomic<int32_t> cancel_reason{LUMINAR_NOT_CANCELLED};
  // In its group's list of registered tasks; set under group->m (see the file comment).
  bool registered = false;
  // Every link from here to the root is made (make_reachable). Release store after the
  // links, acquire load: a task that finds it set sees the links' effects.
  std::atomic<bool> reachable{false};
  // The fiber the task is parked on, set by the task before it parks and cleared by the
  // worker that resumes it; handed over through the ready queues.
  luminar_steal::Fiber *resume_fiber = nullptr;
  // Links in the group's list of registered tasks (intrusive, so leaving is O(1)); under group->m.
  LuminarTask *group_prev = nullptr, *group_next = nullptr;
  // Next in the group's FIFO of tasks beyond max_concurrency; under group->m.
  LuminarTask *waiting_next = nullptr;

  luminar_steal::SpinMutex m;
  bool finished = false;                                // under m
  // What cancel claims: set and cleared by the task, read by cancellers under m (the
  // orderings are argued at cancel_task in tasks.cpp).
  std::atomic<luminar_steal::BlockedOp *> blocked_op{nullptr};
  std::vector<luminar_steal::BlockedOp *> joiners;      // under m: join_task callers
  LuminarGroup *owned_groups = nullptr;                 // under m: linked groups it created (owner_next list)
};

struct LuminarGroup {
  uint32_t max_concurrency = 0;
  LuminarTask *owner = nullptr;  // the task that created it, or NULL
  // The creating fiber (or thread, outside fibers): who counts its spawns ahead.
  const void *creator = nullptr;
  // Links in the owner's list of groups it created, once linked (make_reachable);
  // intrusive, no allocation; under owner->m.
  LuminarGroup *owner_prev = nullptr, *owner_next = nullptr;
  bool linked = false;  // under owner->m
  luminar_steal::Timer timeout_timer;
  bool has_timeout = false;
  luminar_plugin::ErrorList errors;

  // LuminarCancelReason of the group; the first reason sticks (set under m). Read
  // without the lock by the group's tasks (cancel_reason_of) and by group_wait.
  std::atomic<int32_t> cancel_reason{LUMINAR_NOT_CANCELLED};
  // 2 × unfinished tasks + kWaiterBit (see the file comment). On a cache line of its own:
  // the spawner adds to it for every spawn and every finishing task subtracts, while the
  // fields above are read by every task of the group and change rarely.
  alignas(64) std::atomic<std::size_t> state{0};

  alignas(64) luminar_steal::SpinMutex m;
  // Counts in `state` that stand for no live task, the creator's to use: spawns counted
  // ahead of time and not yet made, and tasks the creator ran inline; and the size of its
  // next batch (count_spawn in tasks.cpp). Creator only.
  std::size_t reserved = 0, next_reservation = 1;
  // Under m:
  std::size_t started = 0;   // max_concurrency only: submitted to the scheduler and not finished
  // Beyond max_concurrency, not yet submitted: a FIFO linked through waiting_next.
  LuminarTask *waiting_head = nullptr, *waiting_tail = nullptr;
  LuminarTask *registered = nullptr;  // first of the registered tasks (linked list)
  std::vector<luminar_steal::BlockedOp *> waiters;  // group_wait callers
};

namespace luminar_steal {

// The task running on this fiber or thread, or NULL.
LuminarTask *current_task();

// The calling code's task, and that task again if it runs on a fiber (else null: a
// thread that waits on a futex). Read once for a whole operation: both stay the same
// across parks, while the thread may not.
struct Caller {
  LuminarTask *task;
  LuminarTask *fiber_task;
};
Caller current_caller();

// Why `task` counts as cancelled: its own reason, else its group's (LuminarCancelReason).
int32_t cancel_reason_of(const LuminarTask *task);

// Runs (or skips, if cancelled before it started) a task and finishes it.
void run_task(LuminarTask *task);

void cancel_task(LuminarTask *task, int32_t reason);
void cancel_group(LuminarGroup *group, int32_t reason);

// Registers `op` as the blocked operation of `task` (the caller's: Caller::task) so that
// cancellation claims it; returns false (and registers nothing) if the task is already
// cancelled. With no task (a thread outside tasks) it always succeeds.
bool begin_blocking(LuminarTask *task, BlockedOp *op);
void end_blocking(LuminarTask *task);

// Hooks.
LuminarTask *spawn_task(const LuminarTaskDescriptor *desc);
void join_task(LuminarTask *task);
void release_task(LuminarTask *task);
void cancel_task_hook(LuminarTask *task);
LuminarTask *current_task_hook();
LuminarGroup *current_group();
int32_t cancelled();
LuminarGroup *group_create(const LuminarGroupOptions *options);
void group_cancel(LuminarGroup *group);
int32_t group_wait(LuminarGroup *group);
void group_destroy(LuminarGroup *group);
LuminarGroup *group_open(const LuminarGroupOptions *options, LuminarTask **creator);
int32_t group_close(LuminarGroup *group);

}  // namespace luminar_steal

#endif
