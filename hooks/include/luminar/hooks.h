/* The ConcurrencyHooks ABI: the C interface between translated programs (through
 * libluminar) and a Luminar runtime plugin. Valid C99 and C++.
 *
 * A plugin is a shared library exporting one symbol, `luminar_plugin_entry`. libluminar
 * calls it with the ABI version it was built for and receives the plugin's table. The table
 * starts with `abi_version` and `struct_size` and only ever grows by appending: a field added
 * later is documented "valid since version N", and the loader refuses a table whose
 * `struct_size` does not cover what it needs. Capabilities are announced in `capabilities`
 * and never assumed; an entry documented as optional may be NULL.
 *
 * Conventions for every hook:
 *   - "any thread": callable from any thread, also from threads the runtime did not create.
 *   - "task": meaningful inside a runtime task; from other threads it behaves as documented.
 *   - Every operation that can wait is a hook, so that a fiber plugin can park the task and
 *     not its OS thread. Blocking hooks called inside a cancelled task return
 *     LUMINAR_CHAN_CANCELLED (or the documented cancelled result) instead of waiting.
 *   - No C++ exception ever crosses this interface. Task functions report failures through
 *     their return value and the error hooks; C++ exceptions travel as opaque payloads.
 *   - Durations are nanoseconds in int64_t; a negative timeout means "no timeout".
 *
 * "Emitted" says where the runtime-assisted generator places the call in translated code.
 */
#ifndef LUMINAR_HOOKS_H
#define LUMINAR_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version history: 1, the first table; 2, tasks that keep their data (the last four
 * fields of LuminarTaskDescriptor), the spawn flags NO_HANDLE and STATIC_NAME, and
 * LuminarGroupOptions.flags (CANCEL_ON_ERROR); 3, a block's group in two calls
 * (group_open and group_close, with LUMINAR_GROUP_FAILED); 4, the spawn flag MOVABLE_DATA. */
#define LUMINAR_ABI_VERSION 4u

#if defined(__GNUC__)
#define LUMINAR_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define LUMINAR_PLUGIN_EXPORT
#endif

/* ---- Opaque handles ------------------------------------------------------------------ */
typedef struct LuminarTask LuminarTask;       /* a spawned task */
typedef struct LuminarGroup LuminarGroup;     /* the tasks of one parallel/concurrent block */
typedef struct LuminarChannel LuminarChannel; /* a reference-counted channel */
typedef struct LuminarAtomic LuminarAtomic;   /* a runtime atomic (seed: AtomicHandle) */

/* ---- Capability flags (ConcurrencyHooks.capabilities) -------------------------------- */
#define LUMINAR_CAP_PRIORITIES    (1ull << 0) /* higher priorities run first */
#define LUMINAR_CAP_FIBERS        (1ull << 1) /* blocking hooks park the task, not the thread */
#define LUMINAR_CAP_WORK_STEALING (1ull << 2)
#define LUMINAR_CAP_NUMA          (1ull << 3) /* allocate_shared honours numa_node */
#define LUMINAR_CAP_ASYNC_IO      (1ull << 4) /* io hooks suspend the task, not the thread */
#define LUMINAR_CAP_TRACING       (1ull << 5) /* LUMINAR_TRACE is honoured */
#define LUMINAR_CAP_BLOCKING_POOL (1ull << 6) /* blocking tasks never starve other tasks */

/* ---- Enumerations (carried as int32_t in structs, so their size is fixed) ------------- */
typedef enum LuminarPriority {
  LUMINAR_PRIORITY_LOW = 0,
  LUMINAR_PRIORITY_NORMAL = 1,
  LUMINAR_PRIORITY_HIGH = 2,
  LUMINAR_PRIORITY_CRITICAL = 3
} LuminarPriority;

