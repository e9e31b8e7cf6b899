// Turns classified bare-metal sites into standard C++ that calls only the header-only
// support library (hooks/include/luminar/bare_metal.hpp), which is inlined once per file.
#pragma once

#include "luminar/generators/Sites.h"

#include <string>
#include <vector>

namespace luminar::generators {

std::string generateParallelFor(const ParallelForSite &site);
std::string generateParallelBlock(const ParallelBlockSite &site);
std::string generateSpawn(const SpawnSite &site);
std::string generateCritical(const CriticalSite &site);
std::string generateDefer(const DeferSite &site);
std::string generateAtomic(const AtomicSite &site);

// The support code inserted once, before the first top-level declaration that holds a
// Luminar pragma: the text of bare_metal.hpp (guarded, so a later #include of it is a
// no-op), `#include <luminar/errors.hpp>` when a block uses on_error(collect),
// `#include <luminar/luminar.hpp>` when a site is runtime-assisted, and one inline mutex
// accessor per named critical section (shared by every file of a program).
struct PreludeRequest {
  SiteContext context;  // fileName/lineDirectives; pragmaLine = line where user code resumes
  bool needsErrorList = false;
  bool needsRuntime = false;
  std::vector<std::string> criticalNames;
};
std::string generatePrelude(const PreludeRequest &request);

// The accessor a named `critical(name)` locks: `luminar_critical_<name>()`.
std::string criticalMutexExpression(const model::Directive &directive);

}  // namespace luminar::generators
