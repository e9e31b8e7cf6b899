// The LUMINAR_* environment (SPEC 4.2), parsed and validated at runtime initialisation.
#ifndef LUMINAR_SRC_SETTINGS_HPP
#define LUMINAR_SRC_SETTINGS_HPP

#include <luminar/hooks.h>

#include <string>
#include <vector>

namespace luminar {
namespace detail {

struct RuntimeSettings {
  std::string runtime = "default";       // LUMINAR_RUNTIME: plugin name or path
  std::vector<std::string> plugin_path;  // LUMINAR_PLUGIN_PATH, in order
  std::string trace_path;                // LUMINAR_TRACE; config.trace_path points here
  LuminarRuntimeConfig config{};
};

// Reads the environment. Throws luminar::runtime_error naming the variable and the value
// for anything invalid. The result must not be copied after config.trace_path is used
// (it points into trace_path), hence the out-parameter.
void read_settings_from_environment(RuntimeSettings &out);

}  // namespace detail
}  // namespace luminar

#endif  // LUMINAR_SRC_SETTINGS_HPP
