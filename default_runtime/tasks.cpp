#include "tasks.hpp"

#include "group_close.hpp"
#include "metrics.hpp"
#include "runtime.hpp"

#include <algorithm>
#include <chrono>

namespace luminar_default {
namespace {

thread_local LuminarTask *running_task = nullptr;

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(int64_t ns) { return Clock::now() + std::chrono::nanoseconds(ns); }

void unref(LuminarTask *task) {
  // acq_rel: the last holder must see every write of the others before deleting.
  if (task->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete task;
}

// First reason wins; returns whether this call set it.
bool set_reason(std::atomic<int32_t> &reason, int32_t value) {
  int32_t expected = LUMINAR_NOT_CANCELLED;
  return reason.compare_exchange_strong(expected, value);
}

void submit(LuminarTask *task) { runtime().scheduler.submit(task, task->priority); }

// A task of `group` finished: bookkeeping, and the next waiting task gets its slot.
void leave_group(LuminarGroup *group, LuminarTask *task) {
  LuminarTask *next = nullptr;
  {
    std::lock_guard<std::mutex> lock(group->m);
    // Swap-remove: O(1), so joining n tasks is not quadratic; the order does not matter.
    LuminarTask *last = group->tasks.back();
    group->tasks[task->group_slot] = last;
    last->group_slot = task->group_slot;
    group->tasks.pop_back();
    --group->started;
    if (!group->waiting.empty()) {
      next = group->waiting.front();
      group->waiting.pop_front();
      ++group->started;
    }
    if (--group->live == 0) group->all_done.notify_all();
  }
  if (next != nullptr) submit(next);
}

// LUMINAR_GROUP_CANCEL_ON_ERROR: the group's error handler.
void cancel_on_error(const LuminarErrorContext *, void *group) {
  cancel_group(static_cast<LuminarGroup *>(group), LUMINAR_CANCEL_REQUESTED);
}

}  // namespace

LuminarTask *current_task() { return running_task; }

void run_task(LuminarTask *task) {
  int32_t result = LUMINAR_TASK_CANCELLED;
  if (task->cancel_reason.load() != LUMINAR_NOT_CANCELLED) {
    task->payload.drop();
    metrics().task_skipped();
  } else {
    metrics().task_started();
    const auto start = Clock::now();
    running_task = task;
    if (task->flags & LUMINAR_TASK_BLOCKING) {
      BlockingScope blocking;  // its whole run counts as blocked: compensated
      result = task->payload.run();
    } else {
      result = task->payload.run();
    }
    running_task = nullptr;
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    metrics().task_finished(result, static_cast<std::uint64_t>(elapsed));
  }
  runtime().timers.cancel(task->timeout_timer);
  if (task->group != nullptr) leave_group(task->group, task);
  {
    std::lock_guard<std::mutex> lock(task->m);
    task->finished = true;
    task->finished_cv.notify_all();
  }
  unref(task);
}

void cancel_task(LuminarTask *task, int32_t reason) {
  set_reason(task->cancel_reason, reason);
  std::vector<LuminarGroup *> groups;
  {
    std::lock_guard<std::mutex> lock(task->m);
    if (task->blocked_op != nullptr) task->blocked_op->interrupt();
    groups = task->owned_groups;
    // Still under task->m: group_destroy unregisters under it, so these stay alive while
    // they are cancelled below.
    for (LuminarGroup *group : groups) cancel_group(group, reason);
  }
}

void cancel_group(LuminarGroup *group, int32_t reason) {
  std::lock_guard<std::mutex> lock(group->m);
  if (group->cancel_reason == LUMINAR_NOT_CANCELLED) group->cancel_reason = reason;
  for (LuminarTask *task : group->tasks) cancel_task(task, reason);
}

bool begin_blocking(BlockedOp *op) {
  LuminarTask *task = running_task;
  if (task == nullptr) return true;
  std::lock_guard<std::mutex> lock(task->m);
  if (task->cancel_reason.load() != LUMINAR_NOT_CANCELLED) return false;
  task->blocked_op = op;
  return true;
}

void end_blocking() {
  LuminarTask *task = running_task;
  if (task == nullptr) return;
  std::lock_guard<std::mutex> lock(task->m);
  task->blocked_op = nullptr;
}

LuminarTask *spawn_task(const LuminarTaskDescriptor *desc) {
  const bool handle = !(desc->flags & LUMINAR_TASK_NO_HANDLE);
  auto *task = new LuminarTask();
  if (!handle) task->refs.store(1, std::memory_order_relaxed);  // relaxed: not yet shared
  task->payload.take(desc, nullptr, 0);
  task->name.take(desc);
  task->flags = desc->flags;
  task->priority = desc->priority;
  task->group = desc->group;
  metrics().task_spawned();
  if (desc->timeout_ns >= 0)
    task->timeout_timer =
        runtime().timers.add(deadline_after(desc->timeout_ns), [task] { cancel_task(task, LUMINAR_CANCEL_TIMEOUT); });

  if (LuminarGroup *group = task->group) {
    std::lock_guard<std::mutex> lock(group->m);
    ++group->live;
    task->group_slot = group->tasks.size();
    group->tasks.push_back(task);
    if (group->cancel_reason != LUMINAR_NOT_CANCELLED) set_reason(task->cancel_reason, group->cancel_reason);
    if (group->max_concurrency != 0 && group->started >= group->max_concurrency) {
      group->waiting.push_back(task);
      return handle ? task : nullptr;
    }
    ++group->started;
  }
  submit(task);
  return handle ? task : nullptr;
}

void join_task(LuminarTask *task) {
  {
    BlockingScope blocking;
    std::unique_lock<std::mutex> lock(task->m);
    task->finished_cv.wait(lock, [task] { return task->finished; });
  }
  unref(task);
}

void release_task(LuminarTask *task) { unref(task); }

void cancel_task_hook(LuminarTask *task) { cancel_task(task, LUMINAR_CANCEL_REQUESTED); }

LuminarTask *current_task_hook() { return running_task; }

LuminarGroup *current_group() { return running_task != nullptr ? running_task->group : nullptr; }

int32_t cancelled() { return running_task != nullptr ? running_task->cancel_reason.load() : LUMINAR_NOT_CANCELLED; }

LuminarGroup *group_create(const LuminarGroupOptions *options) {
  auto *group = new LuminarGroup();
  group->name = options->name != nullptr ? options->name : "";
  group->max_concurrency = options->max_concurrency;
  if (LUMINAR_DESCRIPTOR_HAS(options, LuminarGroupOptions, flags) && (options->flags & LUMINAR_GROUP_CANCEL_ON_ERROR))
    group->errors.set_handler_unshared(&cancel_on_error, group);
  if (LuminarTask *owner = running_task) {
    // The owner outlives the group (group_destroy runs inside it), no reference needed.
    group->owner = owner;
    std::lock_guard<std::mutex> lock(owner->m);
    owner->owned_groups.push_back(group);
    group->cancel_reason = owner->cancel_reason.load();
  }
  if (options->timeout_ns >= 0)
    group->timeout_timer = runtime().timers.add(deadline_after(options->timeout_ns),
                                                [group] { cancel_group(group, LUMINAR_CANCEL_TIMEOUT); });
  return group;
}

void group_cancel(LuminarGroup *group) { cancel_group(group, LUMINAR_CANCEL_REQUESTED); }

int32_t group_wait(LuminarGroup *group) {
  BlockingScope blocking;
  std::unique_lock<std::mutex> lock(group->m);
  group->all_done.wait(lock, [group] { return group->live == 0; });
  switch (group->cancel_reason) {
    case LUMINAR_CANCEL_TIMEOUT: return LUMINAR_GROUP_TIMED_OUT;
    case LUMINAR_CANCEL_REQUESTED: return LUMINAR_GROUP_CANCELLED;
    default: return LUMINAR_GROUP_COMPLETED;
  }
}

void group_destroy(LuminarGroup *group) {
  runtime().timers.cancel(group->timeout_timer);
  if (LuminarTask *owner = group->owner) {
    std::lock_guard<std::mutex> lock(owner->m);
    owner->owned_groups.erase(std::find(owner->owned_groups.begin(), owner->owned_groups.end(), group));
  }
  delete group;  // ~ErrorList releases the payloads
}

LuminarGroup *group_open(const LuminarGroupOptions *options, LuminarTask **creator) {
  *creator = current_task();
  return group_create(options);
}

int32_t group_close(LuminarGroup *group) {
  return luminar_plugin::close_group(group, &group_wait, &group_destroy, group->errors);
}

}  // namespace luminar_default
