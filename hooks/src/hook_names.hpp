// The hooks of each ABI version, by name and offset, so that the loader can say which
// required hooks a plugin leaves NULL. Append new versions' hooks; never reorder.
#ifndef LUMINAR_SRC_HOOK_NAMES_HPP
#define LUMINAR_SRC_HOOK_NAMES_HPP

#include <luminar/hooks.h>

#include <cstddef>

namespace luminar {
namespace detail {

struct HookName {
  const char *name;
  std::size_t offset;
};

#define LUMINAR_HOOK(name) HookName{#name, offsetof(ConcurrencyHooks, name)}

// Every hook is required: the C++ API and the generator use all of them.
inline constexpr HookName kRequiredHooks[] = {
    LUMINAR_HOOK(init),           LUMINAR_HOOK(shutdown),
    LUMINAR_HOOK(spawn_task),     LUMINAR_HOOK(join_task),
    LUMINAR_HOOK(release_task),   LUMINAR_HOOK(cancel_task),
    LUMINAR_HOOK(current_task),   LUMINAR_HOOK(current_group),
    LUMINAR_HOOK(cancelled),      LUMINAR_HOOK(yield),
    LUMINAR_HOOK(sleep_for_ns),   LUMINAR_HOOK(group_create),
    LUMINAR_HOOK(group_cancel),   LUMINAR_HOOK(group_wait),
    LUMINAR_HOOK(group_destroy),  LUMINAR_HOOK(channel_create),
    LUMINAR_HOOK(channel_retain), LUMINAR_HOOK(channel_release),
    LUMINAR_HOOK(channel_send),   LUMINAR_HOOK(channel_try_send),
    LUMINAR_HOOK(channel_send_for), LUMINAR_HOOK(channel_recv),
    LUMINAR_HOOK(channel_try_recv), LUMINAR_HOOK(channel_recv_for),
    LUMINAR_HOOK(channel_close),  LUMINAR_HOOK(channel_size),
    LUMINAR_HOOK(channel_capacity), LUMINAR_HOOK(channel_closed),
    LUMINAR_HOOK(select),         LUMINAR_HOOK(propagate_error),
    LUMINAR_HOOK(collect_error),  LUMINAR_HOOK(set_error_handler),
    LUMINAR_HOOK(error_count),    LUMINAR_HOOK(error_at),
    LUMINAR_HOOK(clear_errors),   LUMINAR_HOOK(allocate_shared),
    LUMINAR_HOOK(free_shared),    LUMINAR_HOOK(atomic_create),
    LUMINAR_HOOK(atomic_load),    LUMINAR_HOOK(atomic_store),
    LUMINAR_HOOK(atomic_add),     LUMINAR_HOOK(atomic_compare_exchange),
    LUMINAR_HOOK(atomic_destroy), LUMINAR_HOOK(io_read),
    LUMINAR_HOOK(io_write),       LUMINAR_HOOK(io_copy_file),
    LUMINAR_HOOK(get_metrics),
    // Version 3.
    LUMINAR_HOOK(group_open),     LUMINAR_HOOK(group_close),
};

#undef LUMINAR_HOOK

}  // namespace detail
}  // namespace luminar

#endif  // LUMINAR_SRC_HOOK_NAMES_HPP
