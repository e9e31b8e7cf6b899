#include "task_payload.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace luminar_plugin {

TaskPayload::~TaskPayload() {
  if (heap_align_ != 0) ::operator delete(data_, std::align_val_t(heap_align_));
}

void TaskPayload::take(const LuminarTaskDescriptor *desc, void *inline_storage, std::size_t inline_size) {
  fn_ = desc->fn;
  data_ = desc->data;
  if (!LUMINAR_DESCRIPTOR_HAS(desc, LuminarTaskDescriptor, drop_data)) return;  // a version 1 caller
  drop_ = desc->drop_data;
  if (desc->data_size == 0) return;
  void *storage = inline_storage;
  if (desc->data_size > inline_size || desc->data_align > kInlineAlign) {
    heap_align_ = desc->data_align > kInlineAlign ? desc->data_align : kInlineAlign;
    storage = ::operator new(desc->data_size, std::align_val_t(heap_align_));
  } else {
    inline_ = true;
    if (desc->flags & LUMINAR_TASK_MOVABLE_DATA) move_ = desc->move_data;
  }
  desc->move_data(storage, desc->data);
  data_ = storage;
}

void TaskPayload::drop() {
  if (drop_ != nullptr) drop_(data_);
}

void TaskPayload::move_to(TaskPayload &to, void *inline_storage) {
  to.fn_ = fn_;
  to.drop_ = drop_;
  to.move_ = move_;
  to.inline_ = inline_;
  if (inline_) {
    move_(inline_storage, data_);
    if (drop_ != nullptr) drop_(data_);
    to.data_ = inline_storage;
  } else {
    to.data_ = data_;
    to.heap_align_ = heap_align_;
  }
  fn_ = nullptr;
  drop_ = nullptr;
  move_ = nullptr;
  data_ = nullptr;
  heap_align_ = 0;
  inline_ = false;
}

TaskLabel::~TaskLabel() {
  if (owned_) std::free(const_cast<char *>(name_));
}

void TaskLabel::move_to(TaskLabel &to) {
  to.name_ = name_;
  to.owned_ = owned_;
  name_ = nullptr;
  owned_ = false;
}

void TaskLabel::take(const LuminarTaskDescriptor *desc) {
  if (desc->name == nullptr) return;
  if (desc->flags & LUMINAR_TASK_STATIC_NAME) {
    name_ = desc->name;
    return;
  }
  name_ = strdup(desc->name);
  owned_ = name_ != nullptr;
}

}  // namespace luminar_plugin
