// The race lint of SPEC §1.3: a warning for each write to a shared variable of
// non-atomic type inside a `parallel for` body or a spawned statement that no reduction,
// `atomic`, `critical` or lock protects.
#pragma once

#include "Diagnostics.h"
#include "Site.h"

#include <clang/AST/ASTContext.h>

#include <map>
#include <string>

namespace luminar::frontend {

// `region`: the loop body or the spawned statement. `isShared(var)` says whether a
// variable is shared between iterations/tasks at this site. Warnings are reported and
// appended to `report.warnings`.
void lintRaces(const Site &site, const clang::Stmt *region, clang::ASTContext &context, const SiteList &sites,
               const std::function<bool(const clang::VarDecl *)> &isShared, const std::string &fileName,
               Diagnostics &diags, model::BlockReport &report);

}  // namespace luminar::frontend
