#include "blocked_op.hpp"

#include "fiber.hpp"
#include "futex.hpp"
#include "runtime.hpp"
#include "tasks.hpp"

namespace luminar_steal {
namespace {

LuminarTask *fiber_task() {
  Fiber *fiber = current_fiber();
  return fiber != nullptr ? fiber->task : nullptr;
}

}  // namespace

BlockedOp::BlockedOp() : task_(fiber_task()) {}

void BlockedOp::complete(std::size_t case_index, int32_t status) {
  case_index_ = case_index;
  status_ = status;
  LuminarTask *const task = task_;  // read before the exchange: `this` may die right after
  // Acq_rel: release publishes the outcome (and any transferred element) to the owner,
  // which reads state_ with acquire (wait) or is resumed through a ready queue after
  // on_parked's CAS; acquire pairs with that CAS, so the task's parked fiber is visible.
  const std::uint32_t previous = state_.exchange(kWoken, std::memory_order_acq_rel);
  if (task == nullptr) {
    futex_wake(&state_, 1);  // may reach a reused address: futex waiters re-check
  } else if (previous == kParked) {
    runtime().scheduler.make_ready(task);
  }
}

void BlockedOp::on_parked(Fiber *, void *arg) {
  auto *op = static_cast<BlockedOp *>(arg);
  LuminarTask *const task = op->task_;  // read before the CAS: once kParked, op may die
  std::uint32_t expected = kWaiting;
  // Acq_rel: release publishes the parked fiber (saved by the switch) to complete();
  // acquire, when complete() came first, pairs with its exchange.
  if (!op->state_.compare_exchange_strong(expected, kParked, std::memory_order_acq_rel, std::memory_order_acquire))
    runtime().scheduler.make_ready(task);  // completed before we had left: resume it now
}

void BlockedOp::wait() {
  if (task_ == nullptr) {
    // Acquire: pairs with the exchange in complete().
    while (state_.load(std::memory_order_acquire) != kWoken) futex_wait(&state_, kWaiting);
    return;
  }
  // Acquire: pairs with the exchange in complete(); already woken means no park needed.
  if (state_.load(std::memory_order_acquire) == kWoken) return;
  runtime().scheduler.park(&BlockedOp::on_parked, this);
}

}  // namespace luminar_steal