/* Result of channel operations and select. */
typedef enum LuminarChanStatus {
  LUMINAR_CHAN_OK = 0,
  LUMINAR_CHAN_FULL = 1,      /* try_send: no room (unbuffered: no receiver waiting) */
  LUMINAR_CHAN_EMPTY = 2,     /* try_recv: nothing buffered; select: default taken */
  LUMINAR_CHAN_CLOSED = 3,    /* send on a closed channel; recv on a closed, drained one */
  LUMINAR_CHAN_TIMEOUT = 4,   /* timed variant or select ran out of time */
  LUMINAR_CHAN_CANCELLED = 5  /* the calling task was cancelled while (or before) waiting */
} LuminarChanStatus;

/* Return value of a task function; the runtime counts it in the metrics. */
typedef enum LuminarTaskResult {
  LUMINAR_TASK_OK = 0,
  LUMINAR_TASK_FAILED = 1,   /* the error, if any, was reported with the error hooks */
  LUMINAR_TASK_CANCELLED = 2 /* unwound because of cancellation: not an error */
} LuminarTaskResult;

/* Why the calling task counts as cancelled (see `cancelled`). */
typedef enum LuminarCancelReason {
  LUMINAR_NOT_CANCELLED = 0,
  LUMINAR_CANCEL_REQUESTED = 1, /* cancel_task, cancel_group, or a stop on error */
  LUMINAR_CANCEL_TIMEOUT = 2    /* the task's or its group's timeout passed */
} LuminarCancelReason;

/* How group_wait (or group_close) ended. */
typedef enum LuminarGroupResult {
  LUMINAR_GROUP_COMPLETED = 0,
  LUMINAR_GROUP_CANCELLED = 1,
  LUMINAR_GROUP_TIMED_OUT = 2,
  LUMINAR_GROUP_FAILED = 3 /* since version 3, group_close only: not timed out, errors recorded */
} LuminarGroupResult;

typedef enum LuminarSelectDir { LUMINAR_SELECT_RECV = 0, LUMINAR_SELECT_SEND = 1 } LuminarSelectDir;

/* ---- Configuration (SPEC 4.2), filled by libluminar from LUMINAR_* ------------------- */
typedef struct LuminarRuntimeConfig {
  uint32_t struct_size;      /* sizeof(LuminarRuntimeConfig) of the caller */
  uint32_t threads;          /* LUMINAR_THREADS; 0 = hardware concurrency */
  uint32_t blocking_threads; /* LUMINAR_BLOCKING_THREADS; default 512 */
  uint32_t numa;             /* LUMINAR_NUMA: 0 or 1 */
  uint64_t stack_size;       /* LUMINAR_STACK_SIZE in bytes; 0 = plugin's choice */
  uint32_t metrics;          /* LUMINAR_METRICS: 1 = report on stderr at shutdown */
  int32_t log_level;         /* LUMINAR_LOG: 0 trace, 1 debug, 2 info, 3 warn, 4 error */
  const char *trace_path;    /* LUMINAR_TRACE, or NULL */
} LuminarRuntimeConfig;

/* ---- Tasks and groups ----------------------------------------------------------------- */
#define LUMINAR_TASK_BLOCKING (1u << 0) /* may block its OS thread for long (spawn ... blocking) */
/* Since version 2: spawn_task returns NULL and the caller holds no reference (a spawn
 * that is never joined saves the release_task call). */
#define LUMINAR_TASK_NO_HANDLE (1u << 1)
/* Since version 2: `name` and `file` stay valid until the task has finished, so the
 * runtime may keep the pointers instead of copying the strings. */
#define LUMINAR_TASK_STATIC_NAME (1u << 2)
/* Since version 4: the kept data (data_size > 0) may be moved again by the runtime, from
 * one storage of its own to another, before fn runs: move_data(new, old), then
 * drop_data(old) when drop_data is not NULL. Set it when that is a move: move_data leaves
 * an object that drop_data destroys, as a C++ move constructor and destructor do. (A
 * fiber runtime moves the data of a task that starts onto the stack it runs on, so that
 * its record can be freed while it is parked.) */
#define LUMINAR_TASK_MOVABLE_DATA (1u << 3)

