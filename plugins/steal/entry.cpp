// The `steal` runtime plugin: its ConcurrencyHooks table, lifecycle and error hooks.
#include "atomics.hpp"
#include "channel.hpp"
#include "fiber.hpp"
#include "metrics.hpp"
#include "metrics_report.hpp"
#include "numa/placement.hpp"
#include "overflow.hpp"
#include "runtime.hpp"
#include "runtime_atomics.hpp"
#include "single_case_channel_ops.hpp"
#include "services.hpp"
#include "tasks.hpp"
#include "tracing.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace luminar_steal {
namespace {

Runtime *instance = nullptr;  // written by init before any other hook is called

luminar_plugin::ErrorList &detached_errors() {
  static auto *list = new luminar_plugin::ErrorList();  // never destroyed: detached tasks may report late
  return *list;
}

luminar_plugin::ErrorList &errors_of(LuminarGroup *group) { return group != nullptr ? group->errors : detached_errors(); }

int32_t init(const LuminarRuntimeConfig *config, char *error, std::size_t error_size) {
  if (config == nullptr || config->struct_size < sizeof(LuminarRuntimeConfig)) {
    std::snprintf(error, error_size, "runtime configuration too small (version mismatch)");
    return 1;
  }
  std::string reason;
  if (!create_runtime(*config, reason)) {
    std::snprintf(error, error_size, "%s", reason.c_str());
    return 1;
  }
  runtime().scheduler.start();
  return 0;
}

void shutdown() {
  Runtime &rt = runtime();
  rt.timers.stop();
  rt.scheduler.shutdown();
  finish_tracing();
  if (rt.report_metrics) {
    luminar_plugin::print_metrics_report("steal", metrics().snapshot());
    std::fprintf(stderr, "  I/O backend %s, fiber stacks of %zu bytes\n", rt.io->backend_name(),
                 stack_pool().stack_size());
  }
}

void propagate_error(LuminarGroup *group, const LuminarErrorContext *ctx) {
  errors_of(group).record(ctx);
  if (group != nullptr) cancel_group(group, LUMINAR_CANCEL_REQUESTED);
}

void collect_error(LuminarGroup *group, const LuminarErrorContext *ctx) { errors_of(group).record(ctx); }

void set_error_handler(LuminarGroup *group, LuminarErrorHandler handler, void *user_data) {
  errors_of(group).set_handler(handler, user_data);
}

std::size_t error_count(LuminarGroup *group) { return errors_of(group).count(); }

const LuminarErrorContext *error_at(LuminarGroup *group, std::size_t index) { return errors_of(group).at(index); }

void clear_errors(LuminarGroup *group) { errors_of(group).clear(); }

void get_metrics(LuminarMetrics *out) { luminar_plugin::deliver_metrics(metrics().snapshot(), out); }

ConcurrencyHooks make_table() {
  ConcurrencyHooks t{};
  t.abi_version = LUMINAR_ABI_VERSION;
  t.struct_size = sizeof(ConcurrencyHooks);
  t.capabilities = LUMINAR_CAP_PRIORITIES | LUMINAR_CAP_FIBERS | LUMINAR_CAP_WORK_STEALING | LUMINAR_CAP_BLOCKING_POOL |
                   LUMINAR_CAP_ASYNC_IO | LUMINAR_CAP_TRACING;
#ifdef LUMINAR_STEAL_HAS_LIBNUMA
  t.capabilities |= LUMINAR_CAP_NUMA;  // allocate_shared honours numa_node under LUMINAR_NUMA=1
#endif
  t.init = init;
  t.shutdown = shutdown;
  t.spawn_task = spawn_task;
  t.join_task = join_task;
  t.release_task = release_task;
  t.cancel_task = cancel_task_hook;
  t.current_task = current_task_hook;
  t.current_group = current_group;
  t.cancelled = cancelled;
  t.yield = yield;
  t.sleep_for_ns = sleep_for_ns;
  t.group_create = group_create;
  t.group_cancel = group_cancel;
  t.group_wait = group_wait;
  t.group_destroy = group_destroy;
  t.group_open = group_open;
  t.group_close = group_close;
  t.channel_create = channel_create;
  t.channel_retain = channel_retain;
  t.channel_release = channel_release;
  luminar_plugin::SingleCaseChannelOps<select>::install(t);  // send/recv: one-case selects
  t.channel_close = channel_close;
  t.channel_size = channel_size;
  t.channel_capacity = channel_capacity;
  t.channel_closed = channel_closed;
  t.select = select;
  t.propagate_error = propagate_error;
  t.collect_error = collect_error;
  t.set_error_handler = set_error_handler;
  t.error_count = error_count;
  t.error_at = error_at;
  t.clear_errors = clear_errors;
  t.allocate_shared = allocate_shared;
  t.free_shared = free_shared;
  luminar_plugin::install_runtime_atomics(t);
  t.io_read = io_read;
  t.io_write = io_write;
  t.io_copy_file = io_copy_file;
  t.get_metrics = get_metrics;
  return t;
}

const ConcurrencyHooks table = make_table();

}  // namespace

// Fiber stacks: 64 KiB of address space by default (only touched pages cost memory);
// sanitizer builds have much larger frames.
#if defined(LUMINAR_STEAL_ASAN) || defined(LUMINAR_STEAL_TSAN)
constexpr std::uint64_t kDefaultStackSize = 512 * 1024;
#else
constexpr std::uint64_t kDefaultStackSize = 64 * 1024;
#endif

namespace {

std::size_t worker_count(const LuminarRuntimeConfig &config) {
  return config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
}

// LUMINAR_NUMA=1: each worker runs on the CPUs of its node (numa/placement.hpp).
std::vector<std::vector<int>> worker_placements(const LuminarRuntimeConfig &config, const numa::NumaTopology &topology) {
  std::vector<std::vector<int>> cpus;
  if (config.numa == 0 || !topology.available()) return cpus;
  for (const numa::WorkerPlacement &placement : numa::place_workers(topology, static_cast<unsigned>(worker_count(config))))
    cpus.push_back(placement.cpus);
  return cpus;
}

}  // namespace

Runtime::Runtime(const LuminarRuntimeConfig &config, std::unique_ptr<io::IoEngine> io_engine)
    : report_metrics(config.metrics != 0),
      topology(numa::NumaTopology::detect()),
      allocator(config.numa != 0, topology.nodes()),
      io(std::move(io_engine)),
      scheduler(worker_count(config), config.blocking_threads, worker_placements(config, topology)) {}

Runtime &runtime() { return *instance; }

bool create_runtime(const LuminarRuntimeConfig &config, std::string &error) {
  std::unique_ptr<io::IoEngine> io_engine = io::make_io_engine_from_environment(error);
  if (io_engine == nullptr) return false;
  init_fibers(config.stack_size != 0 ? config.stack_size : kDefaultStackSize);
  install_overflow_handler();
  init_tracing(config.trace_path, worker_count(config));
  instance = new Runtime(config, std::move(io_engine));  // see runtime.hpp
  return true;
}

}  // namespace luminar_steal

extern "C" LUMINAR_PLUGIN_EXPORT const ConcurrencyHooks *luminar_plugin_entry(uint32_t host_abi_version) {
  return host_abi_version == LUMINAR_ABI_VERSION ? &luminar_steal::table : nullptr;
}
