// Recorded task errors of one group (or of the detached tasks), in recording order: what
// the error hooks of every plugin store (propagate_error, collect_error, error_count,
// error_at, clear_errors, set_error_handler).
#ifndef LUMINAR_PLUGIN_COMMON_ERROR_LIST_HPP
#define LUMINAR_PLUGIN_COMMON_ERROR_LIST_HPP

#include <luminar/hooks.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace luminar_plugin {

class ErrorList {
 public:
  ErrorList() = default;
  ErrorList(const ErrorList &) = delete;
  ErrorList &operator=(const ErrorList &) = delete;
  ~ErrorList() { clear(); }

  // Copies the strings, takes ownership of the payload, calls the handler if set.
  void record(const LuminarErrorContext *ctx);
  void set_handler(LuminarErrorHandler handler, void *user_data);
  // The same, for a list that no other thread can reach yet (a group being created): no lock.
  void set_handler_unshared(LuminarErrorHandler handler, void *user_data) {
    handler_ = handler;
    handler_data_ = user_data;
  }
  std::size_t count() const {
    // Acquire: pairs with the release store in record() and clear().
    return size_.load(std::memory_order_acquire);
  }
  const LuminarErrorContext *at(std::size_t index);
  void clear();  // releases every payload

 private:
  struct Stored {
    std::string error_type, message, task, file;
    LuminarErrorContext view;  // points into the strings above
  };

  std::mutex m_;
  // Under m_; each error is allocated on its own so that views stay valid, and a group
  // without errors allocates nothing.
  std::vector<std::unique_ptr<Stored>> errors_;
  // errors_.size(), written under m_, read without it by count() and clear()'s fast path.
  std::atomic<std::size_t> size_{0};
  LuminarErrorHandler handler_ = nullptr;  // under m_
  void *handler_data_ = nullptr;           // under m_
};

}  // namespace luminar_plugin

#endif
