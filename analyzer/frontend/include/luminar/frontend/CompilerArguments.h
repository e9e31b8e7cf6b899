// Argument adjusters applied to every compile command before Clang sees it.
#pragma once

#include <clang/Tooling/ArgumentsAdjusters.h>

namespace luminar::frontend {

// Passes the Clang resource directory found at build time, so the tool finds the
// compiler's built-in headers wherever it is installed.
clang::tooling::ArgumentsAdjuster resourceDirAdjuster();

// Drops options Clang's driver does not know (GCC-only flags in a compile_commands.json),
// together with their separate argument where they take one, instead of failing on them.
clang::tooling::ArgumentsAdjuster unknownFlagFilter();

}  // namespace luminar::frontend
