#include "SiteFinder.h"

#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Lex/Lexer.h>

#include <algorithm>
#include <map>

namespace luminar::frontend {
namespace {

// Every statement in a "statement position" (a child of `{…}` or the body of a control
// statement), keyed by the file offset where it begins. Pre-order, so the outermost
// statement starting at an offset is the one kept.
class StatementIndex : public clang::RecursiveASTVisitor<StatementIndex> {
public:
  explicit StatementIndex(const clang::SourceManager &sm) : sm_(sm) {}

  bool VisitCompoundStmt(clang::CompoundStmt *s) {
    for (clang::Stmt *child : s->body()) add(child, s);
    return true;
  }
  bool VisitIfStmt(clang::IfStmt *s) { add(s->getThen(), s); add(s->getElse(), s); return true; }
  bool VisitForStmt(clang::ForStmt *s) { add(s->getBody(), s); return true; }
  bool VisitCXXForRangeStmt(clang::CXXForRangeStmt *s) { add(s->getBody(), s); return true; }
  bool VisitWhileStmt(clang::WhileStmt *s) { add(s->getBody(), s); return true; }
  bool VisitDoStmt(clang::DoStmt *s) { add(s->getBody(), s); return true; }
  bool VisitSwitchCase(clang::SwitchCase *s) { add(s->getSubStmt(), s); return true; }
  bool VisitLabelStmt(clang::LabelStmt *s) { add(s->getSubStmt(), s); return true; }
  bool VisitAttributedStmt(clang::AttributedStmt *s) { add(s->getSubStmt(), s); return true; }

  const clang::Stmt *parentOf(const clang::Stmt *s) const {
    auto it = parents_.find(s);
    return it == parents_.end() ? nullptr : it->second;
  }

  const clang::Stmt *at(unsigned offset) const {
    auto it = byOffset_.find(offset);
    return it == byOffset_.end() ? nullptr : it->second;
  }

private:
  void add(const clang::Stmt *s, const clang::Stmt *parent) {
    if (!s) return;
    parents_.emplace(s, parent);
    clang::SourceLocation loc = sm_.getExpansionLoc(s->getBeginLoc());
    if (!sm_.isInMainFile(loc)) return;
    byOffset_.emplace(sm_.getFileOffset(loc), s);
  }

