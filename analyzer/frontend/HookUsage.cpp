#include "HookUsage.h"

#include <map>

namespace luminar::frontend {

namespace {

// The ConcurrencyHooks members, in table order.
const char *const kTableOrder[] = {
    "init", "shutdown", "spawn_task", "join_task", "release_task", "cancel_task", "current_task", "current_group",
    "cancelled", "yield", "sleep_for_ns", "group_create", "group_cancel", "group_wait", "group_destroy",
    "channel_create", "channel_retain", "channel_release", "channel_send", "channel_try_send", "channel_send_for",
    "channel_recv", "channel_try_recv", "channel_recv_for", "channel_close", "channel_size", "channel_capacity",
    "channel_closed", "select", "propagate_error", "collect_error", "set_error_handler", "error_count", "error_at",
    "clear_errors", "allocate_shared", "free_shared", "atomic_create", "atomic_load", "atomic_store", "atomic_add",
    "atomic_compare_exchange", "atomic_destroy", "io_read", "io_write", "io_copy_file", "get_metrics",
    "group_open", "group_close"};

}  // namespace

void HookUsage::addBlock(const model::Directive &directive) {
  // runtime::parallel_for: one task_group of shares that never throw (errors stay in the
  // loop's own error_state), so group_close always destroys the group.
  if (directive.kind == model::PragmaKind::ParallelFor) {
    hooks_.insert({"group_open", "spawn_task", "group_close"});
    return;
  }
  // task_group: open, spawn (without a handle), close. A group whose tasks failed stays
  // open for its errors and is destroyed after them. A stop group is opened with
  // LUMINAR_GROUP_CANCEL_ON_ERROR (the runtime cancels it at the first error) and rethrows
  // the first error; a collect group reads them all.
  hooks_.insert({"group_open", "spawn_task", "collect_error", "group_close", "group_destroy"});
  if (directive.onError == model::ErrorStrategy::Stop) hooks_.insert("error_at");
  if (directive.onError == model::ErrorStrategy::Collect) hooks_.insert({"error_count", "error_at"});
}

void HookUsage::addCall(const std::string &qualifiedName, const std::string &method) {
  static const std::map<std::string, std::vector<const char *>> kChannelMembers = {
      {"send", {"channel_send"}},           {"try_send", {"channel_try_send"}}, {"send_for", {"channel_send_for"}},
      {"recv", {"channel_recv"}},           {"try_recv", {"channel_try_recv"}}, {"recv_for", {"channel_recv_for"}},
      {"close", {"channel_close"}},         {"size", {"channel_size"}},         {"capacity", {"channel_capacity"}},
      {"closed", {"channel_closed"}},       {"begin", {"channel_recv"}}};
  static const std::map<std::string, std::vector<const char *>> kFunctions = {
      {"luminar::select", {"select"}},
      {"luminar::io::read", {"io_read"}},
      {"luminar::io::write", {"io_write"}},
      {"luminar::io::copy_file", {"io_copy_file"}},
      {"luminar::this_task::cancelled", {"cancelled"}},
      {"luminar::this_task::yield", {"yield"}},
      {"luminar::this_task::sleep_for", {"sleep_for_ns"}},
      {"luminar::metrics", {"get_metrics"}},
      {"luminar::alloc_shared", {"allocate_shared"}},
      {"luminar::free_shared", {"free_shared"}}};
  const auto &table = method.empty() ? kFunctions : kChannelMembers;
  auto it = table.find(method.empty() ? qualifiedName : method);
  if (it == table.end()) return;
  for (const char *hook : it->second) hooks_.insert(hook);
}

void HookUsage::addChannelConstruction(bool copy) {
  hooks_.insert({copy ? "channel_retain" : "channel_create", "channel_release"});
}

void HookUsage::addDynamicSpawn() { hooks_.insert({"current_task", "current_group", "spawn_task"}); }

std::vector<std::string> HookUsage::inTableOrder() const {
  std::vector<std::string> ordered;
  for (const char *hook : kTableOrder)
    if (hooks_.count(hook)) ordered.push_back(hook);
  return ordered;
}

}  // namespace luminar::frontend
