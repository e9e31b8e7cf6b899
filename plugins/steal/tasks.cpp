#include "tasks.hpp"

#include "fiber.hpp"
#include "metrics.hpp"
#include "runtime.hpp"
#include "tracing.hpp"

#include <algorithm>
#include <chrono>

namespace luminar_steal {
namespace {

// The task of a thread that runs tasks without fibers (the blocking pool). Reached through
// a non-inline accessor, like all thread state that fiber code reads (fiber.hpp).
__attribute__((noinline)) LuminarTask *&thread_task() {
  thread_local LuminarTask *task = nullptr;
  LuminarTask **p = &task;
  asm volatile("" : "+r"(p)::"memory");
  return *p;
}

void unref(LuminarTask *task) {
  // acq_rel: the last holder must see every write of the others before deleting.
  if (task->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete task;
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

// A task of `group` finished: bookkeeping, and the next waiting task gets its slot.
void leave_group(LuminarGroup *group, LuminarTask *task) {
  LuminarTask *next = nullptr;
  std::vector<BlockedOp *> waiters;
  {
    std::lock_guard<std::mutex> lock(group->m);
    (task->group_prev != nullptr ? task->group_prev->group_next : group->live_tasks) = task->group_next;
    if (task->group_next != nullptr) task->group_next->group_prev = task->group_prev;
    --group->started;
    if (!group->waiting.empty()) {
      next = group->waiting.front();
      group->waiting.pop_front();
      ++group->started;
    }
    if (--group->live == 0) waiters.swap(group->waiters);
  }
  if (next != nullptr) runtime().scheduler.submit(next);
  wake_all(waiters);  // the group may be destroyed from here on
}

}  // namespace

LuminarTask *current_task() {
  Fiber *fiber = current_fiber();
  return fiber != nullptr ? fiber->task : thread_task();
}

void run_task(LuminarTask *task) {
  int32_t result = LUMINAR_TASK_CANCELLED;
  if (task->cancel_reason.load() != LUMINAR_NOT_CANCELLED) {
    metrics().task_skipped();
  } else {
    metrics().task_started();
    const auto start = Clock::now();
    // The fiber stays the same across parks (the thread may not): `fiber` stays valid.
    Fiber *fiber = current_fiber();
    if (fiber != nullptr) {
      fiber->task = task;
    } else {
      thread_task() = task;
    }
    trace_run_begins(task);
    result = task->fn(task->data);
    trace_run_ends(task, false);
    if (fiber != nullptr) {
      fiber->task = nullptr;
    } else {
      thread_task() = nullptr;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    metrics().task_finished(result, static_cast<std::uint64_t>(elapsed));
  }
  if (task->has_timeout) runtime().timers.cancel(&task->timeout_timer);
  if (task->group != nullptr) leave_group(task->group, task);
  std::vector<BlockedOp *> joiners;
  {
    std::lock_guard<std::mutex> lock(task->m);
    task->finished = true;
    joiners.swap(task->joiners);
  }
  wake_all(joiners);
  unref(task);
}

void cancel_task(LuminarTask *task, int32_t reason) {
  set_reason(task->cancel_reason, reason);
  std::lock_guard<std::mutex> lock(task->m);
  // The owner unregisters under task->m (end_blocking) after it woke, so the op is alive.
  if (task->blocked_op != nullptr && task->blocked_op->try_claim()) task->blocked_op->complete(0, LUMINAR_CHAN_CANCELLED);
  // Still under task->m: group_destroy unregisters under it, so these stay alive.
  for (LuminarGroup *group : task->owned_groups) cancel_group(group, reason);
}

void cancel_group(LuminarGroup *group, int32_t reason) {
  std::lock_guard<std::mutex> lock(group->m);
  if (group->cancel_reason == LUMINAR_NOT_CANCELLED) group->cancel_reason = reason;
  for (LuminarTask *task = group->live_tasks; task != nullptr; task = task->group_next) cancel_task(task, reason);
}

bool begin_blocking(BlockedOp *op) {
  LuminarTask *task = current_task();
  if (task == nullptr) return true;
  std::lock_guard<std::mutex> lock(task->m);
  if (task->cancel_reason.load() != LUMINAR_NOT_CANCELLED) return false;
  task->blocked_op = op;
  return true;
}

void end_blocking() {
  LuminarTask *task = current_task();
  if (task == nullptr) return;
  std::lock_guard<std::mutex> lock(task->m);
  task->blocked_op = nullptr;
}

LuminarTask *spawn_task(const LuminarTaskDescriptor *desc) {
  static std::atomic<uint64_t> next_id{1};
  auto *task = new LuminarTask();
  // Relaxed: only uniqueness matters.
  task->id = next_id.fetch_add(1, std::memory_order_relaxed);
  task->fn = desc->fn;
  task->data = desc->data;
  task->name = desc->name != nullptr ? desc->name : "";
  task->flags = desc->flags;
  task->priority = std::clamp<int32_t>(desc->priority, LUMINAR_PRIORITY_LOW, LUMINAR_PRIORITY_CRITICAL);
  task->group = desc->group;
  metrics().task_spawned();
  if (desc->timeout_ns >= 0) {
    task->has_timeout = true;
    task->timeout_timer.action = on_task_timeout;
    task->timeout_timer.arg = task;
    runtime().timers.add(&task->timeout_timer, Clock::now() + std::chrono::nanoseconds(desc->timeout_ns));
  }
  if (LuminarGroup *group = task->group) {
    std::lock_guard<std::mutex> lock(group->m);
    ++group->live;
    task->group_next = group->live_tasks;
    if (group->live_tasks != nullptr) group->live_tasks->group_prev = task;
    group->live_tasks = task;
    if (group->cancel_reason != LUMINAR_NOT_CANCELLED) set_reason(task->cancel_reason, group->cancel_reason);
    if (group->max_concurrency != 0 && group->started >= group->max_concurrency) {
      group->waiting.push_back(task);
      return task;
    }
    ++group->started;
  }
  runtime().scheduler.submit(task);
  return task;
}

void join_task(LuminarTask *task) {
  BlockedOp op;
  bool wait = false;
  {
    std::lock_guard<std::mutex> lock(task->m);
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
  return task != nullptr ? task->cancel_reason.load() : LUMINAR_NOT_CANCELLED;
}

LuminarGroup *group_create(const LuminarGroupOptions *options) {
  auto *group = new LuminarGroup();
  group->name = options->name != nullptr ? options->name : "";
  group->max_concurrency = options->max_concurrency;
  if (LuminarTask *owner = current_task()) {
    // The owner outlives the group (group_destroy runs inside it), no reference needed.
    group->owner = owner;
    std::lock_guard<std::mutex> lock(owner->m);
    owner->owned_groups.push_back(group);
    group->cancel_reason = owner->cancel_reason.load();
  }
  if (options->timeout_ns >= 0) {
    group->has_timeout = true;
    group->timeout_timer.action = on_group_timeout;
    group->timeout_timer.arg = group;
    runtime().timers.add(&group->timeout_timer, Clock::now() + std::chrono::nanoseconds(options->timeout_ns));
  }
  return group;
}

void group_cancel(LuminarGroup *group) { cancel_group(group, LUMINAR_CANCEL_REQUESTED); }

int32_t group_wait(LuminarGroup *group) {
  BlockedOp op;
  bool wait = false;
  {
    std::lock_guard<std::mutex> lock(group->m);
    if (group->live != 0) {
      group->waiters.push_back(&op);
      wait = true;
    }
  }
  if (wait) op.wait();
  std::lock_guard<std::mutex> lock(group->m);
  switch (group->cancel_reason) {
    case LUMINAR_CANCEL_TIMEOUT: return LUMINAR_GROUP_TIMED_OUT;
    case LUMINAR_CANCEL_REQUESTED: return LUMINAR_GROUP_CANCELLED;
    default: return LUMINAR_GROUP_COMPLETED;
  }
}

void group_destroy(LuminarGroup *group) {
  if (group->has_timeout) runtime().timers.cancel(&group->timeout_timer);
  if (LuminarTask *owner = group->owner) {
    std::lock_guard<std::mutex> lock(owner->m);
    owner->owned_groups.erase(std::find(owner->owned_groups.begin(), owner->owned_groups.end(), group));
  }
  delete group;  // ~ErrorList releases the payloads
}

}  // namespace luminar_steal
