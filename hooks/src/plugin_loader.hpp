// Finding, opening and validating a runtime plugin (SPEC 4.1).
#ifndef LUMINAR_SRC_PLUGIN_LOADER_HPP
#define LUMINAR_SRC_PLUGIN_LOADER_HPP

#include <luminar/hooks.h>

#include <string>
#include <vector>

namespace luminar {
namespace detail {

struct LoadedPlugin {
  std::string path;               // the file that was opened
  const ConcurrencyHooks *hooks;  // validated table, static storage of the plugin
};

// `runtime` is LUMINAR_RUNTIME: a name resolved to libluminar_<name>.so along
// `search_path` and then the installed and build-tree plugin directories, or a path (it
// contains '/'). Throws luminar::runtime_error naming the plugin, and for a plugin not
// found the places searched, for an unusable one what it offers and what is required.
// The library stays loaded for the life of the process (tasks may still run at exit).
LoadedPlugin load_plugin(const std::string &runtime, const std::vector<std::string> &search_path);

}  // namespace detail
}  // namespace luminar

#endif  // LUMINAR_SRC_PLUGIN_LOADER_HPP
