// Runtime tasks from C++: what the runtime-assisted generator emits for a block and its
// spawns, and what tests use to drive a plugin. Task bodies run inside a trampoline that
// catches every exception, so none unwinds through the C ABI; errors travel to the block
// as std::exception_ptr payloads of the error hooks.
//
// Error strategies live in one place: every failing task records its error in its group
// with collect_error, and a group whose block says on_error(stop) is created with
// LUMINAR_GROUP_CANCEL_ON_ERROR, so the runtime cancels it at the first error. So a spawn that only knows its group (a dynamically
// nested spawn, SPEC 1.5) gets the strategy of the block it joins.
#ifndef LUMINAR_DETAIL_TASK_GROUP_HPP
#define LUMINAR_DETAIL_TASK_GROUP_HPP

#include <luminar/detail/runtime.hpp>
#include <luminar/errors.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

namespace luminar {
namespace runtime {

enum class error_strategy { stop, collect, ignore };  // on_error(...) (SPEC 1.4)

// Clauses of one spawn, in the order the generator writes them.
struct spawn_options {
  // Label in errors and metrics. Must outlive the task (a string literal, as the generator
  // writes): it is read again only when the task fails, so a spawn does not copy it.
  const char *name = nullptr;
  LuminarPriority priority = LUMINAR_PRIORITY_NORMAL;
  bool blocking = false;
  int64_t timeout_ns = -1;  // spawn timeout(...)
  const char *file = nullptr;
  uint32_t line = 0;
};

namespace detail {

inline void release_exception(void *payload) { delete static_cast<std::exception_ptr *>(payload); }

// Records `error` in `group` (NULL: the program-wide list of detached tasks). The group's
// error handler, if any, applies the block's strategy.
inline void record_error(LuminarGroup *group, const char *task, std::exception_ptr error) {
  const std::string message = luminar::detail::describe_exception(error);
  LuminarErrorContext ctx{};
  ctx.struct_size = sizeof ctx;
  ctx.message = message.c_str();
  ctx.task = task;
  ctx.payload = new std::exception_ptr(std::move(error));
  ctx.release_payload = release_exception;
  luminar::detail::runtime_hooks().collect_error(group, &ctx);
}

// Runs a task body on the calling thread and turns its outcome into a LuminarTaskResult.
// A task_cancelled escaping the body is not an error, unless the task's own (or its
// block's) timeout caused it: then the block sees a timeout_error from this task.
template <class F>
int32_t run_body(F &body, LuminarGroup *group, const char *name) noexcept {
  try {
    try {
      body();
      return LUMINAR_TASK_OK;
    } catch (const task_cancelled &) {
      if (luminar::detail::runtime_hooks().cancelled() != LUMINAR_CANCEL_TIMEOUT) return LUMINAR_TASK_CANCELLED;
      throw timeout_error(std::string("luminar: task '") + name + "' timed out");
    }
  } catch (...) {
    try {
      record_error(group, name, std::current_exception());
    } catch (...) {  // out of memory while recording: the failure is still counted
    }
    return LUMINAR_TASK_FAILED;
  }
}

// A spawned body with what its trampoline needs. The runtime keeps it (hooks.h, data_size):
// moved into storage next to its task record when it can be moved without throwing, so
// a spawn costs no allocation of its own; otherwise it stays on the heap.
template <class F>
struct task_state {
  F body;
  LuminarGroup *group;
  const char *name;

  static constexpr bool kept_by_runtime = std::is_nothrow_move_constructible<F>::value;

