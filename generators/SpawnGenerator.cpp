// `#pragma luminar spawn` inside a bare-metal block → `<group>.spawn(lambda, "label")`
// (the lambda: SpawnLambda.h).
#include "luminar/generators/BareMetalGenerator.h"

#include "CodeWriter.h"
#include "SpawnLambda.h"

namespace luminar::generators {

std::string generateSpawn(const SpawnSite &site) {
  CodeWriter w(site.context);
  w.pragmaComment();
  openSpawnLambda(w, site, site.groupName + ".spawn(");
  w.close("}, \"" + site.label + "\");");
  return w.take();
}

}  // namespace luminar::generators