  const clang::SourceManager &sm_;
  std::map<unsigned, const clang::Stmt *> byOffset_;
  std::map<const clang::Stmt *, const clang::Stmt *> parents_;
};

// The statement's last sub-statement decides whether a ';' ends it.
bool endsWithSemicolon(const clang::Stmt *s) {
  while (true) {
    if (const auto *i = llvm::dyn_cast<clang::IfStmt>(s)) s = i->getElse() ? i->getElse() : i->getThen();
    else if (const auto *f = llvm::dyn_cast<clang::ForStmt>(s)) s = f->getBody();
    else if (const auto *r = llvm::dyn_cast<clang::CXXForRangeStmt>(s)) s = r->getBody();
    else if (const auto *w = llvm::dyn_cast<clang::WhileStmt>(s)) s = w->getBody();
    else if (const auto *c = llvm::dyn_cast<clang::SwitchCase>(s)) s = c->getSubStmt();
    else if (const auto *l = llvm::dyn_cast<clang::LabelStmt>(s)) s = l->getSubStmt();
    else if (const auto *a = llvm::dyn_cast<clang::AttributedStmt>(s)) s = a->getSubStmt();
    else if (const auto *sw = llvm::dyn_cast<clang::SwitchStmt>(s)) s = sw->getBody();
    else break;
  }
  return !llvm::isa<clang::CompoundStmt>(s) && !llvm::isa<clang::DeclStmt>(s) &&
         !llvm::isa<clang::NullStmt>(s) && !llvm::isa<clang::CXXTryStmt>(s);
}

// The function that holds `stmt`: the nearest enclosing FunctionDecl, looking through
// lambdas to the function that defines them.
const clang::Decl *enclosingFunction(clang::ASTContext &context, const clang::Stmt *stmt) {
  clang::DynTypedNodeList parents = context.getParents(*stmt);
  while (!parents.empty()) {
    const clang::DynTypedNode &node = parents[0];
    if (const auto *fn = node.get<clang::FunctionDecl>()) {
      if (!llvm::isa<clang::CXXMethodDecl>(fn) || !llvm::cast<clang::CXXMethodDecl>(fn)->getParent()->isLambda())
        return fn;
    }
    parents = context.getParents(node);
  }
  return nullptr;
}

// The declaration directly in the translation unit that (lexically) contains `decl`.
const clang::Decl *topLevelDeclaration(const clang::Decl *decl) {
  while (decl) {
    const clang::DeclContext *ctx = decl->getLexicalDeclContext();
    if (!ctx || ctx->isTranslationUnit()) break;
    decl = llvm::dyn_cast<clang::Decl>(ctx);
  }
  if (!decl) return nullptr;
  if (const auto *fn = llvm::dyn_cast<clang::FunctionDecl>(decl))
    if (const clang::Decl *tmpl = fn->getDescribedFunctionTemplate()) return tmpl;
  if (const auto *rec = llvm::dyn_cast<clang::CXXRecordDecl>(decl))
    if (const clang::Decl *tmpl = rec->getDescribedClassTemplate()) return tmpl;
  return decl;
}

std::string pragmaName(const RawPragma &p) {
  return std::string("'#pragma luminar ") + model::spelling(p.directive->kind) + "'";
}

bool checkStatementKind(const RawPragma &p, const clang::Stmt *stmt, const clang::Stmt *parent, Diagnostics &diags) {
  using model::PragmaKind;
  switch (p.directive->kind) {
  case PragmaKind::ParallelFor:
    if (llvm::isa<clang::CXXForRangeStmt>(stmt)) {
      diags.error(stmt->getBeginLoc(), "'parallel for' does not accept a range-based 'for'; write an "
                                       "index or random-access iterator loop");
      return false;
    }
    if (!llvm::isa<clang::ForStmt>(stmt)) {
      diags.error(stmt->getBeginLoc(), pragmaName(p) + " must be followed by a 'for' statement");
      return false;
    }
    return true;
  case PragmaKind::Parallel:
  case PragmaKind::Concurrent:
    if (!llvm::isa<clang::CompoundStmt>(stmt)) {
      diags.error(stmt->getBeginLoc(), pragmaName(p) + " must be followed by a compound statement '{ ... }'");
      return false;
    }
    return true;
  case PragmaKind::Critical:
    // A locked declaration becomes several statements (lock, declaration, unlock), which
    // only a compound statement can hold.
    if (llvm::isa<clang::DeclStmt>(stmt) && !llvm::isa<clang::CompoundStmt>(parent)) {
      diags.error(stmt->getBeginLoc(), "'critical' on a declaration must be written inside braces '{ ... }'");
      return false;
    }
    return true;
  case PragmaKind::Spawn:
    if (llvm::isa<clang::DeclStmt>(stmt)) {
      diags.error(stmt->getBeginLoc(), "'spawn' cannot apply to a declaration: the declared name would "
                                       "not exist outside the task");
      return false;
    }
    return true;
  default:
    return true;
  }
}

// Widen [begin, end) to whole lines when only whitespace surrounds the site on its lines.
void widenToLines(llvm::StringRef buffer, Site &site) {
  unsigned lineStart = site.begin;
  while (lineStart > 0 && (buffer[lineStart - 1] == ' ' || buffer[lineStart - 1] == '\t')) --lineStart;
  if (lineStart == 0 || buffer[lineStart - 1] == '\n') site.begin = lineStart;
  unsigned after = site.end;
  while (after < buffer.size() && (buffer[after] == ' ' || buffer[after] == '\t' || buffer[after] == '\r')) ++after;
  if (after < buffer.size() && buffer[after] == '\n') site.end = after + 1;
}

void buildTree(SiteList &sites) {
  std::sort(sites.begin(), sites.end(), [](const auto &a, const auto &b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end > b->end;
  });
  std::vector<Site *> open;
  unsigned number = 0;
  for (auto &site : sites) {
    site->number = ++number;
    while (!open.empty() && open.back()->statementEnd <= site->begin) open.pop_back();
    if (!open.empty()) {
      site->parent = open.back();
      open.back()->children.push_back(site.get());
    }
    for (Site *s = site->parent; s; s = s->parent) {
      if (s->directive.kind == model::PragmaKind::Parallel || s->directive.kind == model::PragmaKind::Concurrent) {
        site->enclosingBlock = s;
        break;
      }
    }
    open.push_back(site.get());
  }
}

}  // namespace

unsigned fileOffset(const clang::SourceManager &sm, clang::SourceLocation loc) {
  return sm.getFileOffset(sm.getExpansionLoc(loc));
}

unsigned statementEndOffset(const clang::ASTContext &context, const clang::Stmt *stmt) {
  const clang::SourceManager &sm = context.getSourceManager();
  clang::SourceLocation last = sm.getExpansionRange(stmt->getEndLoc()).getEnd();
  clang::SourceLocation end = clang::Lexer::getLocForEndOfToken(last, 0, sm, context.getLangOpts());
  if (endsWithSemicolon(stmt)) {
    llvm::Optional<clang::Token> next = clang::Lexer::findNextToken(last, sm, context.getLangOpts());
    if (next && next->is(clang::tok::semi)) end = next->getEndLoc();
  }
  return sm.getFileOffset(end);
}

SiteList findSites(clang::ASTContext &context, const std::vector<RawPragma> &pragmas, Diagnostics &diags) {
  clang::SourceManager &sm = context.getSourceManager();
  StatementIndex index(sm);
  index.TraverseAST(context);
  llvm::StringRef buffer = sm.getBufferData(sm.getMainFileID());

  SiteList sites;
  for (const RawPragma &p : pragmas) {
    if (!p.directive) continue;  // already diagnosed by the clause parser
    if (!p.inMainFile) {
      diags.error(p.location, "Luminar pragmas are translated only in the source file given to luminar; "
                              "move this code out of the included file");
      continue;
    }
    llvm::Optional<clang::Token> next = clang::Lexer::findNextToken(p.lastToken, sm, context.getLangOpts());
    const clang::Stmt *stmt = next ? index.at(sm.getFileOffset(next->getLocation())) : nullptr;
    if (!stmt) {
      // A statement that a macro produces starts where the macro is named.
      const clang::Stmt *fromMacro = index.at(sm.getFileOffset(p.location));
      if (fromMacro && fromMacro->getBeginLoc().isMacroID()) stmt = fromMacro;
    }
    if (!stmt) {
      diags.error(p.location, pragmaName(p) + " must be followed by a statement inside a function body");
      continue;
    }
    if (stmt->getBeginLoc().isMacroID()) {
      diags.error(stmt->getBeginLoc(), "the statement after " + pragmaName(p) +
                                           " comes from a macro expansion and cannot be rewritten at "
                                           "source level; write the statement in the file");
      diags.note(p.location, "pragma written here");
      continue;
    }
    if (!checkStatementKind(p, stmt, index.parentOf(stmt), diags)) continue;

    auto site = std::make_unique<Site>();
    site->pragma = &p;
    site->directive = *p.directive;
    site->stmt = stmt;
    site->function = enclosingFunction(context, stmt);
    site->topLevelDecl = topLevelDeclaration(site->function);
    site->begin = sm.getFileOffset(p.location);
    site->statementBegin = fileOffset(sm, stmt->getBeginLoc());
    site->statementEnd = statementEndOffset(context, stmt);
    site->end = site->statementEnd;
    widenToLines(buffer, *site);
    sites.push_back(std::move(site));
  }
  buildTree(sites);
  return sites;
}

}  // namespace luminar::frontend
