// `#pragma luminar spawn` inside a bare-metal block → `<group>.spawn(lambda, "label")`.
//
// Data sharing (SPEC §1.3): the lambda captures by reference (shared; the block joins before
// those variables go away) except the variables declared inside the block, which it copies
// (firstprivate). `mutable`, so a task may change its copies. private(…) variables are
// fresh value-initialised locals of the task.
#include "luminar/generators/BareMetalGenerator.h"

#include "CodeWriter.h"

#include <algorithm>

namespace luminar::generators {

std::string generateSpawn(const SpawnSite &site) {
  CodeWriter w(site.context);
  w.pragmaComment();
  std::string captures = "&";
  for (const std::string &var : site.copiedVars) {
    // A private variable is a local of the task: copying it as well would shadow a capture.
    if (std::find(site.privateVars.begin(), site.privateVars.end(), var) != site.privateVars.end()) continue;
    captures += ", " + var;
  }
  w.open(site.groupName + ".spawn([" + captures + "]() mutable {");
  for (const std::string &var : site.privateVars)
    w.line("[[maybe_unused]] std::remove_reference_t<decltype(" + var + ")> " + var + "{};");
  w.splice(site.statement);
  w.close("}, \"" + site.label + "\");");
  return w.take();
}

}  // namespace luminar::generators
