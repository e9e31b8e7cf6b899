// `#pragma luminar defer` → an RAII object that runs the statement when the enclosing scope
// exits, however it exits (SPEC §1). Objects are destroyed in reverse order of declaration,
// which gives the LIFO order; the lambda captures by reference, so the variables the
// statement names are read when it runs.
#include "luminar/generators/BareMetalGenerator.h"

#include "CodeWriter.h"
#include "Names.h"

namespace luminar::generators {

std::string generateDefer(const DeferSite &site) {
  CodeWriter w(site.context);
  w.pragmaComment();
  w.open("auto " + generatedName(site.context, "defer") + " = luminar::bare_metal::defer([&]() {");
  w.splice(site.statement);
  w.close("});");
  return w.take();
}

}  // namespace luminar::generators
