// Writes a file atomically: a temporary file in the same directory, then rename, so a
// reader (or a build) never sees a half-written translation.
#pragma once

#include <string>

namespace luminar::driver {

// Returns an empty string on success, else the reason.
std::string writeFileAtomically(const std::string &path, const std::string &content);

}  // namespace luminar::driver
