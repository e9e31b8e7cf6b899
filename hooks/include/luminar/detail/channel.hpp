// luminar::channel<T> (SPEC 2.1) on top of the channel hooks.
#ifndef LUMINAR_DETAIL_CHANNEL_HPP
#define LUMINAR_DETAIL_CHANNEL_HPP

#include <luminar/detail/runtime.hpp>

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace luminar {

enum class chan_status { ok, full, empty, closed, timeout };

// Outcome of try_recv / recv_for: the item, or why there is none.
template <class T>
class recv_result {
 public:
  explicit recv_result(chan_status status) : status_(status) {}
  explicit recv_result(T value) : status_(chan_status::ok), value_(std::move(value)) {}

  chan_status status() const noexcept { return status_; }
  bool has_value() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  T &value() & { return value_.value(); }
  T &&value() && { return std::move(value_).value(); }

 private:
  chan_status status_;
  std::optional<T> value_;
};

namespace detail {

// How a T travels through the C ABI, which moves elements with memcpy. Trivially copyable
// (and default-constructible) types travel by value; every other type is moved into a heap
// box and the pointer travels, so any move-constructible T works, and the plugin destroys
// boxes still buffered when the channel dies through `destroy`.
template <class T>
struct channel_slot {
  static constexpr bool boxed = !(std::is_trivially_copyable<T>::value && std::is_default_constructible<T>::value);
  using type = std::conditional_t<boxed, T *, T>;

  static type make(T &&value) {
    if constexpr (boxed) {
      return new T(std::move(value));
    } else {
      return value;
    }
  }
  // Takes the item out of a slot the channel handed over.
  static T take(type &slot) {
    if constexpr (boxed) {
      std::unique_ptr<T> box(slot);
      return T(std::move(*box));
    } else {
      return slot;
    }
  }
  // Drops an item the channel did not take.
  static void discard(type &slot) noexcept {
    if constexpr (boxed) delete slot;
  }
  static void destroy(void *elem) noexcept { delete *static_cast<T **>(elem); }
  static constexpr void (*destructor)(void *) = boxed ? &destroy : nullptr;
};

inline chan_status to_chan_status(int32_t status) {
  switch (check_cancelled(status)) {
    case LUMINAR_CHAN_OK: return chan_status::ok;
    case LUMINAR_CHAN_FULL: return chan_status::full;
    case LUMINAR_CHAN_EMPTY: return chan_status::empty;
    case LUMINAR_CHAN_CLOSED: return chan_status::closed;
    default: return chan_status::timeout;
  }
}

template <class Rep, class Period>
int64_t to_timeout_ns(std::chrono::duration<Rep, Period> d) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return ns < 0 ? 0 : static_cast<int64_t>(ns);
}

}  // namespace detail

// A copyable handle to a shared channel; the channel lives while any handle does.
// Blocking operations of a cancelled task throw luminar::task_cancelled.
template <class T>
class channel {
  static_assert(std::is_move_constructible<T>::value, "luminar::channel<T> needs a move-constructible T");
  using slot = detail::channel_slot<T>;

 public:
  using value_type = T;

  explicit channel(std::size_t capacity = 0)
      : ch_(detail::runtime_hooks().channel_create(sizeof(typename slot::type), capacity, slot::destructor)) {}
  channel(const channel &other) noexcept : ch_(other.ch_) {
    if (ch_ != nullptr) hooks().channel_retain(ch_);
  }
  channel(channel &&other) noexcept : ch_(std::exchange(other.ch_, nullptr)) {}
  channel &operator=(channel other) noexcept {
    std::swap(ch_, other.ch_);
    return *this;
  }
  ~channel() {
    if (ch_ != nullptr) hooks().channel_release(ch_);
  }

  // Blocks while full; ok, or closed (the item is dropped).
  chan_status send(T value) const { return transfer(std::move(value), [this](const void *s) { return hooks().channel_send(ch_, s); }); }
  // Never blocks: ok, full (unbuffered: no receiver waiting), closed.
  chan_status try_send(T value) const {
    return transfer(std::move(value), [this](const void *s) { return hooks().channel_try_send(ch_, s); });
  }
  template <class Rep, class Period>
  chan_status send_for(T value, std::chrono::duration<Rep, Period> timeout) const {
    const int64_t ns = detail::to_timeout_ns(timeout);
    return transfer(std::move(value), [this, ns](const void *s) { return hooks().channel_send_for(ch_, s, ns); });
  }

  // Blocks while empty and open; nullopt once closed and drained.
  std::optional<T> recv() const {
    typename slot::type s;
    if (detail::to_chan_status(hooks().channel_recv(ch_, &s)) != chan_status::ok) return std::nullopt;
    return std::optional<T>(slot::take(s));
  }
  recv_result<T> try_recv() const { return receive([this](void *s) { return hooks().channel_try_recv(ch_, s); }); }
  template <class Rep, class Period>
  recv_result<T> recv_for(std::chrono::duration<Rep, Period> timeout) const {
    const int64_t ns = detail::to_timeout_ns(timeout);
    return receive([this, ns](void *s) { return hooks().channel_recv_for(ch_, s, ns); });
  }

  // Wakes every blocked sender and receiver; true the first time.
  bool close() const { return hooks().channel_close(ch_) != 0; }
  std::size_t size() const { return hooks().channel_size(ch_); }
  std::size_t capacity() const { return hooks().channel_capacity(ch_); }
  bool closed() const { return hooks().channel_closed(ch_) != 0; }

  // `for (auto v : ch)` receives until the channel is closed and drained.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T *;
    using reference = T &&;

    iterator() = default;
    explicit iterator(const channel *ch) : ch_(ch) { ++*this; }
    T &&operator*() { return std::move(*current_); }  // moved out: works for move-only T
    iterator &operator++() {
      current_ = ch_->recv();
      return *this;
    }
    bool operator==(const iterator &other) const { return !current_ && !other.current_; }
    bool operator!=(const iterator &other) const { return !(*this == other); }

   private:
    const channel *ch_ = nullptr;
    std::optional<T> current_;
  };
  iterator begin() const { return iterator(this); }
  iterator end() const { return iterator(); }

  LuminarChannel *native_handle() const noexcept { return ch_; }

 private:
  // Every handle was made through runtime_hooks(), so the runtime is loaded.
  static const ConcurrencyHooks &hooks() noexcept { return *detail::loaded_runtime_hooks(); }

  template <class Op>
  static chan_status transfer(T &&value, Op op) {
    typename slot::type s = slot::make(std::move(value));
    const int32_t status = op(&s);
    if (status != LUMINAR_CHAN_OK) slot::discard(s);  // not taken: the item is dropped
    return detail::to_chan_status(status);
  }

  template <class Op>
  static recv_result<T> receive(Op op) {
    typename slot::type s;
    const chan_status status = detail::to_chan_status(op(&s));
    if (status != chan_status::ok) return recv_result<T>(status);
    return recv_result<T>(slot::take(s));
  }

  LuminarChannel *ch_;
};

}  // namespace luminar

#endif  // LUMINAR_DETAIL_CHANNEL_HPP
