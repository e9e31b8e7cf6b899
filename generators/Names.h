// Names of generated variables: `luminar_<what>_<siteNumber>`. Site numbers are unique
// within a file, so nested and sibling sites never clash; no name starts with an underscore
// (reserved). Per-variable names put a fixed word before the user's name
// (`luminar_shared_sum_3`), so they cannot collide with the fixed ones (`luminar_count_3`).
#pragma once

#include "luminar/generators/Sites.h"

#include <string>
#include <string_view>

namespace luminar::generators {

inline std::string generatedName(const SiteContext &context, std::string_view what) {
  std::string name = "luminar_";
  name += what;
  name += '_';
  name += std::to_string(context.siteNumber);
  return name;
}

}  // namespace luminar::generators
