// `#pragma luminar spawn` in runtime-assisted code:
//   inside a runtime block:  <group>.spawn(lambda, spawn_options{…});
//   outside any block:       luminar::runtime::spawn_detached(lambda, spawn_options{…});
// spawn_options carries the spawn's clauses in its member order: name, priority, blocking,
// timeout in ns (-1: none) and the source location, which the runtime shows in metrics,
// traces and errors. The lambda is SpawnLambda.h's.
#include "luminar/generators/RuntimeGenerator.h"

#include "CodeWriter.h"
#include "SpawnLambda.h"

namespace luminar::generators {

namespace {

const char *priorityEnumerator(model::Priority priority) {
  switch (priority) {
  case model::Priority::Low: return "LUMINAR_PRIORITY_LOW";
  case model::Priority::Normal: return "LUMINAR_PRIORITY_NORMAL";
  case model::Priority::High: return "LUMINAR_PRIORITY_HIGH";
  case model::Priority::Critical: return "LUMINAR_PRIORITY_CRITICAL";
  }
  return "LUMINAR_PRIORITY_NORMAL";
}

std::string spawnOptions(const SpawnSite &site) {
  const model::Directive &d = site.directive;
  const std::string timeout = d.timeout ? "luminar::detail::to_timeout_ns(" + d.timeout->cppExpr + ")" : "-1";
  return "luminar::runtime::spawn_options{\"" + site.label + "\", " + priorityEnumerator(d.priority) + ", " +
         (d.blocking ? "true" : "false") + ", " + timeout + ", \"" + site.context.fileName + "\", " +
         std::to_string(site.context.pragmaLine) + "}";
}

}  // namespace

std::string generateRuntimeSpawn(const SpawnSite &site) {
  CodeWriter w(site.context);
  if (site.target == SpawnTarget::Dynamic) {
    w.pragmaComment("joins the block of the task running it, else detached");
    openSpawnLambda(w, site, "luminar::runtime::spawn_detached(");
  } else {
    w.pragmaComment();
    openSpawnLambda(w, site, site.groupName + ".spawn(");
  }
  w.close("}, " + spawnOptions(site) + ");");
  return w.take();
}

}  // namespace luminar::generators