  // The C entry points: never throw.
  static int32_t run(void *data) noexcept {
    auto *self = static_cast<task_state *>(data);
    const int32_t result = run_body(self->body, self->group, self->name);
    destroy(data);
    return result;
  }
  static void move_into(void *storage, void *from) noexcept {
    ::new (storage) task_state(std::move(*static_cast<task_state *>(from)));
  }
  static void destroy(void *data) noexcept {
    if constexpr (kept_by_runtime) {
      static_cast<task_state *>(data)->~task_state();
    } else {
      delete static_cast<task_state *>(data);
    }
  }
};

template <class F>
void spawn_into(const ConcurrencyHooks &hooks, LuminarGroup *group, F &&body, const spawn_options &options) {
  using state = task_state<std::decay_t<F>>;
  LuminarTaskDescriptor desc{};
  desc.struct_size = sizeof desc;
  // spawn_options::name outlives the task (see there), and so does a source file name.
  desc.flags = LUMINAR_TASK_NO_HANDLE | LUMINAR_TASK_STATIC_NAME | (options.blocking ? LUMINAR_TASK_BLOCKING : 0u);
  desc.fn = &state::run;
  desc.drop_data = &state::destroy;
  desc.name = options.name;
  desc.file = options.file;
  desc.line = options.line;
  desc.priority = options.priority;
  desc.group = group;
  desc.timeout_ns = options.timeout_ns;
  if constexpr (state::kept_by_runtime) {
    state local{std::forward<F>(body), group, options.name ? options.name : "task"};
    desc.data = &local;
    desc.data_size = sizeof(state);
    desc.data_align = alignof(state);
    desc.move_data = &state::move_into;
    desc.flags |= LUMINAR_TASK_MOVABLE_DATA;  // move_into then destroy is a move (hooks.h)
    hooks.spawn_task(&desc);  // moves `local` into the task; the group (or nobody) waits for it
  } else {
    auto data = std::make_unique<state>(state{std::forward<F>(body), group, options.name ? options.name : "task"});
    desc.data = data.get();
    hooks.spawn_task(&desc);
    data.release();  // owned by the task now (run or destroy deletes it)
  }
}

// The innermost runtime block whose statements the calling thread is running, when that
// thread is not a runtime task (inside tasks the runtime's current_group says it; a task
// may move between threads, so a thread_local could not). Dynamically nested spawns made
// by the block's own statements join it (SPEC 1.5).
inline LuminarGroup *&thread_block() noexcept {
  static thread_local LuminarGroup *block = nullptr;
  return block;
}

}  // namespace detail

// The tasks of one runtime-assisted block. wait() joins them and throws what the block
// throws (SPEC 1.4): timeout_error if the block timed out, else the first error (stop) or
// an error_list (collect). The destructor of a group that was not waited for (the block
// was left by an exception) cancels and joins its tasks without throwing.
//
// The runtime group lives from group_open to group_close, which also destroys it unless
// it timed out or holds errors; then the destructor destroys it, after wait() read them.
//
// `serial` is the block's if(false): every spawn runs at once on the calling thread, in
// program order, with the same error handling. `name` must outlive the group (a string
// literal, as the generator writes): it is read again only when the block times out.
class task_group {
 public:
  explicit task_group(error_strategy strategy = error_strategy::stop, uint32_t max_concurrency = 0,
                      int64_t timeout_ns = -1, const char *name = nullptr, bool serial = false)
      : hooks_(luminar::detail::runtime_hooks()),
        strategy_(strategy),
        name_(name != nullptr ? name : "block"),
        serial_(serial) {
    LuminarGroupOptions options{};
    options.struct_size = sizeof options;
    options.max_concurrency = max_concurrency;
    options.timeout_ns = timeout_ns;
    options.name = name;
    options.flags = strategy == error_strategy::stop ? LUMINAR_GROUP_CANCEL_ON_ERROR : 0u;
    LuminarTask *creator = nullptr;
    group_ = hooks_.group_open(&options, &creator);
    if (creator == nullptr) {
      enclosing_thread_block_ = detail::thread_block();
      detail::thread_block() = group_;
      owns_thread_block_ = true;
    }
  }
  task_group(const task_group &) = delete;
  task_group &operator=(const task_group &) = delete;
  ~task_group() {
    if (!waited_) {
      hooks_.group_cancel(group_);
      close();
    }
    if (group_ != nullptr) hooks_.group_destroy(group_);
  }

  template <class F>
  void spawn(F &&body, const spawn_options &options = {}) {
    if (!serial_) {
      detail::spawn_into(hooks_, group_, std::forward<F>(body), options);
      return;
    }
    if (strategy_ == error_strategy::stop && hooks_.error_count(group_) != 0) return;  // stopped: skip the rest
    detail::run_body(body, group_, options.name != nullptr ? options.name : "task");
  }

  // After wait() the tasks have finished and the runtime group may be gone: nothing to do.
  void cancel() {
    if (group_ != nullptr) hooks_.group_cancel(group_);
  }

  // Once; a second call returns at once (or throws the same errors again).
  void wait() {
    if (group_ == nullptr) return;
    const int32_t result = close();
    if (result == LUMINAR_GROUP_TIMED_OUT) throw timeout_error(std::string("luminar: block '") + name_ + "' timed out");
    if (result != LUMINAR_GROUP_FAILED || strategy_ == error_strategy::ignore) return;
    if (strategy_ == error_strategy::stop)
      std::rethrow_exception(*static_cast<std::exception_ptr *>(hooks_.error_at(group_, 0)->payload));
    error_list list;
    const std::size_t errors = hooks_.error_count(group_);
    for (std::size_t i = 0; i < errors; ++i) {
      const LuminarErrorContext *error = hooks_.error_at(group_, i);
      list.add(*static_cast<std::exception_ptr *>(error->payload), error->task);
    }
    throw list;
  }

  // The runtime group, until wait() has closed it (then null, unless it kept errors).
  LuminarGroup *native_handle() const noexcept { return group_; }

 private:
  // Joins the tasks; group_ is null afterwards if the runtime destroyed the group. Once the
  // tasks have joined, dynamically nested spawns of this thread go to the enclosing block
  // again.
  int32_t close() noexcept {
    const int32_t result = hooks_.group_close(group_);
    if (result == LUMINAR_GROUP_COMPLETED || result == LUMINAR_GROUP_CANCELLED) group_ = nullptr;
    waited_ = true;
    if (owns_thread_block_) {
      detail::thread_block() = enclosing_thread_block_;
      owns_thread_block_ = false;
    }
    return result;
  }

  const ConcurrencyHooks &hooks_;
  error_strategy strategy_;
  const char *name_;  // outlives the group, like spawn_options::name
  bool serial_;
  LuminarGroup *group_;
  LuminarGroup *enclosing_thread_block_ = nullptr;
  bool owns_thread_block_ = false;
  bool waited_ = false;
};

// A spawn outside any block (SPEC 1.5): inside a task it joins that task's block; on a
// thread running a block's statements it joins that block; otherwise it is detached and
// its errors go to the program-wide list.
template <class F>
void spawn_detached(F &&body, const spawn_options &options = {}) {
  const ConcurrencyHooks &hooks = luminar::detail::runtime_hooks();
  LuminarGroup *group = hooks.current_task() != nullptr ? hooks.current_group() : detail::thread_block();
  detail::spawn_into(hooks, group, std::forward<F>(body), options);
}

}  // namespace runtime
}  // namespace luminar

#endif  // LUMINAR_DETAIL_TASK_GROUP_HPP
