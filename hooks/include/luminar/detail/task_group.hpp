// Runtime tasks from C++: what the runtime-assisted generator emits for a block and its
// spawns, and what tests use to drive a plugin. Task bodies run inside a trampoline that
// catches every exception, so none unwinds through the C ABI; errors travel to the block
// as std::exception_ptr payloads of the error hooks.
#ifndef LUMINAR_DETAIL_TASK_GROUP_HPP
#define LUMINAR_DETAIL_TASK_GROUP_HPP

#include <luminar/detail/runtime.hpp>
#include <luminar/errors.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace luminar {
namespace runtime {

enum class error_strategy { stop, collect, ignore };  // on_error(...) (SPEC 1.4)

struct spawn_options {
  const char *name = nullptr;  // label in errors and metrics
  LuminarPriority priority = LUMINAR_PRIORITY_NORMAL;
  bool blocking = false;
  int64_t timeout_ns = -1;  // spawn timeout(...)
  const char *file = nullptr;
  uint32_t line = 0;
};

namespace detail {

inline void release_exception(void *payload) { delete static_cast<std::exception_ptr *>(payload); }

// Hands `error` to the group (or the detached list) according to the strategy.
inline void report(LuminarGroup *group, error_strategy strategy, const std::string &task, std::exception_ptr error) {
  if (strategy == error_strategy::ignore) return;  // counted by the runtime as a failed task
  const std::string message = luminar::detail::describe_exception(error);
  LuminarErrorContext ctx{};
  ctx.struct_size = sizeof ctx;
  ctx.message = message.c_str();
  ctx.task = task.c_str();
  ctx.payload = new std::exception_ptr(std::move(error));
  ctx.release_payload = release_exception;
  const ConcurrencyHooks &hooks = luminar::detail::runtime_hooks();
  if (strategy == error_strategy::stop) {
    hooks.propagate_error(group, &ctx);
  } else {
    hooks.collect_error(group, &ctx);
  }
}

template <class F>
struct task_state {
  F body;
  LuminarGroup *group;
  error_strategy strategy;
  std::string name;

  // The C entry point of every task: never throws.
  static int32_t run(void *data) noexcept {
    std::unique_ptr<task_state> self(static_cast<task_state *>(data));
    try {
      try {
        self->body();
        return LUMINAR_TASK_OK;
      } catch (const task_cancelled &) {
        // Cancellation is not an error, except when the task's own timeout caused it.
        if (luminar::detail::runtime_hooks().cancelled() != LUMINAR_CANCEL_TIMEOUT) return LUMINAR_TASK_CANCELLED;
        throw timeout_error("luminar: task '" + self->name + "' timed out");
      }
    } catch (...) {
      try {
        report(self->group, self->strategy, self->name, std::current_exception());
      } catch (...) {  // out of memory while reporting: the failure is still counted
      }
      return LUMINAR_TASK_FAILED;
    }
  }
};

template <class F>
void spawn_into(LuminarGroup *group, error_strategy strategy, F &&body, const spawn_options &options) {
  using state = task_state<std::decay_t<F>>;
  auto data = std::make_unique<state>(state{std::forward<F>(body), group, strategy, options.name ? options.name : "task"});
  LuminarTaskDescriptor desc{};
  desc.struct_size = sizeof desc;
  desc.flags = options.blocking ? LUMINAR_TASK_BLOCKING : 0u;
  desc.fn = &state::run;
  desc.data = data.get();
  desc.name = options.name;
  desc.file = options.file;
  desc.line = options.line;
  desc.priority = options.priority;
  desc.group = group;
  desc.timeout_ns = options.timeout_ns;
  const ConcurrencyHooks &hooks = luminar::detail::runtime_hooks();
  LuminarTask *task = hooks.spawn_task(&desc);
  data.release();  // owned by the task now (task_state::run deletes it)
  hooks.release_task(task);  // the group (or nobody, when detached) waits for it
}

}  // namespace detail

// The tasks of one runtime-assisted block. wait() joins them and throws what the block
// throws (SPEC 1.4): timeout_error if the block timed out, else the first error (stop) or
// an error_list (collect). The destructor of a group that was not waited for cancels and
// joins its tasks without throwing.
class task_group {
 public:
  explicit task_group(error_strategy strategy = error_strategy::stop, uint32_t max_concurrency = 0,
                      int64_t timeout_ns = -1, const char *name = nullptr)
      : strategy_(strategy), name_(name != nullptr ? name : "block") {
    LuminarGroupOptions options{};
    options.struct_size = sizeof options;
    options.max_concurrency = max_concurrency;
    options.timeout_ns = timeout_ns;
    options.name = name;
    group_ = luminar::detail::runtime_hooks().group_create(&options);
  }
  task_group(const task_group &) = delete;
  task_group &operator=(const task_group &) = delete;
  ~task_group() {
    const ConcurrencyHooks &hooks = *luminar::detail::loaded_runtime_hooks();
    if (!waited_) {
      hooks.group_cancel(group_);
      hooks.group_wait(group_);
    }
    hooks.group_destroy(group_);
  }

  template <class F>
  void spawn(F &&body, const spawn_options &options = {}) {
    detail::spawn_into(group_, strategy_, std::forward<F>(body), options);
  }

  void cancel() { luminar::detail::runtime_hooks().group_cancel(group_); }

  void wait() {
    const ConcurrencyHooks &hooks = luminar::detail::runtime_hooks();
    const int32_t result = hooks.group_wait(group_);
    waited_ = true;
    if (result == LUMINAR_GROUP_TIMED_OUT) throw timeout_error("luminar: block '" + name_ + "' timed out");
    const std::size_t errors = hooks.error_count(group_);
    if (errors == 0) return;
    if (strategy_ == error_strategy::stop)
      std::rethrow_exception(*static_cast<std::exception_ptr *>(hooks.error_at(group_, 0)->payload));
    if (strategy_ == error_strategy::collect) {
      error_list list;
      for (std::size_t i = 0; i < errors; ++i) {
        const LuminarErrorContext *error = hooks.error_at(group_, i);
        list.add(*static_cast<std::exception_ptr *>(error->payload), error->task);
      }
      throw list;
    }
  }

  LuminarGroup *native_handle() const noexcept { return group_; }

 private:
  error_strategy strategy_;
  std::string name_;
  LuminarGroup *group_;
  bool waited_ = false;
};

// A spawn outside any block (SPEC 1.5): joins the current task's group if there is one,
// else runs detached; its errors go to the group or the program-wide list.
template <class F>
void spawn_detached(F &&body, const spawn_options &options = {}) {
  detail::spawn_into(luminar::detail::runtime_hooks().current_group(), error_strategy::stop, std::forward<F>(body),
                     options);
}

}  // namespace runtime
}  // namespace luminar

#endif  // LUMINAR_DETAIL_TASK_GROUP_HPP
