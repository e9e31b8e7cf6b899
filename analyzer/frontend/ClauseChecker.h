// Semantic checks of clause arguments against the AST: every variable named in a
// reduction/private/firstprivate/shared clause must exist and be visible at the pragma,
// reduction variables must be arithmetic and not the loop variable.
#pragma once

#include "Diagnostics.h"
#include "PragmaCollector.h"
#include "Site.h"

#include <clang/AST/ASTContext.h>

#include <map>
#include <string>

namespace luminar::frontend {

// Variables named by the site's clauses, by name; false when an error was reported.
bool checkClauseVariables(Site &site, clang::ASTContext &context, const LocationTable &locations,
                          Diagnostics &diags, const clang::VarDecl *loopVar,
                          std::map<std::string, const clang::ValueDecl *> &named);

}  // namespace luminar::frontend
