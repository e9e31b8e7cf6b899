// Recognises the statement forms `#pragma luminar atomic` accepts (SPEC §1): `x op= e;`,
// `x++`, `++x`, `x--`, `--x`, `x = x op e;`.
#pragma once

#include "Diagnostics.h"
#include "luminar/generators/Sites.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Expr.h>

#include <optional>

namespace luminar::frontend {

struct AtomicUpdate {
  const clang::Expr *target = nullptr;
  const clang::Expr *operand = nullptr;  // null for ++/--
  generators::AtomicOp op = generators::AtomicOp::Add;
  bool targetIsStdAtomic = false;
};

std::optional<AtomicUpdate> matchAtomicUpdate(const clang::Stmt *stmt, clang::ASTContext &context, Diagnostics &diags);

}  // namespace luminar::frontend
