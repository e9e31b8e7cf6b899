// Small helpers to read user source through the AST: the text of a node as written,
// the variable an expression names, presumed line/column.
#pragma once

#include "luminar/model/BlockReport.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Lex/Lexer.h>

#include <string>

namespace luminar::frontend {

inline std::string sourceText(const clang::ASTContext &context, clang::SourceRange range) {
  const clang::SourceManager &sm = context.getSourceManager();
  clang::CharSourceRange chars = sm.getExpansionRange(range);
  return clang::Lexer::getSourceText(chars, sm, context.getLangOpts()).str();
}

// The variable `e` names directly (through parentheses, implicit casts and copies).
inline const clang::VarDecl *namedVariable(const clang::Expr *e) {
  if (!e) return nullptr;
  e = e->IgnoreParenImpCasts();
  if (const auto *construct = llvm::dyn_cast<clang::CXXConstructExpr>(e))
    if (construct->getNumArgs() == 1) return namedVariable(construct->getArg(0));
  if (const auto *temp = llvm::dyn_cast<clang::MaterializeTemporaryExpr>(e))
    return namedVariable(temp->getSubExpr());
  if (const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(e))
    return llvm::dyn_cast<clang::VarDecl>(ref->getDecl());
  return nullptr;
}

inline model::Location modelLocation(const clang::SourceManager &sm, clang::SourceLocation loc,
                                     const std::string &file) {
  clang::SourceLocation expansion = sm.getExpansionLoc(loc);
  return {file, sm.getExpansionLineNumber(expansion), sm.getExpansionColumnNumber(expansion)};
}

}  // namespace luminar::frontend
