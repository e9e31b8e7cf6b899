// Attaches each collected pragma to the statement that follows it and arranges the
// resulting sites in a tree by nesting. Reports pragmas that precede no statement, apply
// to a statement produced by a macro, sit in an included file, or precede a statement of
// the wrong kind (a `parallel` without `{…}`, a `parallel for` without `for`, …).
#pragma once

#include "Diagnostics.h"
#include "Site.h"

#include <clang/AST/ASTContext.h>

namespace luminar::frontend {

SiteList findSites(clang::ASTContext &context, const std::vector<RawPragma> &pragmas, Diagnostics &diags);

// Expansion-location file offset of `loc` in the main file.
unsigned fileOffset(const clang::SourceManager &sm, clang::SourceLocation loc);

// File offset just past the statement, including its terminating ';'.
unsigned statementEndOffset(const clang::ASTContext &context, const clang::Stmt *stmt);

}  // namespace luminar::frontend
