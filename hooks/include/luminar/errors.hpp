// Luminar error types (SPEC section 2.3), header-only.
//
// These are what a Luminar block throws after all its threads and tasks have finished:
//   * error_list      — on_error(collect): every exception with the task or iteration label;
//   * timeout_error   — a block or spawn with timeout(...) ran out of time;
//   * task_cancelled  — a cancelled task's blocking Luminar operation (never reported as an
//                       error of the block);
//   * runtime_error   — plugin loading or ABI problems of the runtime.
// All derive from std::exception and are cheap to copy (copying never throws except for
// error_list, whose entries are a std::vector).
#ifndef LUMINAR_ERRORS_HPP
#define LUMINAR_ERRORS_HPP

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace luminar {

namespace detail {

// Base of the single-message errors. The message lives in a std::runtime_error member,
// whose copy constructor is noexcept (reference-counted string), so copying the exception
// while it is being thrown or rethrown cannot fail.
class message_error : public std::exception {
 public:
  explicit message_error(const std::string &message) : message_(message) {}
  const char *what() const noexcept override { return message_.what(); }

 private:
  std::runtime_error message_;
};

// what() of an exception held in an exception_ptr; "unknown exception" when it is not a
// std::exception.
inline std::string describe_exception(const std::exception_ptr &error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace detail

// One failure of a block: the exception and the task name or iteration label
// ("iteration 4", "worker", ...).
struct error_entry {
  std::exception_ptr error;
  std::string task;
};

// Thrown by a block with on_error(collect) when at least one iteration or task failed.
// Holds every failure in the order it was recorded. what() summarises, e.g.
// "3 tasks failed: iteration 4: boom; iteration 9: bad index; worker: unknown exception".
class error_list : public std::exception {
 public:
  using value_type = error_entry;
  using const_iterator = std::vector<error_entry>::const_iterator;
  using iterator = const_iterator;

  error_list() = default;

  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  const error_entry &operator[](std::size_t i) const noexcept { return entries_[i]; }
  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }

  void add(std::exception_ptr error, std::string task) {
    if (entries_.size() < kDetailedEntries) {
      if (!details_.empty()) details_ += "; ";
      details_ += task;
      details_ += ": ";
      details_ += detail::describe_exception(error);
    }
    entries_.push_back(error_entry{std::move(error), std::move(task)});
    rebuild_summary();
  }

  const char *what() const noexcept override { return summary_.empty() ? "no tasks failed" : summary_.c_str(); }

 private:
  // what() names the first few failures only, so that a loop with a million failing
  // iterations does not build a million-entry message.
  static constexpr std::size_t kDetailedEntries = 8;

  void rebuild_summary() {
    const std::size_t n = entries_.size();
    summary_ = std::to_string(n) + (n == 1 ? " task failed: " : " tasks failed: ") + details_;
    if (n > kDetailedEntries) summary_ += "; ... and " + std::to_string(n - kDetailedEntries) + " more";
  }

  std::vector<error_entry> entries_;
  std::string details_;  // "label: what; label: what" of the first kDetailedEntries entries
  std::string summary_;  // what(); rebuilt by add()
};

// A block or spawn with timeout(...) exceeded its duration.
class timeout_error : public detail::message_error {
 public:
  explicit timeout_error(const std::string &message = "luminar: timeout") : message_error(message) {}
};

// A cancelled task's blocking Luminar operation was interrupted.
class task_cancelled : public detail::message_error {
 public:
  task_cancelled() : message_error("luminar: task cancelled") {}
};

// Plugin loading or ABI problems of the Luminar runtime.
class runtime_error : public detail::message_error {
 public:
  explicit runtime_error(const std::string &message) : message_error(message) {}
};

}  // namespace luminar

#endif  // LUMINAR_ERRORS_HPP
