// Recorded task errors of one group (or of the detached tasks), in recording order.
#ifndef LUMINAR_STEAL_ERRORS_HPP
#define LUMINAR_STEAL_ERRORS_HPP

#include <luminar/hooks.h>

#include <deque>
#include <mutex>
#include <string>

namespace luminar_steal {

class ErrorList {
 public:
  ErrorList() = default;
  ErrorList(const ErrorList &) = delete;
  ErrorList &operator=(const ErrorList &) = delete;
  ~ErrorList() { clear(); }

  // Copies the strings, takes ownership of the payload, calls the handler if set.
  void record(const LuminarErrorContext *ctx);
  void set_handler(LuminarErrorHandler handler, void *user_data);
  std::size_t count();
  const LuminarErrorContext *at(std::size_t index);
  void clear();  // releases every payload

 private:
  struct Stored {
    std::string error_type, message, task, file;
    LuminarErrorContext view;  // points into the strings above
  };

  std::mutex m_;
  std::deque<Stored> errors_;  // under m_; a deque never moves its elements, so views stay valid
  LuminarErrorHandler handler_ = nullptr;  // under m_
  void *handler_data_ = nullptr;           // under m_
};

}  // namespace luminar_steal

#endif
