// `#pragma luminar critical [(name)]` → the statement under a std::mutex.
//
// A plain statement becomes one block holding a lock_guard. A declaration must leave its
// names in scope, so it is bracketed by a unique_lock and an explicit unlock instead (an
// exception from the initialiser unlocks through the unique_lock's destructor).
// Unnamed sections share luminar::bare_metal::unnamed_critical_mutex(); `critical(name)`
// locks `luminar_critical_<name>()`, defined by the prelude as an inline function, so the
// same name is the same mutex in every file of the program.
#include "luminar/generators/BareMetalGenerator.h"

#include "CodeWriter.h"
#include "Names.h"

namespace luminar::generators {

std::string criticalMutexExpression(const model::Directive &directive) {
  if (!directive.criticalName) return "luminar::bare_metal::unnamed_critical_mutex()";
  return "luminar_critical_" + *directive.criticalName + "()";
}

std::string generateCritical(const CriticalSite &site) {
  CodeWriter w(site.context);
  const std::string lock = generatedName(site.context, "lock");
  const std::string mutex = criticalMutexExpression(site.directive);
  w.pragmaComment();
  if (site.statementIsDeclaration) {
    w.line("std::unique_lock<std::mutex> " + lock + "(" + mutex + ");");
    w.splice(site.statement);
    w.line(lock + ".unlock();");
    return w.take();
  }
  w.open("{");
  w.line("std::lock_guard<std::mutex> " + lock + "(" + mutex + ");");
  w.splice(site.statement);
  w.close("}");
  return w.take();
}

}  // namespace luminar::generators