/* A task's data. With data_size == 0, `data` is passed to fn as it is and belongs to the
 * caller's trampoline. With data_size > 0 (since version 2) the runtime keeps the data:
 * before spawn_task returns it reserves data_size bytes aligned to data_align (a power of
 * two) — next to its own task record when they fit, so a spawn can cost one allocation —
 * and calls move_data(storage, data) once; `data` is the caller's again afterwards. Then
 * fn(storage) must destroy the object it finds there (not free it: the runtime frees the
 * storage). Either way, a task cancelled before it started is not run: its data is given
 * to drop_data instead, when that is not NULL, so that it is not leaked. */
typedef struct LuminarTaskDescriptor {
  uint32_t struct_size;            /* sizeof(LuminarTaskDescriptor) of the caller */
  uint32_t flags;                  /* LUMINAR_TASK_* */
  int32_t (*fn)(void *data);       /* returns a LuminarTaskResult; must not throw */
  void *data;                      /* see above */
  const char *name;                /* label for metrics/traces, or NULL; copied unless STATIC_NAME */
  const char *file;                /* source location of the spawn, or NULL; copied unless STATIC_NAME */
  uint32_t line;
  int32_t priority;                /* LuminarPriority */
  LuminarGroup *group;             /* block the task belongs to, or NULL = detached */
  int64_t timeout_ns;              /* spawn timeout(...): cancel after this; < 0 = none */
  /* Valid since version 2 (read only when struct_size covers them): */
  uint32_t data_size;                       /* 0 = `data` is the caller's (see above) */
  uint32_t data_align;                      /* alignment of the kept data */
  void (*move_data)(void *dst, void *src);  /* moves the caller's object into the storage */
  void (*drop_data)(void *data);            /* destroys the data of a task that never ran, or NULL */
} LuminarTaskDescriptor;

/* Since version 2: the group cancels itself when the first error is recorded in it
 * (on_error(stop)), as an error handler that calls group_cancel would, without the extra
 * set_error_handler call per group. */
#define LUMINAR_GROUP_CANCEL_ON_ERROR (1u << 0)

typedef struct LuminarGroupOptions {
  uint32_t struct_size;     /* sizeof(LuminarGroupOptions) of the caller */
  uint32_t max_concurrency; /* 0 = unlimited; otherwise tasks beyond it wait to start */
  int64_t timeout_ns;       /* < 0 = none; else the group is cancelled when it passes */
  const char *name;         /* name("label"), or NULL; copied */
  uint32_t flags;           /* since version 2: LUMINAR_GROUP_* */
} LuminarGroupOptions;

/* ---- Select ---------------------------------------------------------------------------- */
typedef struct LuminarSelectCase {
  LuminarChannel *channel;
  int32_t dir;    /* LuminarSelectDir */
  void *buffer;   /* send: the element to send; recv: where the element is written */
} LuminarSelectCase;

/* ---- Errors (seed's ErrorContext) -------------------------------------------------- */
typedef struct LuminarErrorContext {
  uint32_t struct_size;
  uint32_t line;
  const char *error_type; /* e.g. the exception's type name, or NULL; copied */
  const char *message;    /* what(); copied */
  const char *task;       /* task name or "iteration N"; copied */
  const char *file;       /* copied */
  /* Opaque payload (libluminar: a heap std::exception_ptr). The runtime owns it once the
   * context is reported and calls release_payload(payload) exactly once, when the errors
   * are cleared or the group is destroyed. */
  void *payload;
  void (*release_payload)(void *payload);
} LuminarErrorContext;

/* Called on the reporting thread for every error propagated or collected in a group. */
typedef void (*LuminarErrorHandler)(const LuminarErrorContext *ctx, void *user_data);

/* ---- Metrics (SPEC 4.3) -------------------------------------------------------------- */
typedef struct LuminarMetrics {
  uint32_t struct_size; /* set by the caller; the plugin fills fields that fit */
  uint32_t reserved;
  uint64_t tasks_spawned;
  uint64_t tasks_completed;
  uint64_t tasks_failed;
  uint64_t tasks_cancelled;
  uint64_t tasks_active;
  uint64_t peak_concurrency;
  uint64_t steal_attempts;
  uint64_t steal_successes;
  uint64_t context_switches;
  uint64_t channel_operations;
  uint64_t io_operations;
  uint64_t memory_current_bytes;
  uint64_t memory_peak_bytes;
  uint64_t mean_task_duration_ns;
} LuminarMetrics;

