// Tasks and task groups.
//
// Ownership: a task has two references, the spawner's handle (join_task/release_task)
// and the scheduler's (dropped after the task ran or was skipped); a task spawned with
// LUMINAR_TASK_NO_HANDLE has only the scheduler's. A group refers to its
// live tasks only while they are unfinished; a task refers to its group until it has
// finished, which group_wait waits for before the group may be destroyed.
//
// Cancellation flows down: cancelling a task interrupts its blocked operation and cancels
// the groups it created; cancelling a group cancels its live tasks. Lock order follows the
// same direction (group, then its tasks, then their groups), so it cannot cycle.
#ifndef LUMINAR_DEFAULT_TASKS_HPP
#define LUMINAR_DEFAULT_TASKS_HPP

#include "blocked_op.hpp"
#include "error_list.hpp"
#include "task_payload.hpp"
#include "timers.hpp"

#include <luminar/hooks.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

struct LuminarTask {
  std::atomic<int> refs{2};  // see the file comment
  luminar_plugin::TaskPayload payload;  // its data on the heap when kept (no inline room)
  luminar_plugin::TaskLabel name;
  uint32_t flags = 0;
  int32_t priority = LUMINAR_PRIORITY_NORMAL;
  LuminarGroup *group = nullptr;
  std::size_t group_slot = 0;  // its index in group->tasks, under group->m
  luminar_default::Timers::Id timeout_timer = 0;  // set before the task is submitted
  // LuminarCancelReason; the first reason sticks. Read without the lock by cancelled().
  std::atomic<int32_t> cancel_reason{LUMINAR_NOT_CANCELLED};

  std::mutex m;
  std::condition_variable finished_cv;
  bool finished = false;                                  // under m
  luminar_default::BlockedOp *blocked_op = nullptr;       // under m: what cancel interrupts
  std::vector<LuminarGroup *> owned_groups;               // under m: groups it created
};

struct LuminarGroup {
  std::string name;
  uint32_t max_concurrency = 0;
  LuminarTask *owner = nullptr;  // the task that created it (holds a reference), or NULL
  luminar_default::Timers::Id timeout_timer = 0;
  luminar_plugin::ErrorList errors;

  std::mutex m;
  std::condition_variable all_done;
  // Under m:
  std::size_t live = 0;      // spawned and not finished
  std::size_t started = 0;   // submitted to the scheduler and not finished
  std::deque<LuminarTask *> waiting;  // beyond max_concurrency, not yet submitted
  std::vector<LuminarTask *> tasks;   // live tasks, for cancellation (unordered; see group_slot)
  int32_t cancel_reason = LUMINAR_NOT_CANCELLED;
};

namespace luminar_default {

// The task running on this thread, or NULL.
LuminarTask *current_task();

// Runs (or skips, if cancelled before it started) a task on a pool thread and finishes it.
void run_task(LuminarTask *task);

void cancel_task(LuminarTask *task, int32_t reason);
void cancel_group(LuminarGroup *group, int32_t reason);

// Registers `op` as the calling task's blocked operation so that cancellation interrupts
// it; returns false (and registers nothing) if the task is already cancelled. Outside
// tasks it always succeeds.
bool begin_blocking(BlockedOp *op);
void end_blocking();

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

}  // namespace luminar_default

#endif
