// Loads the runtime plugin on first use and shuts it down at exit.
//
// Not std::call_once: a failed load must leave the runtime unloaded so that the next call
// reports the problem again (and a test can try several bad configurations), and
// libstdc++'s call_once does not reliably reset its flag when the callable throws.
#include <luminar/detail/runtime.hpp>

#include "plugin_loader.hpp"
#include "settings.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace luminar {
namespace detail {
namespace {

std::mutex load_mutex;
std::atomic<const ConcurrencyHooks *> loaded_hooks{nullptr};

// Outlives the plugin: config.trace_path points into it and the plugin may keep it.
RuntimeSettings &settings() {
  static RuntimeSettings *instance = new RuntimeSettings();  // never destroyed: read until exit
  return *instance;
}

void shutdown_at_exit() { loaded_hooks.load(std::memory_order_acquire)->shutdown(); }

const ConcurrencyHooks &load() {
  std::lock_guard<std::mutex> lock(load_mutex);
  // Relaxed is enough: load_mutex orders this with the store of an earlier loader.
  if (const ConcurrencyHooks *hooks = loaded_hooks.load(std::memory_order_relaxed)) return *hooks;

  RuntimeSettings &config = settings();
  read_settings_from_environment(config);
  const LoadedPlugin plugin = load_plugin(config.runtime, config.plugin_path);
  char error[512] = "";
  if (plugin.hooks->init(&config.config, error, sizeof error) != 0) {
    error[sizeof error - 1] = '\0';
    throw luminar::runtime_error("luminar: runtime plugin '" + plugin.path + "' failed to initialise: " + error);
  }
  // Release: a thread that sees the table through the acquire load in runtime_hooks() also
  // sees the plugin's initialisation.
  loaded_hooks.store(plugin.hooks, std::memory_order_release);
  std::atexit(shutdown_at_exit);
  return *plugin.hooks;
}

}  // namespace

const ConcurrencyHooks &runtime_hooks() {
  // Acquire pairs with the release store in load(): the plugin is initialised.
  if (const ConcurrencyHooks *hooks = loaded_hooks.load(std::memory_order_acquire)) return *hooks;
  return load();
}

const ConcurrencyHooks *loaded_runtime_hooks() noexcept {
  // Acquire pairs with the release store in load().
  return loaded_hooks.load(std::memory_order_acquire);
}

}  // namespace detail
}  // namespace luminar