/* ---- The table ----------------------------------------------------------------------- */
typedef struct ConcurrencyHooks {
  uint32_t abi_version; /* LUMINAR_ABI_VERSION the plugin implements */
  uint32_t struct_size; /* sizeof(ConcurrencyHooks) the plugin was built with */
  uint64_t capabilities;

  /* Lifecycle. libluminar calls init exactly once, before any other hook, and shutdown
   * once at process exit (no hook is called after it, except channel_release and
   * free_shared from static destructors). Returns 0 on success; on failure writes a
   * message of at most `error_size` bytes into `error` (libluminar raises runtime_error). */
  int32_t (*init)(const LuminarRuntimeConfig *config, char *error, size_t error_size);
  void (*shutdown)(void);

  /* Tasks. Any thread. Emitted for `spawn` (inside a block: group = the block's group;
   * outside: the current task's group, or NULL = detached). The returned handle holds one
   * reference for the caller, given back by join_task or release_task (none with
   * LUMINAR_TASK_NO_HANDLE: then it returns NULL). */
  LuminarTask *(*spawn_task)(const LuminarTaskDescriptor *desc);
  /* Blocks until the task has finished, then drops the caller's reference. Not cancellable. */
  void (*join_task)(LuminarTask *task);
  /* Drops the caller's reference without waiting (detach). */
  void (*release_task)(LuminarTask *task);
  /* Requests cancellation: wakes the task's blocking hook, which returns "cancelled".
   * A task cancelled before it starts never runs (counted as cancelled). Any thread. */
  void (*cancel_task)(LuminarTask *task);
  /* The calling task (borrowed), or NULL outside tasks. */
  LuminarTask *(*current_task)(void);
  /* The group of the calling task (borrowed), or NULL. Emitted for dynamically nested
   * spawns (SPEC 1.5). */
  LuminarGroup *(*current_group)(void);
  /* LuminarCancelReason of the calling task (its own flag, its group's, and those of the
   * tasks that own enclosing groups). NOT_CANCELLED outside tasks. Emitted for
   * luminar::this_task::cancelled() and between iterations of chunked loops. */
  int32_t (*cancelled)(void);
  /* Lets other tasks run. Task or any thread. */
  void (*yield)(void);
  /* Sleeps; returns LUMINAR_CHAN_OK or LUMINAR_CHAN_CANCELLED. Blocking. */
  int32_t (*sleep_for_ns)(int64_t ns);

  /* Task groups: one per runtime-assisted parallel/concurrent block. Emitted at the opening
   * brace (create), on error with on_error(stop) (cancel), and at the closing brace (wait,
   * then destroy). A group created inside a task is cancelled with that task. Created,
   * waited and destroyed by one thread; cancel from any thread. */
  LuminarGroup *(*group_create)(const LuminarGroupOptions *options);
  void (*group_cancel)(LuminarGroup *group);
  /* Blocks until every task of the group has finished; returns a LuminarGroupResult. */
  int32_t (*group_wait)(LuminarGroup *group);
  /* After group_wait. Releases the stored errors' payloads. */
  void (*group_destroy)(LuminarGroup *group);

  /* Channels. Elements are elem_size bytes moved by memcpy; the plugin stores and copies
   * them, and calls elem_destroy(element) on elements still buffered when the last
   * reference goes away (NULL = nothing to do). Any thread. Emitted where a program creates,
   * copies and drops luminar::channel<T> handles (luminar.hpp). create returns one
   * reference. */
  LuminarChannel *(*channel_create)(size_t elem_size, size_t capacity, void (*elem_destroy)(void *elem));
  void (*channel_retain)(LuminarChannel *ch);
  void (*channel_release)(LuminarChannel *ch);
  /* send: on LUMINAR_CHAN_OK the element was taken (bytes copied from `elem`); otherwise the
   * caller still owns it. recv: on OK the element was written to `out`. Blocking: ok,
   * closed, cancelled. Try (never blocks): ok, full/empty, closed. Timed (timeout_ns >= 0):
   * ok, closed, timeout, cancelled. */
  int32_t (*channel_send)(LuminarChannel *ch, const void *elem);
  int32_t (*channel_try_send)(LuminarChannel *ch, const void *elem);
  int32_t (*channel_send_for)(LuminarChannel *ch, const void *elem, int64_t timeout_ns);
  int32_t (*channel_recv)(LuminarChannel *ch, void *out);
  int32_t (*channel_try_recv)(LuminarChannel *ch, void *out);
  int32_t (*channel_recv_for)(LuminarChannel *ch, void *out, int64_t timeout_ns);
  /* Closes and wakes every blocked sender and receiver. 1 the first time, then 0. */
  int32_t (*channel_close)(LuminarChannel *ch);
  size_t (*channel_size)(LuminarChannel *ch);
  size_t (*channel_capacity)(LuminarChannel *ch);
  int32_t (*channel_closed)(LuminarChannel *ch);

  /* Select. Waits until one case can proceed, performs it and stores its index in *chosen.
   * Ready cases are chosen uniformly at random. Returns OK (element sent or received),
   * CLOSED (that case's channel is closed: nothing transferred), EMPTY (has_default and
   * nothing ready), TIMEOUT (timeout_ns >= 0 passed) or CANCELLED. With no cases, no
   * default and no timeout it waits until cancelled. A channel may appear in several cases.
   * Any thread. Emitted for luminar::select. */
  int32_t (*select)(const LuminarSelectCase *cases, size_t count, int64_t timeout_ns, int32_t has_default,
                    size_t *chosen);

  /* Errors, per group (NULL = the program-wide list of detached tasks). Any thread.
   * propagate: record and cancel the group (on_error(stop)); collect: record only
   * (on_error(collect)). Emitted in the task trampolines' catch blocks. The runtime owns
   * ctx->payload afterwards. */
  void (*propagate_error)(LuminarGroup *group, const LuminarErrorContext *ctx);
  void (*collect_error)(LuminarGroup *group, const LuminarErrorContext *ctx);
  void (*set_error_handler)(LuminarGroup *group, LuminarErrorHandler handler, void *user_data);
  size_t (*error_count)(LuminarGroup *group);
  /* The index-th recorded error in recording order, borrowed until clear_errors or
   * group_destroy; NULL when out of range. Emitted after group_wait to rethrow. */
  const LuminarErrorContext *(*error_at)(LuminarGroup *group, size_t index);
  void (*clear_errors)(LuminarGroup *group);

  /* Memory. Any thread. numa_node < 0 = any. Counted in the memory metrics. */
  void *(*allocate_shared)(size_t bytes, int32_t numa_node);
  void (*free_shared)(void *ptr, size_t bytes);

  /* Runtime atomics (seed), for values of 1, 2, 4 or 8 bytes holding unsigned integers
   * (add wraps). Any thread; sequentially consistent. */
  LuminarAtomic *(*atomic_create)(size_t size, const void *initial);
  void (*atomic_load)(LuminarAtomic *a, void *result);
  void (*atomic_store)(LuminarAtomic *a, const void *value);
  void (*atomic_add)(LuminarAtomic *a, const void *operand, void *previous);
  int32_t (*atomic_compare_exchange)(LuminarAtomic *a, void *expected, const void *desired);
  void (*atomic_destroy)(LuminarAtomic *a);

  /* I/O. Return bytes transferred, or -errno. Blocking (a fiber plugin parks the task).
   * Emitted for luminar::io::read/write/copy_file. copy_file returns bytes copied. */
  int64_t (*io_read)(int fd, void *buf, size_t n, int64_t offset);
  int64_t (*io_write)(int fd, const void *buf, size_t n, int64_t offset);
  int64_t (*io_copy_file)(const char *from, const char *to);

  /* Fills the fields of *out that fit in out->struct_size. Any thread. */
  void (*get_metrics)(LuminarMetrics *out);

  /* Since version 3: a block's group in two calls instead of five (what luminar.hpp's
   * task_group uses on every block).
   * group_open: group_create, and stores the calling task (current_task) in *creator. */
  LuminarGroup *(*group_open)(const LuminarGroupOptions *options, LuminarTask **creator);
  /* group_close: group_wait; then, unless the group timed out or recorded an error, it
   * destroys the group and returns COMPLETED or CANCELLED. Otherwise it returns TIMED_OUT,
   * or FAILED when errors are recorded, and the group stays until group_destroy, so that
   * the caller can read the errors. */
  int32_t (*group_close)(LuminarGroup *group);
} ConcurrencyHooks;

