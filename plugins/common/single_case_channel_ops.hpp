// The blocking, try and timed send/recv hooks, each as a select with one case: a plugin
// whose select is complete (fast paths, parking, close, cancellation, timeouts) gets these
// six hooks from it with no second implementation to keep in step.
//   try_*: has_default, so a case that cannot proceed at once returns EMPTY (FULL for a
//          send, as the ABI says); timed: a negative timeout is taken as zero.
#ifndef LUMINAR_PLUGIN_COMMON_SINGLE_CASE_CHANNEL_OPS_HPP
#define LUMINAR_PLUGIN_COMMON_SINGLE_CASE_CHANNEL_OPS_HPP

#include <luminar/hooks.h>

#include <cstddef>

namespace luminar_plugin {

using SelectHook = int32_t (*)(const LuminarSelectCase *cases, std::size_t count, int64_t timeout_ns,
                               int32_t has_default, std::size_t *chosen);

template <SelectHook Select>
struct SingleCaseChannelOps {
  static int32_t send(LuminarChannel *ch, const void *elem) {
    return one_case(ch, LUMINAR_SELECT_SEND, const_cast<void *>(elem), -1, 0);
  }
  static int32_t try_send(LuminarChannel *ch, const void *elem) {
    const int32_t status = one_case(ch, LUMINAR_SELECT_SEND, const_cast<void *>(elem), -1, 1);
    return status == LUMINAR_CHAN_EMPTY ? LUMINAR_CHAN_FULL : status;
  }
  static int32_t send_for(LuminarChannel *ch, const void *elem, int64_t timeout_ns) {
    return one_case(ch, LUMINAR_SELECT_SEND, const_cast<void *>(elem), timeout_ns < 0 ? 0 : timeout_ns, 0);
  }
  static int32_t recv(LuminarChannel *ch, void *out) { return one_case(ch, LUMINAR_SELECT_RECV, out, -1, 0); }
  static int32_t try_recv(LuminarChannel *ch, void *out) { return one_case(ch, LUMINAR_SELECT_RECV, out, -1, 1); }
  static int32_t recv_for(LuminarChannel *ch, void *out, int64_t timeout_ns) {
    return one_case(ch, LUMINAR_SELECT_RECV, out, timeout_ns < 0 ? 0 : timeout_ns, 0);
  }

  // Fills the six entries of `table`.
  static void install(ConcurrencyHooks &table) {
    table.channel_send = send;
    table.channel_try_send = try_send;
    table.channel_send_for = send_for;
    table.channel_recv = recv;
    table.channel_try_recv = try_recv;
    table.channel_recv_for = recv_for;
  }

 private:
  static int32_t one_case(LuminarChannel *ch, LuminarSelectDir dir, void *buffer, int64_t timeout_ns,
                          int32_t has_default) {
    const LuminarSelectCase c{ch, dir, buffer};
    std::size_t chosen = 0;
    return Select(&c, 1, timeout_ns, has_default, &chosen);
  }
};

}  // namespace luminar_plugin

#endif
