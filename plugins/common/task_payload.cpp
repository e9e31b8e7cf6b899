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
  }
  desc->move_data(storage, desc->data);
  data_ = storage;
}

void TaskPayload::drop() {
  if (drop_ != nullptr) drop_(data_);
}

TaskLabel::~TaskLabel() {
  if (owned_) std::free(const_cast<char *>(name_));
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
