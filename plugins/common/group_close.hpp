// group_close (hooks.h, version 3) over a plugin's own group_wait and group_destroy: the
// same rule for every plugin.
#ifndef LUMINAR_PLUGIN_COMMON_GROUP_CLOSE_HPP
#define LUMINAR_PLUGIN_COMMON_GROUP_CLOSE_HPP

#include "error_list.hpp"

#include <luminar/hooks.h>

namespace luminar_plugin {

// The group is destroyed unless the caller still needs it: to read its errors, or to
// report its timeout.
template <class Group>
int32_t close_group(Group *group, int32_t (*wait)(Group *), void (*destroy)(Group *), ErrorList &errors) {
  const int32_t result = wait(group);
  if (result == LUMINAR_GROUP_TIMED_OUT) return result;
  if (errors.count() != 0) return LUMINAR_GROUP_FAILED;
  destroy(group);
  return result;
}

}  // namespace luminar_plugin

#endif
