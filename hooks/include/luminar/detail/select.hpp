// luminar::select (SPEC 2.2) on top of the select hook.
#ifndef LUMINAR_DETAIL_SELECT_HPP
#define LUMINAR_DETAIL_SELECT_HPP

#include <luminar/detail/channel.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace luminar {
namespace detail {

enum class case_kind { recv, send, timeout, fallback };

template <class T, class F>
struct recv_case {
  static constexpr case_kind kind = case_kind::recv;
  // A handler taking std::optional<T> also fires, with nullopt, when the channel is closed.
  static constexpr bool fires_on_close = std::is_invocable<F &, std::optional<T>>::value;
  using slot = channel_slot<T>;

  const channel<T> *ch;
  F handler;
  typename slot::type buffer{};

  LuminarSelectCase native() { return LuminarSelectCase{ch->native_handle(), LUMINAR_SELECT_RECV, &buffer}; }
  void fire(int32_t status) {
    if constexpr (fires_on_close) {
      handler(status == LUMINAR_CHAN_OK ? std::optional<T>(slot::take(buffer)) : std::optional<T>());
    } else {
      handler(slot::take(buffer));
    }
  }
};

template <class T, class F>
struct send_case {
  static constexpr case_kind kind = case_kind::send;
  static constexpr bool fires_on_close = false;  // a send to a closed channel never fires
  using slot = channel_slot<T>;

  send_case(const channel<T> *c, T value, F f) : ch(c), handler(std::move(f)), buffer(slot::make(std::move(value))) {}
  send_case(send_case &&other) noexcept
      : ch(other.ch), handler(std::move(other.handler)), buffer(other.buffer), owned(std::exchange(other.owned, false)) {}
  send_case(const send_case &) = delete;
  ~send_case() {
    if (owned) slot::discard(buffer);  // not chosen: the item is dropped
  }

  const channel<T> *ch;
  F handler;
  typename slot::type buffer;
  bool owned = true;  // false once the channel took the item

  LuminarSelectCase native() { return LuminarSelectCase{ch->native_handle(), LUMINAR_SELECT_SEND, &buffer}; }
  void fire(int32_t) {
    owned = false;
    handler();
  }
};

template <class F>
struct timeout_case {
  static constexpr case_kind kind = case_kind::timeout;
  std::chrono::nanoseconds after;
  F handler;
};

template <class F>
struct default_case {
  static constexpr case_kind kind = case_kind::fallback;
  F handler;
};

using select_clock = std::chrono::steady_clock;

// The select loop over the channel cases `natives` (positions[i] = the case's position in
// the call). A case whose channel turns out closed but which does not fire on close is
// dropped and the select repeats (closed never reopens), keeping the original deadline.
// Returns the hook's status and the position of the chosen case.
template <std::size_t N>
std::pair<int32_t, std::size_t> run_select(LuminarSelectCase (&natives)[N], std::size_t (&positions)[N],
                                           bool (&fires_on_close)[N], std::size_t count, bool has_timeout,
                                           select_clock::time_point deadline, bool has_default) {
  const ConcurrencyHooks &hooks = runtime_hooks();
  for (;;) {
    int64_t timeout_ns = -1;
    if (has_timeout) timeout_ns = to_timeout_ns(deadline - select_clock::now());
    std::size_t chosen = 0;
    const int32_t status = check_cancelled(hooks.select(natives, count, timeout_ns, has_default ? 1 : 0, &chosen));
    if (status != LUMINAR_CHAN_CLOSED || fires_on_close[chosen]) return {status, positions[chosen]};
    for (std::size_t i = chosen; i + 1 < count; ++i) {  // drop the case, keep the order
      natives[i] = natives[i + 1];
      positions[i] = positions[i + 1];
      fires_on_close[i] = fires_on_close[i + 1];
    }
    --count;
  }
}

template <class Case>
constexpr bool is_channel_case() {
  return Case::kind == case_kind::recv || Case::kind == case_kind::send;
}

}  // namespace detail

template <class T, class F>
detail::recv_case<T, std::decay_t<F>> on_recv(const channel<T> &ch, F &&handler) {
  return {&ch, std::forward<F>(handler)};
}

template <class T, class U, class F>
detail::send_case<T, std::decay_t<F>> on_send(const channel<T> &ch, U &&value, F &&handler) {
  return {&ch, T(std::forward<U>(value)), std::forward<F>(handler)};
}

template <class Rep, class Period, class F>
detail::timeout_case<std::decay_t<F>> on_timeout(std::chrono::duration<Rep, Period> after, F &&handler) {
  return {std::chrono::duration_cast<std::chrono::nanoseconds>(after), std::forward<F>(handler)};
}

template <class F>
detail::default_case<std::decay_t<F>> on_default(F &&handler) {
  return {std::forward<F>(handler)};
}

// Blocks until one case can proceed, runs only its handler and returns its position.
// Several ready cases: one is chosen uniformly at random. With on_default it never blocks;
// with on_timeout it blocks at most that long (the shortest, if several).
template <class... Cases>
int select(Cases &&...cases) {
  constexpr std::size_t n = sizeof...(Cases);
  constexpr std::size_t slots = n == 0 ? 1 : n;
  std::tuple<Cases &...> all(cases...);
  LuminarSelectCase natives[slots] = {};
  std::size_t positions[slots] = {};
  bool fires_on_close[slots] = {};
  std::size_t count = 0;
  bool has_timeout = false;
  bool has_default = false;
  std::size_t timeout_position = 0, default_position = 0;
  std::chrono::nanoseconds timeout = std::chrono::nanoseconds::max();

  std::size_t position = 0;
  auto collect = [&](auto &c) {
    using Case = std::decay_t<decltype(c)>;
    if constexpr (detail::is_channel_case<Case>()) {
      natives[count] = c.native();
      positions[count] = position;
      fires_on_close[count] = Case::fires_on_close;
      ++count;
    } else if constexpr (Case::kind == detail::case_kind::timeout) {
      if (!has_timeout || c.after < timeout) timeout_position = position;
      timeout = has_timeout ? std::min(timeout, c.after) : c.after;
      has_timeout = true;
    } else {
      has_default = true;
      default_position = position;
    }
    ++position;
  };
  std::apply([&](auto &...c) { (collect(c), ...); }, all);

  const auto deadline = has_timeout ? detail::select_clock::now() + timeout : detail::select_clock::time_point();
  const std::pair<int32_t, std::size_t> outcome =
      detail::run_select(natives, positions, fires_on_close, count, has_timeout, deadline, has_default);
  const int32_t status = outcome.first;
  const std::size_t chosen = outcome.second;

  const std::size_t fired = status == LUMINAR_CHAN_TIMEOUT ? timeout_position
                            : status == LUMINAR_CHAN_EMPTY  ? default_position
                                                            : chosen;
  std::size_t index = 0;
  auto dispatch = [&](auto &c) {
    using Case = std::decay_t<decltype(c)>;
    if (index++ != fired) return;
    if constexpr (detail::is_channel_case<Case>()) {
      c.fire(status);
    } else {
      c.handler();
    }
  };
  std::apply([&](auto &...c) { (dispatch(c), ...); }, all);
  return static_cast<int>(fired);
}

}  // namespace luminar

#endif  // LUMINAR_DETAIL_SELECT_HPP
