// Which variables a statement writes, and where: assignments, compound assignments,
// increments and calls of non-const member functions on the variable itself (`v.push_back`).
// Writes through a subscript or a pointer are not attributed to a variable: whether two
// iterations touch the same element cannot be told from the syntax.
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/AST/Expr.h>

#include <set>
#include <vector>

namespace luminar::frontend {

struct VariableWrite {
  const clang::VarDecl *var = nullptr;
  const clang::Expr *expr = nullptr;  // the assignment, increment or call
};

class VariableWrites {
public:
  std::vector<VariableWrite> writes;

  const clang::Expr *firstWriteTo(const clang::VarDecl *var) const {
    for (const VariableWrite &w : writes)
      if (w.var == var) return w.expr;
    return nullptr;
  }
};

VariableWrites collectWrites(const clang::Stmt *stmt, clang::ASTContext &context);

// Every variable an expression or statement names.
std::set<const clang::VarDecl *> variablesIn(const clang::Stmt *stmt);

}  // namespace luminar::frontend
