// What a task runs and on what, taken from a spawn_task descriptor as hooks.h defines it:
// the function, its data (the caller's pointer, or since ABI version 2 an object the
// runtime keeps, moved into storage next to the task record or onto the heap), and the
// task's label (the caller's string when it is static, else a copy). Every plugin's task
// record holds one TaskPayload and one TaskLabel.
#ifndef LUMINAR_PLUGIN_COMMON_TASK_PAYLOAD_HPP
#define LUMINAR_PLUGIN_COMMON_TASK_PAYLOAD_HPP

#include <luminar/hooks.h>

#include <cstddef>
#include <cstdint>

namespace luminar_plugin {

// Whether a descriptor of the caller's struct_size carries `field` (valid since a later
// ABI version than the caller may have been built for).
#define LUMINAR_DESCRIPTOR_HAS(desc, type, field) \
  ((desc)->struct_size >= offsetof(type, field) + sizeof((desc)->field))

class TaskPayload {
 public:
  // The alignment of the inline storage a task record offers.
  static constexpr std::size_t kInlineAlign = 16;

  TaskPayload() = default;
  TaskPayload(const TaskPayload &) = delete;
  TaskPayload &operator=(const TaskPayload &) = delete;
  ~TaskPayload();  // frees heap storage; the object in it was destroyed by run or drop

  // Takes fn and data from `desc`. Kept data goes to `inline_storage` (kInlineAlign-aligned,
  // `inline_size` bytes; null/0 if the record has none) when it fits, else to the heap.
  void take(const LuminarTaskDescriptor *desc, void *inline_storage, std::size_t inline_size);
  int32_t run() { return fn_(data_); }  // exactly once, unless drop() instead
  void drop();                           // the task never ran: its data is destroyed

  // Whether move_to may be used: the data is the caller's pointer, on the heap, or kept
  // inline by a caller that allows moving it (LUMINAR_TASK_MOVABLE_DATA).
  bool movable() const { return !inline_ || move_ != nullptr; }
  // Hands the function and data over to `to` (empty) before either ran: inline data is
  // moved into `inline_storage` (like take's) and destroyed here. Leaves this one empty.
  void move_to(TaskPayload &to, void *inline_storage);

 private:
  int32_t (*fn_)(void *) = nullptr;
  void (*drop_)(void *) = nullptr;
  void (*move_)(void *, void *) = nullptr;  // set for inline data that may be moved
  void *data_ = nullptr;
  uint32_t heap_align_ = 0;  // non-zero: data_ is heap storage of that alignment
  bool inline_ = false;      // data_ is the record's inline storage
};

// A task's name: the caller's pointer under LUMINAR_TASK_STATIC_NAME, else an owned copy.
class TaskLabel {
 public:
  TaskLabel() = default;
  TaskLabel(const TaskLabel &) = delete;
  TaskLabel &operator=(const TaskLabel &) = delete;
  ~TaskLabel();

  void take(const LuminarTaskDescriptor *desc);
  void move_to(TaskLabel &to);  // `to` is empty; leaves this one empty
  const char *c_str() const { return name_ != nullptr ? name_ : ""; }
  bool empty() const { return name_ == nullptr || *name_ == '\0'; }

 private:
  const char *name_ = nullptr;
  bool owned_ = false;
};

}  // namespace luminar_plugin

#endif