/* The one symbol a plugin exports. `host_abi_version` is LUMINAR_ABI_VERSION of libluminar;
 * the plugin returns its table (static storage) or NULL if it cannot serve that version. */
typedef const ConcurrencyHooks *(*LuminarPluginEntry)(uint32_t host_abi_version);
LUMINAR_PLUGIN_EXPORT const ConcurrencyHooks *luminar_plugin_entry(uint32_t host_abi_version);

#define LUMINAR_PLUGIN_ENTRY_SYMBOL "luminar_plugin_entry"

/* ---- Layout guards: the ABI only grows by appending -------------------------------- */
#if defined(__cplusplus)
#define LUMINAR_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define LUMINAR_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#if UINTPTR_MAX == 0xffffffffffffffffu
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, abi_version) == 0, "abi_version first");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, struct_size) == 4, "struct_size second");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, capabilities) == 8, "capabilities third");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, init) == 16, "hooks start at 16");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, spawn_task) == 32, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, group_create) == 104, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, channel_create) == 136, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, select) == 240, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, propagate_error) == 248, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, allocate_shared) == 296, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, atomic_create) == 312, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, io_read) == 360, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, get_metrics) == 384, "ConcurrencyHooks layout");
LUMINAR_STATIC_ASSERT(offsetof(ConcurrencyHooks, group_open) == 392, "ConcurrencyHooks v1 part unchanged");
LUMINAR_STATIC_ASSERT(sizeof(ConcurrencyHooks) == 408, "ConcurrencyHooks v3 size");
LUMINAR_STATIC_ASSERT(sizeof(LuminarRuntimeConfig) == 40, "LuminarRuntimeConfig v1 size");
LUMINAR_STATIC_ASSERT(offsetof(LuminarTaskDescriptor, group) == 48, "LuminarTaskDescriptor layout");
LUMINAR_STATIC_ASSERT(offsetof(LuminarTaskDescriptor, data_size) == 64, "LuminarTaskDescriptor v1 part unchanged");
LUMINAR_STATIC_ASSERT(sizeof(LuminarTaskDescriptor) == 88, "LuminarTaskDescriptor v2 size");
LUMINAR_STATIC_ASSERT(offsetof(LuminarGroupOptions, flags) == 24, "LuminarGroupOptions v1 part unchanged");
LUMINAR_STATIC_ASSERT(sizeof(LuminarGroupOptions) == 32, "LuminarGroupOptions v2 size");
LUMINAR_STATIC_ASSERT(sizeof(LuminarSelectCase) == 24, "LuminarSelectCase v1 size");
LUMINAR_STATIC_ASSERT(sizeof(LuminarErrorContext) == 56, "LuminarErrorContext v1 size");
LUMINAR_STATIC_ASSERT(offsetof(LuminarMetrics, mean_task_duration_ns) == 112, "LuminarMetrics layout");
LUMINAR_STATIC_ASSERT(sizeof(LuminarMetrics) == 120, "LuminarMetrics v1 size");
#endif

#ifdef __cplusplus
}
#endif

#endif /* LUMINAR_HOOKS_H */
