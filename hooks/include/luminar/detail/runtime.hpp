// Access to the loaded runtime plugin's ConcurrencyHooks table, for the header API.
#ifndef LUMINAR_DETAIL_RUNTIME_HPP
#define LUMINAR_DETAIL_RUNTIME_HPP

#include <luminar/errors.hpp>
#include <luminar/hooks.h>

#if defined(__GNUC__)
#define LUMINAR_API __attribute__((visibility("default")))
#else
#define LUMINAR_API
#endif

namespace luminar {
namespace detail {

// The plugin's table. The first call (from any thread) reads the LUMINAR_* environment,
// loads and validates the plugin and initialises it; a failure throws
// luminar::runtime_error and the next call tries again. Shutdown runs at exit.
LUMINAR_API const ConcurrencyHooks &runtime_hooks();

// The table if a plugin is already loaded, else nullptr. Never loads one: used where a
// program without runtime-assisted blocks must not start the runtime.
LUMINAR_API const ConcurrencyHooks *loaded_runtime_hooks() noexcept;

// Turns a LuminarChanStatus of a blocking hook into the C++ outcome: throws
// task_cancelled for LUMINAR_CHAN_CANCELLED, else returns the status.
inline int32_t check_cancelled(int32_t status) {
  if (status == LUMINAR_CHAN_CANCELLED) throw task_cancelled();
  return status;
}

}  // namespace detail
}  // namespace luminar

#endif  // LUMINAR_DETAIL_RUNTIME_HPP
