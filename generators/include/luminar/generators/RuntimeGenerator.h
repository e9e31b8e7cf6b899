// Turns classified runtime-assisted sites into C++ that calls the Luminar header API
// (<luminar/luminar.hpp>: luminar::runtime::task_group, spawn_detached, parallel_for),
// which reaches the runtime plugin through the ConcurrencyHooks table of libluminar.
// Where each hook is called is documented in hooks.h; the output links with -lluminar.
#pragma once

#include "luminar/generators/Sites.h"

#include <string>

namespace luminar::generators {

// A `parallel`/`concurrent` block → a luminar::runtime::task_group and its wait().
std::string generateRuntimeBlock(const ParallelBlockSite &site);

// A spawn into a runtime block's group (SpawnTarget::RuntimeGroup), or a spawn outside any
// block (SpawnTarget::Dynamic) → luminar::runtime::spawn_detached.
std::string generateRuntimeSpawn(const SpawnSite &site);

// A `parallel for` whose shares run as runtime tasks (luminar::runtime::parallel_for).
std::string generateRuntimeParallelFor(const ParallelForSite &site);

// The line the prelude adds when a file has runtime-assisted sites.
inline constexpr const char *kRuntimeInclude = "#include <luminar/luminar.hpp>";

}  // namespace luminar::generators
