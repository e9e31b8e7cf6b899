// Recognises the canonical loops `parallel for` accepts (SPEC §1.1) and reports, at the
// offending part, why a loop is not one.
#pragma once

#include "Diagnostics.h"
#include "luminar/generators/Sites.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Stmt.h>

#include <optional>

namespace luminar::frontend {

struct CanonicalLoop {
  const clang::VarDecl *var = nullptr;
  bool declaresVar = false;
  std::string varType;  // as written, when declared in the init statement
  const clang::Expr *lowerBound = nullptr;
  const clang::Expr *bound = nullptr;
  const clang::Expr *step = nullptr;  // null: a step of 1
  generators::CompareOp compare = generators::CompareOp::Less;
  bool ascending = true;
  const clang::Stmt *body = nullptr;
};

std::optional<CanonicalLoop> canonicalizeLoop(const clang::ForStmt *loop, clang::ASTContext &context,
                                              Diagnostics &diags);

}  // namespace luminar::frontend
