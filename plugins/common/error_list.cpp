#include "error_list.hpp"

namespace luminar_plugin {
namespace {
std::string copy(const char *text) { return text != nullptr ? text : ""; }
}  // namespace

void ErrorList::record(const LuminarErrorContext *ctx) {
  LuminarErrorHandler handler;
  void *handler_data;
  const LuminarErrorContext *view;
  {
    std::lock_guard<std::mutex> lock(m_);
    errors_.push_back(std::unique_ptr<Stored>(
        new Stored{copy(ctx->error_type), copy(ctx->message), copy(ctx->task), copy(ctx->file), *ctx}));
    // Release: pairs with the acquire in count(); the error counted is recorded.
    size_.store(errors_.size(), std::memory_order_release);
    Stored &stored = *errors_.back();
    stored.view.struct_size = sizeof(LuminarErrorContext);
    stored.view.error_type = ctx->error_type != nullptr ? stored.error_type.c_str() : nullptr;
    stored.view.message = stored.message.c_str();
    stored.view.task = stored.task.c_str();
    stored.view.file = ctx->file != nullptr ? stored.file.c_str() : nullptr;
    handler = handler_;
    handler_data = handler_data_;
    view = &stored.view;
  }
  // Outside the lock, so that a handler may call error_count; the view stays valid until
  // clear() or destruction, which the group's owner does after all tasks finished.
  if (handler != nullptr) handler(view, handler_data);
}

void ErrorList::set_handler(LuminarErrorHandler handler, void *user_data) {
  std::lock_guard<std::mutex> lock(m_);
  handler_ = handler;
  handler_data_ = user_data;
}

const LuminarErrorContext *ErrorList::at(std::size_t index) {
  std::lock_guard<std::mutex> lock(m_);
  return index < errors_.size() ? &errors_[index]->view : nullptr;
}

void ErrorList::clear() {
  if (count() == 0) return;  // nothing to release (the common case, for every group)
  std::vector<std::unique_ptr<Stored>> released;
  {
    std::lock_guard<std::mutex> lock(m_);
    released.swap(errors_);
    // Release: pairs with the acquire in count().
    size_.store(0, std::memory_order_release);
  }
  for (const std::unique_ptr<Stored> &error : released)
    if (error->view.release_payload != nullptr) error->view.release_payload(error->view.payload);
}

}  // namespace luminar_plugin
